"""Data sets of the book: MNIST, whitened natural-image patches, and the toy "ellipse".

``python -m latentebm.data fetch`` downloads what the book needs into the data cache
(``$LATENTEBM_DATA``, default ``~/.cache/latentebm``).
"""

from .cache import data_root
from .images import (
    contrast_normalize,
    natural_images,
    natural_patches,
    whiten_image,
    whitened_images,
)
from .mnist import fetch_mnist, mnist
from .toy import ellipse

__all__ = [
    "data_root",
    "mnist",
    "fetch_mnist",
    "natural_images",
    "natural_patches",
    "whiten_image",
    "whitened_images",
    "contrast_normalize",
    "ellipse",
]
