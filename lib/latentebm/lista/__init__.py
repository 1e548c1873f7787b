"""LISTA: ISTA unfolded into a K-iteration recurrent network whose weights are learned.

Modules::

    model       LISTA (W_e, S and a threshold per component, initialized as ISTA), predict
    train       train_lista: regress the optimal codes z* (latentebm.sparse.optimal_codes)
    evaluation  code_error, solver_errors, equivalent_iterations, seconds_per_signal: LISTA-K
                against ISTA and FISTA
"""

from .evaluation import code_error, equivalent_iterations, seconds_per_signal, solver_errors
from .model import LISTA, predict
from .train import train_lista

__all__ = [
    "LISTA",
    "predict",
    "train_lista",
    "code_error",
    "solver_errors",
    "equivalent_iterations",
    "seconds_per_signal",
]
