r"""Training a latent EBM: minimize the mean free energy of the data over the decoder's parameters.

.. math:: \min_\theta \frac1N \sum_i F_\theta(y_i), \qquad F_\theta(y) = \min_z E_\theta(y, z)

By the envelope theorem, the gradient of :math:`F_\theta(y)` is the gradient of
:math:`E_\theta(y, \check z)` at the minimizing code, held fixed. This loss only *pushes down* the
energy of the data; nothing pushes up elsewhere. It is the regularizer :math:`\lambda R(z)`,
by limiting the volume of codes (hence of y's) that are cheap, that keeps the energy high away
from the data — with :math:`\lambda = 0` and a large latent, the minimum is F = 0 everywhere.
"""

from __future__ import annotations

import torch
from tqdm.auto import tqdm

from .._checks import all_finite, optimizer_step, positive, positive_int
from .._checks import generator as check_generator
from .inference import _check_model, _options, infer_unchecked
from .model import LatentEBM


def train(
    model: LatentEBM,
    y: torch.Tensor,
    x: torch.Tensor | None = None,
    *,
    n_epochs: int = 300,
    lr: float = 0.01,
    n_iter: int = 10,
    restart_every: int = 50,
    n_restarts: int = 4,
    generator: torch.Generator | None = None,
    progress: bool = True,
) -> dict:
    r"""Fit the K models at once by Adam on :math:`\frac1N\sum_i E(x_i, y_i, \check z_i)`.

    Full-batch. Each epoch refines persistent codes :math:`\check z` (one per model and signal) by
    ``n_iter`` warm-started inference steps — every ``restart_every`` epochs from ``n_restarts``
    fresh starts — then takes one Adam step on the decoder and re-caps its gain
    (:meth:`LatentEBM.project_`). The K models share nothing: Adam is elementwise, so summing
    their losses trains each as if alone.

    Parameters
    ----------
    model : LatentEBM with K models (trained in place)
    y : Tensor of shape (N, n), the data
    x : Tensor of shape (N, x_dim), for a conditional model
    n_epochs : int, Adam steps
    lr : float, learning rate
    n_iter, restart_every, n_restarts : inference settings (see above)
    generator : torch.Generator, optional, for the random restarts
    progress : bool, show a tqdm bar

    Returns
    -------
    history : dict with ``"free_energy"``, a Tensor of shape (n_epochs, K): the mean free energy
    of the data before each step.

    References
    ----------
    LeCun et al. (2006), a tutorial on energy-based learning; notebook 01, section "Training".
    """
    _check_model(model)
    n_epochs, n_iter = positive_int("n_epochs", n_epochs), positive_int("n_iter", n_iter)
    restart_every, lr = positive_int("restart_every", restart_every), positive("lr", lr)
    n_restarts = positive_int("n_restarts", n_restarts)
    check_generator("generator", generator)
    y, _, x = model.check_inputs(y, None, x)
    g = generator if generator is not None else torch.Generator().manual_seed(0)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    z = None
    history = []

    def diverged(epoch: int, why: str) -> ValueError:
        return ValueError(f"train diverged at epoch {epoch + 1} ({why}): lower lr={lr:g}")

    options = _options(n_restarts=n_restarts, generator=g)  # infer's defaults otherwise
    for epoch in tqdm(range(n_epochs), disable=not progress, desc="train latent EBM"):
        options.update(
            n_iter=n_iter if z is not None else 4 * n_iter,
            n_restarts=n_restarts if epoch % restart_every == 0 else 1,
        )
        z, F = infer_unchecked(model, y, x, z, **options)
        history.append(F.mean(1))
        loss = (model.cost(y, z, x) + model.penalty(z)).mean(1).sum()  # envelope theorem: z fixed
        opt.zero_grad()
        loss.backward()
        optimizer_step(opt, lambda why, epoch=epoch: diverged(epoch, why))
        if not all(all_finite(p) for p in model.parameters()):  # before project_'s SVD
            raise diverged(epoch, "non-finite weights")
        model.project_()
    history = torch.stack(history)  # (n_epochs, K)
    if not all_finite(history):
        raise diverged(int(torch.nonzero(~torch.isfinite(history).all(1))[0]), "non-finite energy")
    return {"free_energy": history}
