"""latentebm: regularized latent-variable energy-based models in PyTorch.

The library behind the course book *Regularized latent-variable energy-based models*
(after Yann LeCun's NYU Deep Learning lecture, week 8 part 2). Every model and solver
of the lecture lives here; the book's notebooks only call it.

Modules
-------
device    default_device, seed_everything, set_threads
data      MNIST, whitened natural-image patches, the toy "ellipse" data
sparse    sparse-coding energy, shrinkage, ISTA/FISTA, dictionary learning

``widgets`` and ``plotting`` are imported on demand (they need matplotlib/ipywidgets).
"""

from .device import default_device, seed_everything, set_threads

__version__ = "0.1.0"
__all__ = ["default_device", "seed_everything", "set_threads", "__version__"]
