r"""The convolutional synthesis operator :math:`Y = \sum_i K_i * Z_i`, its adjoint and the energy.

Shapes (the book's convention for images, batch first)
------------------------------------------------------
``kernels`` K : (m, C, k, k)
    m kernels ("atoms") of k x k pixels over C image channels. This is exactly the weight layout
    of ``torch.nn.functional.conv_transpose2d`` (in = m maps, out = C channels), and of
    ``conv2d`` read the other way (out = m maps, in = C channels).
``Z`` : (N, m, H_z, W_z)
    One feature map per kernel.
``Y`` : (N, C, H, W)
    Images.

Two boundary conventions
------------------------
``"full"`` (default)
    Zero padding. Every pixel of Y may be explained by a kernel that sticks out of the image, so the
    code maps are larger than the image: :math:`H_z = H + k - 1`. The operator is
    ``conv_transpose2d(Z, K, padding=k-1)`` and its adjoint ``conv2d(Y, K, padding=k-1)``.
``"circular"``
    Periodic images, code maps of the image's size, and products in the Fourier domain (FFT); the
    convention of SPORCO, whose examples we benchmark against. Kernel entry ``K[:, :, u, v]``
    sits at offset (u, v) from its code pixel, as in ``"full"``.

Both operators are linear maps A: Z -> Y, and the adjoint satisfies
:math:`\langle A Z, Y\rangle = \langle Z, A^\top Y\rangle` (tested in float64).
"""

from __future__ import annotations

import numbers

import torch
import torch.nn.functional as F

from .._checks import as_tensor, choice, nonneg, positive_int, same_device_dtype
from .._linalg import power_iteration, start_vector

BOUNDARIES = ("full", "circular")


def check_hw(name: str, hw) -> tuple[int, int]:
    """``(H, W)``: two positive ints (a tuple, list or ``torch.Size``)."""
    if isinstance(hw, (str, bytes)) or not hasattr(hw, "__len__") or len(hw) != 2:
        raise ValueError(f"{name} must be a pair (H, W) of positive ints, got {hw!r}")
    return positive_int(f"{name}[0]", hw[0]), positive_int(f"{name}[1]", hw[1])


def check_kernels(kernels: torch.Tensor) -> torch.Tensor:
    kernels = as_tensor("kernels", kernels, ndims=(4,), shape_doc="(m, C, k, k)")
    if kernels.shape[2] != kernels.shape[3]:
        raise ValueError(f"kernels must be square, shape (m, C, k, k); got {tuple(kernels.shape)}")
    return kernels


def check_boundary(boundary: str) -> str:
    return choice("boundary", boundary, BOUNDARIES)


def code_shape(image_shape, kernel_size: int, boundary: str = "full") -> tuple[int, int]:
    """(H_z, W_z) of the code maps for an image of (..., H, W) and kernels of ``kernel_size``."""
    if isinstance(image_shape, (str, bytes)) or not hasattr(image_shape, "__len__"):
        raise TypeError(
            f"image_shape must be a shape (..., H, W), got {type(image_shape).__name__}"
        )
    if len(image_shape) < 2 or not all(isinstance(s, numbers.Integral) for s in image_shape):
        raise ValueError(f"image_shape must be a shape (..., H, W) of ints, got {image_shape!r}")
    H, W = check_hw("image_shape[-2:]", tuple(image_shape[-2:]))
    kernel_size = positive_int("kernel_size", kernel_size)
    if check_boundary(boundary) == "full":
        return H + kernel_size - 1, W + kernel_size - 1
    return H, W


def image_shape_of(code_shape_hw, kernel_size: int, boundary: str = "full") -> tuple[int, int]:
    """(H, W) of the image synthesized from code maps of (..., H_z, W_z)."""
    Hz, Wz = code_shape_hw[-2:]
    if check_boundary(boundary) == "full":
        return Hz - kernel_size + 1, Wz - kernel_size + 1
    return Hz, Wz


