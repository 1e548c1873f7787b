"""Sparse coding: the energy E(z, y) = ||y - W z||^2 + lam ||z||_1, its solvers and dictionary learning.

Conventions (the book's notation page): signals are rows, ``y`` of shape (N, n); the
dictionary ``W`` has shape (n, m), one atom per column; codes ``z`` have shape (N, m).
A single signal of shape (n,) is accepted and its code returned with shape (m,).
"""

from .active import active_set_cd
from .adaptive import adaptive_fista
from .coordinate import block_cd
from .dictionary import learn_dictionary, normalize_columns
from .energy import energy, lipschitz, shrink
from .optimal import optimal_codes
from .solvers import fista, ista

__all__ = [
    "energy",
    "shrink",
    "lipschitz",
    "ista",
    "fista",
    "adaptive_fista",
    "block_cd",
    "active_set_cd",
    "optimal_codes",
    "learn_dictionary",
    "normalize_columns",
]
