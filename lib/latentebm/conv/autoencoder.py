r"""The convolutional sparse auto-encoder: a fast encoder for convolutional sparse coding.

Energy minimized over the parameters, per image Y of shape (C, H, W):

.. math:: \|Y - \sum_i K_i * Z_i\|^2 + \lambda\|Z\|_1, \qquad
          Z_i = g_i\, \sigma(E_i \star Y)

Encoder: a convolution with m filters :math:`E_i` (correlation :math:`\star`, the adjoint of the
decoder's operator), a non-linearity :math:`\sigma` (shrinkage with a learned threshold per map,
or tanh) and a diagonal layer :math:`g_i` that rescales each map. Decoder: linear, the synthesis
operator of :mod:`latentebm.conv.operators` with unit-norm kernels :math:`K_i`, so that the code
cannot shrink while the kernels grow. Zero ("full") boundary: code maps are (H + k - 1, W + k - 1).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .._checks import as_tensor, choice, nonneg, positive_int, same_device_dtype
from .._checks import generator as check_generator
from .operators import check_images

NONLINEARITIES = ("shrink", "relu", "tanh")


class ConvSparseAutoencoder(nn.Module):
    """Convolutional sparse auto-encoder (encoder conv -> non-linearity -> diagonal; linear conv decoder).

    Parameters
    ----------
    n_filters : int
        Number of feature maps m.
    kernel_size : int
        Size k of the k x k encoder filters and decoder kernels.
    in_channels : int
        Image channels C (1 grey, 3 colour).
    nonlinearity : "shrink" (signed soft threshold), "relu" (one-sided: non-negative codes, so
        the two polarities of an edge need two filters) or "tanh"
    generator : torch.Generator, optional
        For a reproducible initialization.

    Attributes
    ----------
    encoder : Parameter of shape (m, C, k, k)
    threshold : Parameter of shape (m,), shrinkage threshold per map (``"shrink"`` only)
    scale : Parameter of shape (m,), the diagonal layer g
    decoder : Parameter of shape (m, C, k, k), kept at unit norm per kernel by :meth:`normalize_`

    References
    ----------
    Kavukcuoglu et al. (2010), "Learning convolutional feature hierarchies for visual
    recognition"; the book's chapter "Convolutional sparse coding".
    """

    def __init__(
        self,
        n_filters: int,
        *,
        kernel_size: int = 9,
        in_channels: int = 1,
        nonlinearity: str = "shrink",
        generator: torch.Generator | None = None,
    ):
        super().__init__()
        m = positive_int("n_filters", n_filters)
        k = positive_int("kernel_size", kernel_size)
        C = positive_int("in_channels", in_channels)
        choice("nonlinearity", nonlinearity, NONLINEARITIES)
        check_generator("generator", generator)
        self.n_filters, self.kernel_size, self.in_channels = m, k, C
        self.nonlinearity = nonlinearity
        gen = generator if generator is not None else torch.Generator().manual_seed(0)
        # Smooth random kernels under a Gaussian window: localized from the start, so no
        # pixel noise in the corners has to be unlearned.
        r = torch.arange(k, dtype=torch.float32) - (k - 1) / 2
        window = torch.exp(-(r[:, None] ** 2 + r[None, :] ** 2) / (2 * (k / 5) ** 2))  # (k, k)
        blur = torch.exp(-(r**2) / 2)
        blur = (blur[:, None] * blur[None, :] / blur.sum() ** 2).expand(m * C, 1, k, k)
        noise = torch.randn(m * C, 1, k, k, generator=gen)
        noise = F.conv2d(noise, blur[:1], padding=k // 2)[..., :k, :k]  # (m*C, 1, k, k), smooth
        D = noise.reshape(m, C, k, k) * window
        D = D / D.flatten(1).norm(dim=1).view(m, 1, 1, 1)
        self.decoder = nn.Parameter(D)  # (m, C, k, k)
        self.encoder = nn.Parameter(0.1 * D.clone())  # (m, C, k, k)
        self.threshold = nn.Parameter(torch.full((m,), 0.1))
        self.scale = nn.Parameter(torch.ones(m))

    def config(self) -> dict:
        """The constructor's settings (plain Python values): ``ConvSparseAutoencoder(**config)``."""
        return {
            "n_filters": self.n_filters,
            "kernel_size": self.kernel_size,
            "in_channels": self.in_channels,
            "nonlinearity": self.nonlinearity,
        }

    def checkpoint(self, **extra) -> dict:
        """``{"config", "state"}``: the settings and float32 CPU weights, as a dict for
        :func:`latentebm.checkpoints.save`; ``extra`` entries (training settings, history) are
        stored alongside. :meth:`from_checkpoint` rebuilds the model."""
        state = {k: v.detach().float().cpu() for k, v in self.state_dict().items()}
        return {"config": self.config(), "state": state, **extra}

    @classmethod
    def from_checkpoint(cls, ckpt: dict, device=None) -> ConvSparseAutoencoder:
        """Rebuild a model (float32, in eval mode, on ``device``) from :meth:`checkpoint`'s dict."""
        if not isinstance(ckpt, dict):
            raise TypeError(
                f"ckpt must be a dict from ConvSparseAutoencoder.checkpoint(), got "
                f"{type(ckpt).__name__}"
            )
        missing = {"config", "state"} - set(ckpt)
        if missing:
            raise ValueError(
                f"ckpt is not a conv auto-encoder checkpoint: missing {sorted(missing)}"
            )
        cfg = {k: ckpt["config"][k] for k in ("n_filters", "kernel_size", "in_channels")}
        # The book's checkpoints of 2026-11 predate the stored non-linearity: all were "shrink".
        cfg["nonlinearity"] = ckpt["config"].get("nonlinearity", "shrink")
        model = cls(cfg.pop("n_filters"), **cfg)
        model.load_state_dict({k: v.float() for k, v in ckpt["state"].items()})
        return model.to(device).eval()

    def encode(self, Y: torch.Tensor) -> torch.Tensor:
        """Code maps Z of shape (N, m, H + k - 1, W + k - 1) for images Y of shape (N, C, H, W)."""
        return self.encode_unchecked(check_images(Y, self.decoder))

    def encode_unchecked(self, Y: torch.Tensor) -> torch.Tensor:
        """:meth:`encode` of checked images, for the training loops."""
        k = self.kernel_size
        U = F.conv2d(Y, self.encoder, padding=k - 1)  # (N, m, H+k-1, W+k-1)
        theta = self.threshold.abs().view(1, -1, 1, 1)
        if self.nonlinearity == "shrink":
            U = torch.sign(U) * F.relu(U.abs() - theta)
        elif self.nonlinearity == "relu":  # one-sided shrinkage: non-negative codes
            U = F.relu(U - theta)
        else:
            U = torch.tanh(U)
        return U * self.scale.view(1, -1, 1, 1)

    def decode(self, Z: torch.Tensor) -> torch.Tensor:
        """Images (N, C, H, W) = sum_i K_i * Z_i from code maps (N, m, H + k - 1, W + k - 1)."""
        m, k = self.n_filters, self.kernel_size
        doc = f"(N, {m}, H + {k - 1}, W + {k - 1})"
        Z = as_tensor("Z", Z, ndims=(4,), shape_doc=doc)
        same_device_dtype("the model's decoder", self.decoder, Z=Z)
        if Z.shape[1] != m or min(Z.shape[-2:]) < k:
            raise ValueError(f"Z must have shape {doc} with H, W >= 1, got {tuple(Z.shape)}")
        return self.decode_unchecked(Z)

    def decode_unchecked(self, Z: torch.Tensor) -> torch.Tensor:
        """:meth:`decode` of checked code maps, for the training loops."""
        return F.conv_transpose2d(Z, self.decoder, padding=self.kernel_size - 1)

    def forward(self, Y: torch.Tensor):
        """Return (reconstruction of shape (N, C, H, W), code of shape (N, m, H+k-1, W+k-1))."""
        Z = self.encode(Y)
        return self.decode_unchecked(Z), Z

    def forward_unchecked(self, Y: torch.Tensor):
        """:meth:`forward` of checked images, for the training loops."""
        Z = self.encode_unchecked(Y)
        return self.decode_unchecked(Z), Z

    def energy(self, Y: torch.Tensor, lam: float) -> torch.Tensor:
        r"""Per-image :math:`\|Y - \hat Y\|^2 + \lambda\|Z\|_1` with Z the encoder's code, shape (N,)."""
        lam = nonneg("lam", lam)
        Y_hat, Z = self(Y)
        return (Y - Y_hat).pow(2).sum((1, 2, 3)) + lam * Z.abs().sum((1, 2, 3))

    @torch.no_grad()
    def normalize_(self) -> None:
        """Rescale every decoder kernel to unit norm, moving the scale into the diagonal layer g."""
        norms = self.decoder.flatten(1).norm(dim=1).clamp_min(1e-12)  # (m,)
        self.decoder.div_(norms.view(-1, 1, 1, 1))
        self.scale.mul_(norms)  # the reconstruction is unchanged
