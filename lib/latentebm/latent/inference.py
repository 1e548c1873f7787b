r"""Inference in a latent EBM: :math:`\check z = \arg\min_z E(x, y, z)` and :math:`F(x, y) = \min_z E(x, y, z)`.

The decoder is non-linear, so the minimization is non-convex: we run a proximal-gradient descent
(a gradient step on the smooth cost C, then the proximal step of :math:`\lambda R`, as ISTA does in
sparse coding) from several starting points and keep the best. Each code has its own step size,
grown after a step that lowers its energy and halved (with the step rejected) after one that would
raise it, so the energy of every code never increases. Everything is batched over models, restarts
and signals: a 200 x 200 grid of F is one call.
"""

from __future__ import annotations

import inspect

import torch

from .._checks import generator as check_generator
from .._checks import module, nonneg, positive, positive_int
from .model import LatentEBM
from .regularizers import _prox as prox  # unchecked: the loop builds its inputs


def _check_model(model):
    module("model", model, LatentEBM, "latentebm.latent.LatentEBM")


def _noise(model, S, K, M, d, like, generator):
    """Fixed noise samples (S, K, M, d) for "noisy" models, or None. Common random numbers: the
    same S samples for every signal and step make the estimated energy a deterministic, smooth
    function of (y, z), so the descent can be monotone and a landscape of F has no speckle."""
    if not bool((model.noise_std > 0).any()):
        return None
    eps = torch.randn(S, K, 1, d, generator=generator, dtype=like.dtype)
    return eps.to(like.device).expand(S, K, M, d)


def infer(
    model: LatentEBM,
    y: torch.Tensor,
    x: torch.Tensor | None = None,
    n_iter: int = 100,
    *,
    n_restarts: int = 4,
    z0: torch.Tensor | None = None,
    init_std: float = 1.0,
    step: float = 0.1,
    n_noise: int = 8,
    generator: torch.Generator | None = None,
    history: bool = False,
):
    r"""Minimize :math:`E(x, y, z) = C(y, \mathrm{Dec}(\mathrm{Pred}(x), z)) + \lambda R(z)` over z.

    Proximal gradient with a per-code step size :math:`t`:
    :math:`z' = \mathrm{prox}_{t\lambda R}(z - t\nabla_z C)`, accepted (and ``t *= 1.5``) if
    :math:`E(z') \le E(z)`, else rejected (and ``t /= 2``). Restart 0 starts at ``z0`` (default 0),
    the others at :math:`\mathcal N(0, \text{init\_std}^2)`; the lowest final energy wins.

    Parameters
    ----------
    model : LatentEBM with K models
    y : Tensor of shape (N, n)
    x : Tensor of shape (N, x_dim), for a conditional model
    n_iter : int, proximal-gradient steps (fixed: no tolerance, so the cost is predictable)
    n_restarts : int, number of starting points per signal
    z0 : Tensor of shape (K, N, d), optional warm start (for restart 0)
    init_std : float, scale of the random starting points
    step : float, initial step size
    n_noise : int, noise samples S averaged by "noisy" models
    generator : torch.Generator, optional, for the random starts and noise
    history : bool, also return the energy after every step, shape (n_iter + 1, K, N)
        (of the restart that wins)

    Returns
    -------
    z : Tensor of shape (K, N, d), the best code found, detached
    E : Tensor of shape (K, N), its energy (the free energy estimate)
    history : Tensor of shape (n_iter + 1, K, N), only if ``history``

    References
    ----------
    Beck & Teboulle (2009) for proximal gradient; notebook 01, section "Inference".
    """
    _check_model(model)
    y, z0, x = model.check_inputs(y, z0, x, z_name="z0")
    options = _options(n_iter, n_restarts, init_std, step, n_noise, generator)
    return infer_unchecked(model, y, x, z0, history=history, **options)


