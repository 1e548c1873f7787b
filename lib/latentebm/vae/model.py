r"""The VAE's parameters: an encoder to a Gaussian ball :math:`\mathcal N(\bar z, \sigma^2)` and a decoder back to pixels."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

from .._checks import as_tensor, positive_int
from .._checks import generator as check_generator
from .loss import _mu_logvar


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

    def __init__(self, latent_dim: int = 20, hidden: int = 400, n_pixels: int = 784):
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

    def _flat(self, y: torch.Tensor) -> torch.Tensor:
        n = self.n_pixels
        y = as_tensor("y", y, ndims=(2, 4), shape_doc=f"(N, {n}) or (N, C, H, W) with C*H*W = {n}")
        y2 = y.reshape(y.shape[0], -1)  # (N, n)
        if y2.shape[1] != n:
            raise ValueError(f"y must have {n} values per image, got shape {tuple(y.shape)}")
        return y2

    def encode(self, y: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Centre and log-variance of each image's ball: ``(mu, logvar)``, each of shape (N, d)."""
        h = F.relu(self.enc(self._flat(y)))  # (N, hidden)
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
        eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
        return mu + torch.exp(0.5 * logvar) * eps

    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        """Pixel logits of shape (N, n) for codes z of shape (N, d)."""
        d = self.latent_dim
        z = as_tensor("z", z, ndims=(2,), shape_doc=f"(N, {d})")
        if z.shape[1] != d:
            raise ValueError(f"z must have shape (N, {d}), got {tuple(z.shape)}")
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

    def to_checkpoint(self, half: bool = True, **extra) -> dict:
        """A dict of tensors and numbers for :func:`latentebm.checkpoints.save`.

        ``half=True`` stores the weights in float16 (half the file size; a relative rounding of
        ~5e-4 that changes the test loss by well under 0.1 nat). ``extra`` entries (history,
        training settings) are stored alongside.
        """
        dtype = torch.float16 if half else torch.float32
        state = {k: v.detach().to("cpu", dtype) for k, v in self.state_dict().items()}
        config = {"latent_dim": self.latent_dim, "hidden": self.hidden, "n_pixels": self.n_pixels}
        return {"config": config, "state_dict": state, **extra}

    @classmethod
    def from_checkpoint(cls, ckpt: dict, device=None) -> VAE:
        """Rebuild a float32 model (in eval mode) from :meth:`to_checkpoint`'s dict."""
        if not isinstance(ckpt, dict):
            raise TypeError(
                f"ckpt must be a dict from VAE.to_checkpoint, got {type(ckpt).__name__}"
            )
        if "config" not in ckpt or "state_dict" not in ckpt:
            raise ValueError(
                "ckpt must be a dict with 'config' and 'state_dict' (VAE.to_checkpoint)"
            )
        model = cls(**ckpt["config"])
        model.load_state_dict({k: v.float() for k, v in ckpt["state_dict"].items()})
        return model.to(device).eval() if device is not None else model.eval()
