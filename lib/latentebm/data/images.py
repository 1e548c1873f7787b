"""Natural photographs shipped with scikit-image, whitened as in Olshausen & Field (1996)."""

from __future__ import annotations

import numpy as np
import torch
from scipy.ndimage import gaussian_filter

from .._checks import choice, nonneg_int, positive, positive_int

# Photographs of natural scenes and objects that scikit-image ships inside its wheel (offline).
NATURAL_IMAGES = ("astronaut", "camera", "coffee", "chelsea", "rocket", "grass", "gravel", "brick")


WHITENING = ("whiten", "lcn")  # the preprocessings of whitened_images
_NOT_IMAGES = ("data_dir", "download_all", "file_hash", "lbp_frontal_face_cascade_filename")


def check_names(names) -> list[str]:
    """A non-empty list of names of scikit-image's photographs (e.g. ``["camera", "coffee"]``)."""
    if isinstance(names, (str, bytes)) or not hasattr(names, "__iter__"):
        raise TypeError(
            f"names must be a list of image names such as {list(NATURAL_IMAGES[:2])}, got {names!r}"
        )
    names = list(names)
    if not names:
        raise ValueError("names must name at least one image")
    return names


def check_image(image) -> np.ndarray:
    """``image`` as a finite float64 array of shape (H, W) or (H, W, C)."""
    if isinstance(image, torch.Tensor):
        image = image.detach().cpu().numpy()
    try:
        x = np.asarray(image, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"image must be an array of numbers, got {type(image).__name__}") from None
    if x.ndim not in (2, 3) or min(x.shape[:2]) < 2:
        raise ValueError(f"image must have shape (H, W) or (H, W, C), got {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("image contains NaN or infinite values")
    return x


def natural_images(names=NATURAL_IMAGES, color: bool = False) -> list[np.ndarray]:
    """Load scikit-image's photographs as float64 arrays in [0, 1].

    Returns a list of (H, W) grey images, or (H, W, 3) RGB images with ``color=True``
    (grey photographs are then repeated on three channels).
    """
    import skimage.data
    from skimage.color import gray2rgb, rgb2gray

    out = []
    for name in check_names(names):
        if name not in getattr(skimage.data, "__all__", ()) or name in _NOT_IMAGES:
            raise ValueError(f"names: skimage.data has no image {name!r}")
        im = getattr(skimage.data, name)()
        if not isinstance(im, np.ndarray) or im.ndim not in (2, 3):
            raise ValueError(f"names: skimage.data.{name}() is not a 2-D (grey or RGB) image")
        im = im.astype(np.float64) / 255.0 if im.dtype == np.uint8 else im.astype(np.float64)
        if color:
            out.append(gray2rgb(im) if im.ndim == 2 else im[..., :3])
        else:
            out.append(rgb2gray(im[..., :3]) if im.ndim == 3 else im)
    return out


def whiten_image(image: np.ndarray, f0: float = 0.4) -> np.ndarray:
    r"""Flatten the 1/f amplitude spectrum of a natural image (Olshausen & Field 1996).

    Multiplies the spectrum by :math:`R(f) = |f|\exp(-(|f|/f_0)^4)`: the ramp :math:`|f|` undoes
    the 1/f fall-off of natural images, the exponential removes the noisy highest frequencies
    (:math:`f_0` in cycles per pixel; 0.4 is O&F's 200 cycles per 512-pixel picture). Works on the last two axes; output has unit variance.
    """
    image = check_image(image)
    f0 = positive("f0", f0)
    chan_last = image.ndim == 3
    x = np.moveaxis(image, -1, 0) if chan_last else image[None]  # (C, H, W)
    H, W = x.shape[-2:]
    fy = np.fft.fftfreq(H)[:, None]
    fx = np.fft.fftfreq(W)[None, :]
    f = np.sqrt(fx**2 + fy**2)  # cycles / pixel; Nyquist = 0.5
    R = f * np.exp(-((f / f0) ** 4))
    x = x - x.mean(axis=(-2, -1), keepdims=True)
    out = np.real(np.fft.ifft2(np.fft.fft2(x) * R))
    sd = out.std()
    if not sd > 0:
        raise ValueError(
            "image is constant (in every channel) or f0 is too small: nothing is left to whiten"
        )
    out /= sd
    return np.moveaxis(out, 0, -1) if chan_last else out[0]


def natural_patches(
    n: int,
    size: int = 12,
    whiten: bool = True,
    seed: int = 0,
    names=NATURAL_IMAGES,
) -> torch.Tensor:
    """Random square patches of scikit-image's natural photographs, for sparse coding.

    Each image is (optionally) whitened with :func:`whiten_image`, ``n`` patches are cut at
    random positions (equally many per image), every patch has its mean removed, and the whole
    set is scaled to unit variance per pixel.

    Returns
    -------
    Tensor of shape (n, size * size), float32.
    """
    n = positive_int("n", n)
    size = positive_int("size", size)
    rng = np.random.default_rng(nonneg_int("seed", seed))
    images = [whiten_image(im) if whiten else im for im in natural_images(names)]
    counts = np.full(len(images), n // len(images))
    counts[: n % len(images)] += 1
    patches = []
    for im, k in zip(images, counts, strict=True):
        H, W = im.shape
        if H < size or W < size:
            raise ValueError(f"size={size} is larger than an image of shape {im.shape}")
        r = rng.integers(0, H - size + 1, k)
        c = rng.integers(0, W - size + 1, k)
        idx = np.arange(size)
        patches.append(
            im[r[:, None, None] + idx[None, :, None], c[:, None, None] + idx[None, None, :]]
        )
    P = np.concatenate(patches).reshape(n, size * size)  # (n, size*size)
    P = P - P.mean(axis=1, keepdims=True)
    P = P / P.std()
    return torch.from_numpy(P[rng.permutation(n)]).float()


def contrast_normalize(image: np.ndarray, sigma: float = 2.0) -> np.ndarray:
    r"""Local contrast normalization: subtract a Gaussian-weighted local mean, divide by the local std.

    :math:`v = x - G_\sigma * x`, :math:`y = v / \max(c, \sqrt{G_\sigma * v^2})` with c the mean
    local std (Jarrett et al. 2009). Works on (H, W) or (H, W, C) (channels normalized jointly);
    output has unit variance.
    """
    x = check_image(image)
    sigma = positive("sigma", sigma)
    if not x.std() > 0:
        raise ValueError("image is constant: there is no contrast to normalize")
    sig = (sigma, sigma, 0) if x.ndim == 3 else (sigma, sigma)
    v = x - gaussian_filter(x, sig, mode="reflect")
    e = v**2 if x.ndim == 2 else (v**2).mean(-1)
    local = np.sqrt(gaussian_filter(e, sigma, mode="reflect"))
    y = (
        v / np.maximum(local, local.mean())[..., None]
        if x.ndim == 3
        else v / np.maximum(local, local.mean())
    )
    return y / y.std()  # check_image refused constant images: y is not all zeros


def whitened_images(
    names=None, color: bool = False, downscale: int = 1, method: str = "whiten", f0: float = 0.4
) -> list[torch.Tensor]:
    """scikit-image's photographs, whitened (flat spectrum, unit variance): list of (C, H, W) float32.

    ``names`` defaults to ``NATURAL_IMAGES``; with ``color=True`` each channel is whitened by the
    same filter, so colour contrasts are kept. ``downscale`` > 1 first
    shrinks the photographs (anti-aliased), so that a small kernel sees edges rather than texture
    and sensor noise; ``f0`` is the cut-off of the whitening filter (cycles/pixel, see
    :func:`latentebm.data.whiten_image`); ``method="lcn"`` uses
    :func:`latentebm.data.contrast_normalize` instead.
    """
    downscale = positive_int("downscale", downscale)
    method = choice("method", method, WHITENING)
    f0 = positive("f0", f0)
    ims = natural_images(color=color) if names is None else natural_images(names, color=color)
    out = []
    for im in ims:
        if downscale > 1:
            from skimage.transform import rescale

            im = rescale(
                im, 1 / downscale, anti_aliasing=True, channel_axis=-1 if im.ndim == 3 else None
            )
        w = (
            whiten_image(im, f0=f0) if method == "whiten" else contrast_normalize(im)
        )  # (H, W) or (H, W, 3)
        w = w[None] if w.ndim == 2 else np.moveaxis(w, -1, 0)  # (C, H, W)
        out.append(torch.from_numpy(np.ascontiguousarray(w)).float())
    return out