def _options(n_iter=100, n_restarts=4, init_std=1.0, step=0.1, n_noise=8, generator=None) -> dict:
    """The checked settings of :func:`infer` (what :func:`infer_unchecked` takes)."""
    return dict(
        n_iter=positive_int("n_iter", n_iter),
        n_restarts=positive_int("n_restarts", n_restarts),
        init_std=nonneg("init_std", init_std),
        step=positive("step", step),
        n_noise=positive_int("n_noise", n_noise),
        generator=check_generator("generator", generator),
    )


def infer_unchecked(
    model, y, x, z0, *, n_iter, n_restarts, init_std, step, n_noise, generator, history=False
):
    """:func:`infer` on checked inputs and settings (:func:`_options`), for the training loop."""
    R, S = n_restarts, n_noise
    K, N, d = model.n_models, y.shape[0], model.latent_dim
    g = generator or torch.Generator().manual_seed(0)
    y_all = y.repeat(R, 1)  # (R*N, n): restart-major
    x_all = x.repeat(R, 1) if x is not None else None
    start = (
        torch.randn(K, R * N, d, generator=g, dtype=y.dtype).to(y.device) * init_std
    )  # (K, R*N, d)
    start[:, :N] = 0.0 if z0 is None else z0.detach()
    eps = _noise(model, S, K, R * N, d, y, g)

    def energy_and_grad(z):
        with torch.enable_grad():
            z = z.detach().requires_grad_(True)
            c = model.cost(y_all, z, x_all, eps)  # (K, R*N)
            (grad,) = torch.autograd.grad(c.sum(), z)
        return (c.detach() + model.penalty(z.detach())), grad

    z = start
    t = torch.full((K, R * N), float(step), dtype=y.dtype, device=y.device)
    E, grad = energy_and_grad(z)
    hist = [E] if history else None
    for _ in range(n_iter):
        z_new = prox(z - t[..., None] * grad, t, model.lam, model.a, model.b, model.c)
        E_new, grad_new = energy_and_grad(z_new)
        ok = E_new <= E  # (K, R*N): monotone by construction
        z = torch.where(ok[..., None], z_new, z)
        grad = torch.where(ok[..., None], grad_new, grad)
        E = torch.where(ok, E_new, E)
        t = torch.where(ok, t * 1.5, t * 0.5)
        if history:
            hist.append(E)
    best = E.view(K, R, N).argmin(1)  # (K, N)
    idx = best[:, None, :]  # (K, 1, N)
    z_best = z.view(K, R, N, d).gather(1, idx[..., None].expand(K, 1, N, d))[:, 0]  # (K, N, d)
    E_best = E.view(K, R, N).gather(1, idx)[:, 0]  # (K, N)
    if history:
        H = torch.stack(hist).view(-1, K, R, N)  # (n_iter + 1, K, R, N)
        H = H.gather(2, idx[None].expand(H.shape[0], K, 1, N))[:, :, 0]
        return z_best, E_best, H
    return z_best, E_best


def free_energy(
    model: LatentEBM,
    y: torch.Tensor,
    x: torch.Tensor | None = None,
    *,
    chunk: int = 20000,
    **kwargs,
) -> torch.Tensor:
    r"""Free energy :math:`F(x, y) = \min_z E(x, y, z)`, estimated by :func:`infer`.

    Parameters
    ----------
    model : LatentEBM with K models
    y : Tensor of shape (N, n)
    x : Tensor of shape (N, x_dim), for a conditional model
    chunk : int, signals per call of :func:`infer` (bounds the memory)
    **kwargs : passed to :func:`infer` (n_iter, n_restarts, init_std, step, n_noise, generator)

    Returns
    -------
    Tensor of shape (K, N)
    """
    _check_model(model)
    chunk = positive_int("chunk", chunk)
    unknown = sorted(set(kwargs) - set(inspect.signature(_options).parameters))
    if unknown:
        raise TypeError(f"free_energy got unexpected keyword arguments {unknown}")
    options = _options(**kwargs)
    y, _, x = model.check_inputs(y, None, x)
    out = []
    for i in range(0, y.shape[0], chunk):
        xi = x[i : i + chunk] if x is not None else None
        out.append(infer_unchecked(model, y[i : i + chunk], xi, None, **options)[1])
    return torch.cat(out, 1)
