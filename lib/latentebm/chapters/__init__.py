"""The book's trained artefacts, chapter by chapter: what every notebook loads, and how it was made.

Every file of ``lib/latentebm/checkpoints/`` is one artefact, listed in ``ARTEFACTS`` (name ->
recipe and the settings that made the committed file). Each chapter module holds its settings
table (``SETTINGS``), its recipes and the data they select::

    ch1_latent   latent_sweep, latent_dims, latent_noisy           (the toy data: data())
    ch2_sparse   mnist_dictionary, patches_dictionary              (training_signals, held_out_signals)
    ch4_lista    lista_targets, lista_K1 ... lista_K10             (test_signals; needs mnist_dictionary)
    ch5_conv     conv_sae_grey_1 ... conv_sae_grey_64, conv_sae_color_32, conv_few_labels
    ch6_vae      vae_reference, vae2d_beta0 ... vae2d_beta64, vae20d_beta0 ... vae20d_beta64

One loader, :func:`load` (``load("mnist_dictionary")``), returns a checkpoint dict, training it
when the file is missing; models are rebuilt with their ``from_checkpoint(ckpt, device)``. One
command trains any of them (and updates ``SHA256SUMS``)::

    python -m latentebm.chapters list                        # every artefact and its settings
    python -m latentebm.chapters train lista_K3              # retrain one
    python -m latentebm.chapters train mnist_dictionary --dependents   # and what is made from it
"""

from . import ch1_latent, ch2_sparse, ch4_lista, ch5_conv, ch6_vae
from .artefacts import ARTEFACTS, Artefact, artefact, dependents, load, settings

for _chapter in (ch1_latent, ch2_sparse, ch4_lista, ch5_conv, ch6_vae):
    ARTEFACTS.update(_chapter.ARTEFACTS)

__all__ = ["ARTEFACTS", "Artefact", "artefact", "dependents", "load", "settings"]
