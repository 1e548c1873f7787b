r"""Convolutional sparse coding: :math:`Y = \sum_i K_i * Z_i` with sparse feature maps Z.

operators    the synthesis operator (conv_transpose2d or FFT), its adjoint, the energy
fista        conv_fista: batched convolutional sparse coding by FISTA
admm         conv_admm: the Fourier-domain ADMM of Wohlberg (2016), circular boundary
autoencoder  ConvSparseAutoencoder: encoder conv -> non-linearity -> diagonal, linear conv decoder
crops        random_crops: the training minibatches
train        train_conv_autoencoder: the auto-encoder trained end to end on the energy of its code
psd          train_psd: kernels fitted to FISTA's codes, encoder trained to predict them
selectivity  orientation-selectivity index, preferred orientation, lobes, encoder/decoder cosine
transfer     few labels: the sparse encoder as a classifier's first layer vs training from scratch
"""

from .admm import conv_admm
from .autoencoder import ConvSparseAutoencoder
from .crops import random_crops
from .fista import conv_fista, conv_lipschitz
from .operators import ConvOperator, code_shape, conv_energy, correlate, synthesize
from .psd import train_psd
from .selectivity import (
    count_lobes,
    filter_cosine,
    orientation_coverage,
    orientation_selectivity,
    preferred_orientation,
)
from .train import train_conv_autoencoder
from .transfer import DigitClassifier, few_labels

__all__ = [
    "ConvOperator",
    "ConvSparseAutoencoder",
    "DigitClassifier",
    "code_shape",
    "conv_admm",
    "conv_energy",
    "conv_fista",
    "conv_lipschitz",
    "count_lobes",
    "filter_cosine",
    "few_labels",
    "correlate",
    "orientation_coverage",
    "orientation_selectivity",
    "preferred_orientation",
    "random_crops",
    "synthesize",
    "train_conv_autoencoder",
    "train_psd",
]
