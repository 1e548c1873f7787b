r"""Convolutional sparse coding: :math:`Y = \sum_i K_i * Z_i` with sparse feature maps Z.

operators    the synthesis operator (conv_transpose2d or FFT), its adjoint, the energy
fista        conv_fista: batched convolutional sparse coding by FISTA
autoencoder  ConvSparseAutoencoder: encoder conv -> non-linearity -> diagonal, linear conv decoder
train        training on whitened natural images
selectivity  orientation-selectivity index of filters (centre-surround vs oriented)
"""

from .autoencoder import ConvSparseAutoencoder
from .fista import conv_fista, conv_lipschitz
from .operators import ConvOperator, code_shape, conv_energy, correlate, synthesize
from .selectivity import orientation_selectivity
from .train import random_crops, train_conv_autoencoder, whitened_images

__all__ = [
    "ConvOperator",
    "ConvSparseAutoencoder",
    "code_shape",
    "conv_energy",
    "conv_fista",
    "conv_lipschitz",
    "correlate",
    "orientation_selectivity",
    "random_crops",
    "synthesize",
    "train_conv_autoencoder",
    "whitened_images",
]