class ConvOperator:
    """The pair (A, A^T) for fixed kernels and image size; FFTs of the kernels computed once.

    Parameters
    ----------
    kernels : Tensor of shape (m, C, k, k)
    image_hw : (H, W), the size of the images Y.
    boundary : "full" or "circular" (see the module docstring).

    The methods ``forward``, ``adjoint`` and ``normal`` do not check their input: the solvers call
    them in their loops, on codes and images checked once. :func:`synthesize`, :func:`correlate`
    and :func:`conv_energy` are their checked forms.
    """

    def __init__(self, kernels: torch.Tensor, image_hw, boundary: str = "full"):
        kernels, boundary = check_kernels(kernels), check_boundary(boundary)
        image_hw = check_hw("image_hw", image_hw)
        code_shape(image_hw, kernels.shape[-1], boundary)  # raises on images too small
        H, W = image_hw
        k = kernels.shape[-1]
        if boundary == "circular" and (H < k or W < k):
            raise ValueError(
                f"image_hw ({H}, {W}) must be at least the kernel size {k} for the circular "
                "boundary"
            )
        self._setup(kernels, image_hw, boundary)

    @classmethod
    def unchecked(cls, kernels: torch.Tensor, image_hw, boundary: str = "full") -> ConvOperator:
        """The operator on arguments already checked (the solvers' loops): no validation."""
        A = cls.__new__(cls)
        A._setup(kernels, tuple(int(s) for s in image_hw), boundary)
        return A

    def _setup(self, kernels, image_hw, boundary) -> None:
        self.kernels, self.boundary = kernels, boundary
        self.m, self.C, self.k, _ = kernels.shape
        self.image_hw = image_hw
        H, W = image_hw
        if boundary == "full":
            self.code_hw = (H + self.k - 1, W + self.k - 1)
        else:
            self.code_hw = (H, W)
            self.K_hat = torch.fft.rfft2(kernels, s=(H, W))  # (m, C, H, W//2+1)

    def forward(self, Z: torch.Tensor) -> torch.Tensor:
        """Y = sum_i K_i * Z_i: (N, m, H_z, W_z) -> (N, C, H, W)."""
        if self.boundary == "full":
            return F.conv_transpose2d(Z, self.kernels, padding=self.k - 1)
        Z_hat = torch.fft.rfft2(Z)  # (N, m, H, W//2+1)
        Y_hat = torch.einsum("nmhw,mchw->nchw", Z_hat, self.K_hat)
        return torch.fft.irfft2(Y_hat, s=self.image_hw)

    def adjoint(self, Y: torch.Tensor) -> torch.Tensor:
        """A^T Y, the correlation of Y with every kernel: (N, C, H, W) -> (N, m, H_z, W_z)."""
        if self.boundary == "full":
            return F.conv2d(Y, self.kernels, padding=self.k - 1)
        Y_hat = torch.fft.rfft2(Y)  # (N, C, H, W//2+1)
        Z_hat = torch.einsum("nchw,mchw->nmhw", Y_hat, self.K_hat.conj())
        return torch.fft.irfft2(Z_hat, s=self.code_hw)

    def normal(self, Z: torch.Tensor) -> torch.Tensor:
        """A^T A Z, fused in the Fourier domain for ``"circular"`` (one rfft2 and one irfft2)."""
        if self.boundary == "full":
            return self.adjoint(self.forward(Z))
        Z_hat = torch.fft.rfft2(Z)  # (N, m, H, W//2+1)
        if self.C == 1:
            Y_hat = (Z_hat * self.K_hat[:, 0]).sum(1, keepdim=True)  # (N, 1, H, W//2+1)
            G_hat = Y_hat * self.K_hat[:, 0].conj()  # (N, m, H, W//2+1)
        else:
            Y_hat = torch.einsum("nmhw,mchw->nchw", Z_hat, self.K_hat)
            G_hat = torch.einsum("nchw,mchw->nmhw", Y_hat, self.K_hat.conj())
        return torch.fft.irfft2(G_hat, s=self.code_hw)

    def lipschitz(self, *, tol: float = 1e-7, max_iter: int = 500, power: bool = False) -> float:
        r"""Largest eigenvalue of :math:`A^\top A` (:math:`\|A\|_2^2`), or a tight upper bound.

        It is the Lipschitz constant of the gradient of :math:`\tfrac12\|Y - AZ\|^2`, as
        :func:`latentebm.sparse.lipschitz` is for a matrix. By default (``power=False``) it comes
        from the Fourier domain, which diagonalizes circular convolutions:
        :math:`\max_f \lambda_{\max}(\hat K(f)\hat K(f)^H)`, a C x C eigenproblem per frequency.
        For ``"circular"`` this is exact. For ``"full"`` it is computed on the code grid, where the
        zero-boundary operator is the circular one followed by a crop, so it is an upper bound
        (a safe step) and tight within a few percent for images much larger than the kernels.

        ``power=True`` runs power iteration on :math:`A^\top A` instead: exact for both boundaries,
        from a fixed random start (deterministic), stopping when the Rayleigh quotient changes by
        less than ``tol`` (relative) -- but slow for convolutions, whose top eigenvalues crowd.
        """
        tol, max_iter = nonneg("tol", tol), positive_int("max_iter", max_iter)
        return self.lipschitz_unchecked(tol, max_iter, power)

    def lipschitz_unchecked(self, tol: float = 1e-7, max_iter: int = 500, power: bool = False):
        """:meth:`lipschitz` without its argument checks (the solvers' loops)."""
        if not power:
            K_hat = (
                self.K_hat
                if self.boundary == "circular"
                else torch.fft.rfft2(self.kernels, s=self.code_hw)  # (m, C, H_z, W_z//2+1)
            )
            if self.C == 1:
                return float(K_hat[:, 0].abs().pow(2).sum(0).max())
            M = torch.einsum("mchw,mdhw->hwcd", K_hat, K_hat.conj())  # (H, W', C, C)
            return float(torch.linalg.eigvalsh(M).max())
        v = start_vector((1, self.m, *self.code_hw), self.kernels)
        return power_iteration(self.normal, v, tol, max_iter)[0]


