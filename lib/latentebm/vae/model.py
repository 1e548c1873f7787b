r"""The VAE's parameters: an encoder to a Gaussian ball :math:`\mathcal N(\bar z, \sigma^2)` and a decoder back to pixels."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from .._checks import FLOAT_DTYPES, as_tensor, positive_int
from .._checks import generator as check_generator


class VAE(nn.Module):
    r"""A fully connected variational auto-encoder (the pytorch/examples architecture by default).

    The encoder maps an image :math:`y` to the centre :math:`\bar z` (``mu``) and the log-variance
    :math:`\log\sigma^2` (``logvar``) of a Gaussian "fuzzy ball" in latent space; a code is drawn
    as :math:`z = \bar z + \sigma\odot\epsilon`, :math:`\epsilon\sim\mathcal N(0, I)`; the decoder
    maps :math:`z` to the Bernoulli means :math:`\bar y` of the pixels::

        y (N, n) -> Linear-ReLU (hidden) -> mu (N, d), logvar (N, d)
        z (N, d) -> Linear-ReLU (hidden) -> Linear -> logits (N, n) -> sigmoid -> y_bar

    Parameters
    ----------
    latent_dim : int
        Dimension d of the code z (2 to draw the balls, 20 for the reference model).
    hidden : int
        Width of the single hidden layer of the encoder and of the decoder (400 in pytorch/examples).
    n_pixels : int
        Input size n; images of shape (N, 1, 28, 28) are flattened to (N, 784).

    References
    ----------
    Kingma & Welling (2014), Auto-encoding variational Bayes; Rezende et al. (2014); the book's
    chapter "The variational auto-encoder".
    """

    def __init__(self, latent_dim: int = 20, *, hidden: int = 400, n_pixels: int = 784):
        super().__init__()
        self.latent_dim = positive_int("latent_dim", latent_dim)
        self.hidden = positive_int("hidden", hidden)
        self.n_pixels = positive_int("n_pixels", n_pixels)
        latent_dim, hidden, n_pixels = self.latent_dim, self.hidden, self.n_pixels
        self.enc = nn.Linear(n_pixels, hidden)
        self.enc_mu = nn.Linear(hidden, latent_dim)
        self.enc_logvar = nn.Linear(hidden, latent_dim)
        self.dec = nn.Linear(latent_dim, hidden)
        self.dec_out = nn.Linear(hidden, n_pixels)

    def check_images(self, y: torch.Tensor, name: str = "y") -> torch.Tensor:
        """Images (N, n) or (N, C, H, W) with the model's n values per image, as rows (N, n)."""
        n = self.n_pixels
        y = as_tensor(name, y, ndims=(2, 4), shape_doc=f"(N, {n}) or (N, C, H, W) with C*H*W = {n}")
        y2 = y.reshape(y.shape[0], -1)  # (N, n)
        if y2.shape[1] != n:
            raise ValueError(f"{name} must have {n} values per image, got shape {tuple(y.shape)}")
        return y2

    def encode(self, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Centre and log-variance of each image's ball: ``(mu, logvar)``, each of shape (N, d)."""
        return self.encode_unchecked(self.check_images(y))

    def encode_unchecked(self, y2: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """:meth:`encode` of checked rows y2 (N, n), for the training loop."""
        h = F.relu(self.enc(y2))  # (N, hidden)
        return self.enc_mu(h), self.enc_logvar(h)

    @staticmethod
    def reparameterize(
        mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        r"""A code from each ball, :math:`z = \bar z + e^{\frac12\log\sigma^2}\odot\epsilon`, shape (N, d).

        Writing the sample as a deterministic function of (mu, logvar) and independent noise lets
        gradients flow into the encoder (the reparameterization trick, Kingma & Welling 2014 §2.4).
        ``generator`` (on the device of ``mu``) makes the noise reproducible.
        """
        mu, logvar = _mu_logvar(mu, logvar)
        check_generator("generator", generator)
        if generator is not None and generator.device.type != mu.device.type:
            raise ValueError(f"generator is on {generator.device} but mu is on {mu.device}")
        return VAE.sample_unchecked(mu, logvar, generator)

    @staticmethod
    def sample_unchecked(
        mu: torch.Tensor, logvar: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """:meth:`reparameterize` of checked (mu, logvar), for the training loop."""
        eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
        return mu + torch.exp(0.5 * logvar) * eps

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        """Pixel logits of shape (N, n) for codes z of shape (N, d)."""
        d = self.latent_dim
        z = as_tensor("z", z, ndims=(2,), shape_doc=f"(N, {d})")
        if z.shape[1] != d:
            raise ValueError(f"z must have shape (N, {d}), got {tuple(z.shape)}")
        return self.decode_logits_unchecked(z)

    def decode_logits_unchecked(self, z: torch.Tensor) -> torch.Tensor:
        """:meth:`decode_logits` of checked codes, for the training loop."""
        return self.dec_out(F.relu(self.dec(z)))

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        r"""The reconstruction :math:`\bar y` = pixel means in [0, 1], shape (N, n), for codes (N, d)."""
        return torch.sigmoid(self.decode_logits(z))

    def forward(self, y: torch.Tensor, generator: torch.Generator | None = None):
        """Encode, draw one code from each ball, decode: returns ``(logits (N, n), mu, logvar)``.

        The decoder's *logits* are returned (not ``sigmoid(logits)``) so that the loss can use the
        numerically stable ``binary_cross_entropy_with_logits``.
        """
        mu, logvar = self.encode(y)
        z = self.reparameterize(mu, logvar, generator)
        return self.decode_logits(z), mu, logvar

    def forward_unchecked(self, y2: torch.Tensor, generator: torch.Generator | None = None):
        """:meth:`forward` of checked rows y2 (N, n), for the training loop (a divergence shows
        as a non-finite loss there)."""
        mu, logvar = self.encode_unchecked(y2)
        z = self.sample_unchecked(mu, logvar, generator)
        return self.decode_logits_unchecked(z), mu, logvar

    @torch.no_grad()
    def interpolate(self, y_a: torch.Tensor, y_b: torch.Tensor, n_steps: int = 10) -> torch.Tensor:
        r"""Decode the straight line between the ball centres of two images: shape (n_steps, n).

        :math:`\bar y(t) = \mathrm{dec}((1-t)\,\bar z_a + t\,\bar z_b)` for ``n_steps`` values of t
        from 0 to 1; ``y_a``, ``y_b`` are single images of shape (n,) or (1, H, W) / (C, H, W).
        """
        n_steps = positive_int("n_steps", n_steps)
        for name, y in (("y_a", y_a), ("y_b", y_b)):
            y = as_tensor(name, y, ndims=(1, 2, 3), shape_doc=f"({self.n_pixels},) or (C, H, W)")
            if y.numel() != self.n_pixels:
                raise ValueError(f"{name} must be one image of {self.n_pixels} values, got shape "
                                 f"{tuple(y.shape)}")  # fmt: skip
        if y_a.shape != y_b.shape:
            raise ValueError(f"y_a and y_b must have one shape, got {tuple(y_a.shape)} and "
                             f"{tuple(y_b.shape)}")  # fmt: skip
        mu, _ = self.encode(torch.stack([y_a, y_b]).reshape(2, -1))  # (2, d)
        t = torch.linspace(0, 1, n_steps, device=mu.device, dtype=mu.dtype)[:, None]  # (T, 1)
        return self.decode((1 - t) * mu[0] + t * mu[1])

    def checkpoint(self, *, half: bool = True, **extra) -> dict:
        """``{"config", "state_dict"}``: the settings and weights, as a dict for
        :func:`latentebm.checkpoints.save`; ``extra`` entries (history, training settings) are
        stored alongside. :meth:`from_checkpoint` rebuilds the model.

        ``half=True`` stores the weights in float16 (half the file size; a relative rounding of
        ~5e-4 that changes the test loss by well under 0.1 nat).
        """
        dtype = torch.float16 if half else torch.float32
        state = {k: v.detach().to("cpu", dtype) for k, v in self.state_dict().items()}
        config = {"latent_dim": self.latent_dim, "hidden": self.hidden, "n_pixels": self.n_pixels}
        return {"config": config, "state_dict": state, **extra}

    @classmethod
    def from_checkpoint(cls, ckpt: dict, device=None) -> VAE:
        """Rebuild a model (float32, in eval mode, on ``device``) from :meth:`checkpoint`'s dict."""
        if not isinstance(ckpt, dict):
            raise TypeError(f"ckpt must be a dict from VAE.checkpoint(), got {type(ckpt).__name__}")
        if "config" not in ckpt or "state_dict" not in ckpt:
            raise ValueError("ckpt must be a dict with 'config' and 'state_dict' (VAE.checkpoint)")
        config = dict(ckpt["config"])
        model = cls(config.pop("latent_dim"), **config)
        model.load_state_dict({k: v.float() for k, v in ckpt["state_dict"].items()})
        return model.to(device).eval()


def _mu_logvar(mu, logvar):
    """Check (mu, logvar) of shape (N, d): finite, and small enough that exp(logvar) and mu^2 do
    not overflow (one read-back for all of it)."""
    for name, x in (("mu", mu), ("logvar", logvar)):
        if not isinstance(x, torch.Tensor):
            raise TypeError(
                f"{name} must be a torch.Tensor of shape (N, d), got {type(x).__name__}"
            )
        if x.dtype not in FLOAT_DTYPES:
            raise TypeError(f"{name} must be float32 or float64, got {x.dtype}")
        if x.ndim != 2 or x.numel() == 0:
            raise ValueError(f"{name} must have shape (N, d), got shape {tuple(x.shape)}")
    if mu.shape != logvar.shape:
        raise ValueError(
            f"mu and logvar must have one shape: logvar must have the shape of mu "
            f"{tuple(mu.shape)}, got {tuple(logvar.shape)}"
        )
    if mu.dtype != logvar.dtype or mu.device != logvar.device:
        raise TypeError(
            f"logvar is {logvar.dtype} on {logvar.device} but mu is {mu.dtype} on {mu.device}"
        )
    with torch.no_grad():  # max|mu|, min and max of logvar: NaN propagates through all three
        mu_max, lv_min, lv_max = torch.stack([mu.abs().max(), logvar.min(), logvar.max()]).tolist()
    top = math.log(torch.finfo(mu.dtype).max)  # exp overflows above it (88.7 in float32)
    if not mu_max <= math.sqrt(torch.finfo(mu.dtype).max) / 2:
        raise ValueError(
            f"mu must be finite and small enough to square, got |mu| up to {mu_max:.4g}"
        )
    if not (lv_min > -math.inf and lv_max <= top - 1):
        raise ValueError(
            f"logvar must be finite and at most {top - 1:.4g} (exp(logvar) overflows "
            f"{mu.dtype} above it), got values in [{lv_min:.4g}, {lv_max:.4g}]"
        )
    return mu, logvar
