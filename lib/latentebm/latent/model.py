r"""A latent-variable energy-based model for 2-D toy data, as an ensemble of small models.

.. math:: E(x, y, z) = C\big(y, \mathrm{Dec}(\mathrm{Pred}(x), z)\big) + \lambda R(z),
          \qquad C(y, \bar y) = \|y - \bar y\|_2^2

The decoder is a linear map plus a one-hidden-layer tanh network,
:math:`\mathrm{Dec}(h, z) = A^\top z + W_2^\top \tanh(W_1^\top z + h + b_1) + b_2`: the tanh part
bends the decoded manifold, the linear part keeps the decoder unbounded (with a latent of two or more
dimensions it is then onto the plane, the setting of the collapse). The predictor is linear,
:math:`\mathrm{Pred}(x) = P^\top x` (absent for unconditional data, then h = 0).

Why the decoder's gain is capped: with a free decoder, training could make every code cheaper by
scaling z down and the decoder's weights up, and any :math:`\lambda` would then act like
:math:`\lambda \to 0`. As sparse coding normalizes the columns of W, we bound the spectral norms,
:math:`\|W_1\|_2 \le` ``max_gain``, :math:`\|W_2\|_2 \le 1` and :math:`\|A\|_2 \le 1`, so the decoder
is (``max_gain`` + 1)-Lipschitz in z and :math:`\lambda R(z)` keeps its meaning during training.

The class holds K independent models at once (an *ensemble*), one per value of ``lam`` and
regularizer kind; every tensor carries the model index first. Training K models costs one batched
pass, which is how the book trains a whole sweep of :math:`\lambda` in seconds.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .._checks import all_finite, as_tensor, nonneg, nonneg_int, positive_int
from .._checks import generator as check_generator
from .regularizers import KINDS, check_kind, penalty

_FEATURES = {"tanh": torch.tanh, "sin": torch.sin}


def _per_model(name, value, K):
    values = list(value) if isinstance(value, (list, tuple)) else [value]
    if len(values) == 1:
        values = values * K
    if len(values) != K:
        raise ValueError(
            f"{name} must be one value or a list of {K} values (K: the longest of lam and "
            f"regularizer), got {len(values)}"
        )
    return values


class LatentEBM(nn.Module):
    r"""K latent-variable EBMs :math:`E_k(x, y, z) = \|y - \mathrm{Dec}_k(\mathrm{Pred}_k(x), z)\|^2 + \lambda_k R_k(z)`.

    Parameters
    ----------
    latent_dim : int, d, the size of z
    lam : float or list of K floats >= 0, the weight :math:`\lambda` of R(z) for each model
    regularizer : str or list of K str among "none", "l1", "l2", "noisy", "ring"
        (see :mod:`latentebm.latent.regularizers`); K = the longest of ``lam`` / ``regularizer``
    hidden : int, width of the decoder's hidden layer
    y_dim : int, n, the size of y (2 for the plane)
    x_dim : int, size of the conditioning input x (0: unconditional model)
    max_gain : float, bound on the spectral norm of :math:`W_1` (the decoder's Lipschitz constant)
    noise_std : float, standard deviation of the noise added to z by "noisy" models
    features : str, the hidden non-linearity: "tanh" (default) or "sin" (periodic features in z,
        Fourier-feature style)
    linear : bool, keep the linear term :math:`A^\top z` (default). Without it the decoder is
        bounded, :math:`\|\mathrm{Dec}(z) - b_2\| \le \sqrt{H}`, so far points are out of reach
    generator : torch.Generator, optional, for the initial weights
    """

    def __init__(
        self,
        latent_dim: int,
        *,
        lam=0.0,
        regularizer="l2",
        hidden: int = 64,
        y_dim: int = 2,
        x_dim: int = 0,
        max_gain: float = 4.0,
        noise_std: float = 0.3,
        features: str = "tanh",
        linear: bool = True,
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        d, H, n = (
            positive_int(k, v)
            for k, v in [("latent_dim", latent_dim), ("hidden", hidden), ("y_dim", y_dim)]
        )
        x_dim = nonneg_int("x_dim", x_dim)
        check_generator("generator", generator)
        K = max(len(v) if isinstance(v, (list, tuple)) else 1 for v in (lam, regularizer))
        lams = [nonneg("lam", v) for v in _per_model("lam", lam, K)]
        kinds = [check_kind(k) for k in _per_model("regularizer", regularizer, K)]
        self.latent_dim, self.hidden, self.y_dim, self.x_dim = d, H, n, x_dim
        self.max_gain, self.noise = nonneg("max_gain", max_gain), nonneg("noise_std", noise_std)
        self.kinds = kinds
        if features not in _FEATURES:
            raise ValueError(f"features must be one of {sorted(_FEATURES)}, got {features!r}")
        if not isinstance(linear, bool):
            raise TypeError(f"linear must be a bool, got {type(linear).__name__}")
        self.features, self.linear = features, linear
        self.register_buffer("lam", torch.tensor(lams))  # (K,)
        self.register_buffer("a", torch.tensor([KINDS[k][0] for k in kinds]))  # (K,) weight of L1
        self.register_buffer("b", torch.tensor([KINDS[k][1] for k in kinds]))  # (K,) weight of L2^2
        # (K,) weight of the ring term (||z|| - 1)^2; set by the kinds, so not in the state dict
        # (checkpoints made before the ring existed load unchanged)
        c = torch.tensor([KINDS[k][2] for k in kinds])
        self.register_buffer("c", c, persistent=False)
        self.register_buffer(
            "noise_std", torch.tensor([self.noise if k == "noisy" else 0.0 for k in kinds])
        )
        g = generator if generator is not None else torch.Generator().manual_seed(0)
        self.W1 = nn.Parameter(torch.randn(K, d, H, generator=g) * max_gain / (d**0.5 + H**0.5))
        phase = math.pi if features == "sin" else 1.0  # sin: uniform phases in [-pi, pi]
        self.b1 = nn.Parameter((torch.rand(K, 1, H, generator=g) * 2 - 1) * phase)
        self.W2 = nn.Parameter(torch.randn(K, H, n, generator=g) / (H**0.5 + n**0.5))
        self.b2 = nn.Parameter(torch.zeros(K, 1, n))
        A = torch.randn(K, d, n, generator=g) / (d**0.5 + n**0.5)
        self.A = nn.Parameter(A, requires_grad=linear) if linear else None
        self.P = (
            nn.Parameter(torch.randn(K, x_dim, H, generator=g) / (x_dim**0.5 + H**0.5))
            if x_dim
            else None
        )
        self.project_()

    @property
    def n_models(self) -> int:
        return self.W1.shape[0]

    def config(self) -> dict:
        """The constructor's arguments (plain Python values): ``LatentEBM(**model.config())``."""
        return dict(
            latent_dim=self.latent_dim,
            lam=self.lam.tolist(),
            regularizer=list(self.kinds),
            hidden=self.hidden,
            y_dim=self.y_dim,
            x_dim=self.x_dim,
            max_gain=self.max_gain,
            noise_std=self.noise,
            features=self.features,
            linear=self.linear,
        )

    def checkpoint(self, **extra) -> dict:
        """``{"config", "state"}``: the constructor's settings and the CPU weights, as a dict for
        :func:`latentebm.checkpoints.save`; ``extra`` entries are stored alongside.
        :meth:`from_checkpoint` rebuilds the model."""
        state = {k: v.detach().cpu() for k, v in self.state_dict().items()}
        return {"config": self.config(), "state": state, **extra}

    @classmethod
    def from_checkpoint(cls, ckpt: dict, device=None) -> LatentEBM:
        """Rebuild a model (in eval mode, on ``device``) from :meth:`checkpoint`'s dict."""
        if not isinstance(ckpt, dict):
            raise TypeError(
                f"ckpt must be a dict from LatentEBM.checkpoint(), got {type(ckpt).__name__}"
            )
        missing = {"config", "state"} - set(ckpt)
        if missing:
            raise ValueError(f"ckpt is not a LatentEBM checkpoint: missing {sorted(missing)}")
        config = dict(ckpt["config"])
        model = cls(config.pop("latent_dim"), **config)
        model.load_state_dict(ckpt["state"])
        return model.to(device).eval()

    def select(self, k: int) -> LatentEBM:
        """Model ``k`` of the ensemble as a one-model LatentEBM (a copy, on the same device)."""
        k = nonneg_int("k", k)
        if not 0 <= k < self.n_models:
            raise ValueError(f"k must be in [0, {self.n_models}), got {k}")
        cfg = self.config()
        cfg.update(lam=cfg["lam"][k], regularizer=cfg["regularizer"][k])
        one = LatentEBM(cfg.pop("latent_dim"), **cfg).to(self.W1.device)
        one.load_state_dict({key: v[k : k + 1] for key, v in self.state_dict().items()})
        return one

    @torch.no_grad()
    def project_(self) -> None:
        """Cap the spectral norms (in place): ``||W1||_2 <= max_gain``, ``||W2||_2 <= 1``, ``||A||_2 <= 1``."""
        for W, cap in ((self.W1, self.max_gain), (self.W2, 1.0), (self.A, 1.0)):
            if W is None:
                continue
            s = torch.linalg.matrix_norm(W, ord=2)  # (K,)
            W.mul_(torch.clamp(cap / s.clamp_min(1e-12), max=1.0)[:, None, None])

    def check_inputs(self, y, z=None, x=None, z_name: str = "z"):
        """Validate y (M, n), z (K, M, d) or (..., K, M, d), x (M, x_dim); return them."""
        n, d, K = self.y_dim, self.latent_dim, self.n_models
        y = as_tensor("y", y, ndims=(2,), shape_doc=f"(N, {n})")
        if y.shape[1] != n:
            raise ValueError(f"y must have shape (N, {n}), got {tuple(y.shape)}")
        if y.dtype != self.W1.dtype or y.device != self.W1.device:
            raise TypeError(
                f"y must be {self.W1.dtype} on {self.W1.device} like the model, got {y.dtype} on {y.device}"
            )
        if z is not None:
            doc = f"({K}, {y.shape[0]}, {d})"
            if not isinstance(z, torch.Tensor):
                raise TypeError(
                    f"{z_name} must be a torch.Tensor of shape {doc}, got {type(z).__name__}"
                )
            if z.ndim < 3 or tuple(z.shape[-3:]) != (K, y.shape[0], d):
                raise ValueError(
                    f"{z_name} must have shape {doc} (models, signals, latent), got {tuple(z.shape)}"
                )
            if z.dtype != y.dtype or z.device != y.device:
                raise TypeError(
                    f"{z_name} must be {y.dtype} on {y.device} like the model, got {z.dtype} on "
                    f"{z.device}"
                )
            if not all_finite(z):
                raise ValueError(f"{z_name} contains NaN or infinite values")
        if self.x_dim:
            if x is None:
                raise ValueError(
                    f"this model is conditional: x of shape (N, {self.x_dim}) is required"
                )
            x = as_tensor("x", x, ndims=(2,), shape_doc=f"({y.shape[0]}, {self.x_dim})")
            if tuple(x.shape) != (y.shape[0], self.x_dim):
                raise ValueError(
                    f"x must have shape ({y.shape[0]}, {self.x_dim}), got {tuple(x.shape)}"
                )
            if x.dtype != y.dtype or x.device != y.device:
                raise TypeError(
                    f"x must be {y.dtype} on {y.device} like y, got {x.dtype} on {x.device}"
                )
        elif x is not None:
            raise ValueError("this model is unconditional (x_dim=0): pass x=None")
        return y, z, x

    def predict(self, x) -> torch.Tensor | float:
        """:math:`h = \\mathrm{Pred}(x)`: (M, x_dim) -> (K, M, H); 0 for an unconditional model."""
        return 0.0 if x is None or self.P is None else x @ self.P

    def decode(self, z: torch.Tensor, x=None) -> torch.Tensor:
        r""":math:`\bar y = \mathrm{Dec}(\mathrm{Pred}(x), z)`: z of shape (..., K, M, d) -> (..., K, M, n)."""
        hidden = _FEATURES[self.features](z @ self.W1 + self.predict(x) + self.b1)  # (..., K, M, H)
        if (
            self.linear
        ):  # same operation order as before the option existed (reproducible checkpoints)
            return z @ self.A + hidden @ self.W2 + self.b2  # (..., K, M, n)
        return hidden @ self.W2 + self.b2

    def cost(self, y, z, x=None, eps=None) -> torch.Tensor:
        r""":math:`C(y, \mathrm{Dec}(z)) = \|y - \bar y\|^2`, averaged over noise samples ``eps``.

        y (M, n), z (K, M, d), eps (S, K, M, d) standard normal or None -> (K, M).
        Only "noisy" models use eps (scaled by their ``noise_std``; 0 for the others).
        """
        if eps is not None:
            z = z + self.noise_std[:, None, None] * eps  # (S, K, M, d)
        c = (y - self.decode(z, x)).pow(2).sum(-1)  # (K, M) or (S, K, M)
        return c if eps is None else c.mean(0)

    def penalty(self, z) -> torch.Tensor:
        r""":math:`\lambda R(z)` per model: z (K, M, d) -> (K, M)."""
        return penalty(z, self.lam, self.a, self.b, self.c)

    def energy(self, y, z, x=None, eps=None) -> torch.Tensor:
        r""":math:`E(x, y, z) = C(y, \mathrm{Dec}(\mathrm{Pred}(x), z)) + \lambda R(z)`.

        Parameters
        ----------
        y : Tensor of shape (M, n), shared by the K models
        z : Tensor of shape (K, M, d), one code per model and signal
        x : Tensor of shape (M, x_dim), for a conditional model
        eps : Tensor of shape (S, K, M, d), noise samples for "noisy" models (optional)

        Returns
        -------
        Tensor of shape (K, M)
        """
        y, z, x = self.check_inputs(y, z, x)
        if eps is not None:
            doc = f"(S, {self.n_models}, {y.shape[0]}, {self.latent_dim})"
            eps = as_tensor("eps", eps, ndims=(4,), shape_doc=doc)
            if tuple(eps.shape[1:]) != tuple(z.shape[-3:]) or z.ndim != 3:
                raise ValueError(f"eps must have shape {doc} for z of shape {tuple(z.shape)}, "
                                 f"got {tuple(eps.shape)}")  # fmt: skip
            if eps.dtype != z.dtype or eps.device != z.device:
                raise TypeError(
                    f"eps must be {z.dtype} on {z.device}, got {eps.dtype} on {eps.device}"
                )
        return self.cost(y, z, x, eps) + self.penalty(z)