def synthesize(Z: torch.Tensor, kernels: torch.Tensor, boundary: str = "full") -> torch.Tensor:
    r"""The decoder :math:`Y = \sum_i K_i * Z_i`.

    Parameters
    ----------
    Z : Tensor of shape (N, m, H_z, W_z)
        Feature maps ((N, m, H + k - 1, W + k - 1) for ``"full"``, (N, m, H, W) for ``"circular"``).
    kernels : Tensor of shape (m, C, k, k)
    boundary : "full" or "circular"

    Returns
    -------
    Y : Tensor of shape (N, C, H, W)
    """
    kernels = check_kernels(kernels)
    Z = as_tensor("Z", Z, ndims=(4,), shape_doc=f"(N, {kernels.shape[0]}, H_z, W_z)")
    same_device_dtype("kernels", kernels, Z=Z)
    if Z.shape[1] != kernels.shape[0]:
        raise ValueError(
            f"Z must have shape (N, {kernels.shape[0]}, H_z, W_z) to match kernels of shape "
            f"{tuple(kernels.shape)}, got {tuple(Z.shape)}"
        )
    hw = image_shape_of(Z.shape, kernels.shape[-1], boundary)
    if min(hw) < 1:
        raise ValueError(f"Z's maps {tuple(Z.shape[-2:])} are smaller than the kernels")
    return ConvOperator(kernels, hw, boundary).forward(Z)


def correlate(Y: torch.Tensor, kernels: torch.Tensor, boundary: str = "full") -> torch.Tensor:
    r"""The adjoint :math:`A^\top Y`: correlation of every channel of Y with every kernel.

    Parameters
    ----------
    Y : Tensor of shape (N, C, H, W)
    kernels : Tensor of shape (m, C, k, k)
    boundary : "full" or "circular"

    Returns
    -------
    Tensor of shape (N, m, H_z, W_z)
    """
    kernels = check_kernels(kernels)
    Y = check_images(Y, kernels)
    return ConvOperator(kernels, Y.shape[-2:], boundary).adjoint(Y)


def check_images(Y: torch.Tensor, kernels: torch.Tensor, name: str = "Y") -> torch.Tensor:
    C = kernels.shape[1]
    Y = as_tensor(name, Y, ndims=(4,), shape_doc=f"(N, {C}, H, W)")
    same_device_dtype("kernels", kernels, **{name: Y})
    if Y.shape[1] != C:
        raise ValueError(
            f"{name} must have shape (N, {C}, H, W) to match kernels of shape "
            f"{tuple(kernels.shape)}, got {tuple(Y.shape)}"
        )
    return Y


def check_codes(Z, Y, kernels, boundary, name="Z"):
    N = Y.shape[0]
    hw = code_shape(Y.shape, kernels.shape[-1], boundary)
    doc = f"({N}, {kernels.shape[0]}, {hw[0]}, {hw[1]})"
    Z = as_tensor(name, Z, ndims=(4,), shape_doc=doc)
    same_device_dtype("kernels", kernels, **{name: Z})
    if tuple(Z.shape) != (N, kernels.shape[0], *hw):
        raise ValueError(f"{name} must have shape {doc}, got {tuple(Z.shape)}")
    return Z


def conv_energy(
    Y: torch.Tensor, kernels: torch.Tensor, Z: torch.Tensor, lam: float, boundary: str = "full"
) -> torch.Tensor:
    r"""Convolutional sparse-coding energy :math:`\|Y - \sum_i K_i * Z_i\|^2 + \lambda\|Z\|_1`.

    As in :func:`latentebm.sparse.energy`, the squared norm carries no 1/2 (SPORCO's objective
    :math:`\tfrac12\|\cdot\|^2 + \lambda'\|\cdot\|_1` is half of ours at :math:`\lambda = 2\lambda'`).

    Parameters
    ----------
    Y : Tensor of shape (N, C, H, W)
    kernels : Tensor of shape (m, C, k, k)
    Z : Tensor of shape (N, m, H_z, W_z)
    lam : float >= 0
    boundary : "full" or "circular"

    Returns
    -------
    Tensor of shape (N,), one energy per image.
    """
    kernels = check_kernels(kernels)
    Y = check_images(Y, kernels)
    Z = check_codes(Z, Y, kernels, check_boundary(boundary))
    lam = nonneg("lam", lam)
    R = Y - ConvOperator(kernels, Y.shape[-2:], boundary).forward(Z)  # (N, C, H, W)
    return R.pow(2).sum((1, 2, 3)) + lam * Z.abs().sum((1, 2, 3))
