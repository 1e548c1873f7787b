r"""Regularized latent-variable EBMs on 2-D toy data: the collapse at :math:`\lambda = 0` and its cure.

.. math:: E(x, y, z) = C(y, \mathrm{Dec}(\mathrm{Pred}(x), z)) + \lambda R(z), \qquad
          F(x, y) = \min_z E(x, y, z)

Modules::

    model         LatentEBM: an ensemble of K small models (one per lam / regularizer)
    regularizers  R(z): "none", "l1", "l2", "noisy" (VAE-like), "ring" (a loop of cheap codes),
                  their proximal step
    inference     infer (argmin over z), free_energy (min over z)
    train         train: minimize the mean free energy of the data
    landscape     grid, energy_grid, on_off_energy, inside_outside_energy, landscape_table, pick_good:
                  F over the plane, on and off the data (inside and outside the ellipse);
                  section: F along a line through the centre
    information   code_information, gaussian_bound: the bits a code blurred by noise carries
"""

from .inference import free_energy, infer
from .information import code_information, gaussian_bound
from .landscape import (
    energy_grid,
    grid,
    inside_outside_energy,
    landscape_table,
    off_data_mask,
    on_off_energy,
    pick_good,
    section,
)
from .model import LatentEBM
from .regularizers import KINDS, l1, l2sq, n_active, prox, ring
from .train import train

__all__ = [
    "LatentEBM",
    "infer",
    "free_energy",
    "train",
    "grid",
    "energy_grid",
    "off_data_mask",
    "on_off_energy",
    "inside_outside_energy",
    "landscape_table",
    "pick_good",
    "section",
    "code_information",
    "gaussian_bound",
    "KINDS",
    "l1",
    "l2sq",
    "n_active",
    "prox",
    "ring",
]
