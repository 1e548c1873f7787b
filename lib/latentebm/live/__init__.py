r"""Live controls: each chapter's main knob, recomputed by the library for any value you choose.

The book's widgets (``latentebm.widgets``) switch between precomputed figures: they work in the
static page, with no kernel, but only at the values chosen in advance. A reader who runs the
notebook has a kernel; these controls call the library at whatever value the reader sets and
redraw the figure within a second on a 2-core CPU (chapter 1 retrains, in two or three; measured in
``benchmarks/live.md``). Core ipywidgets only: they work in Colab's ipywidgets 7.7.1 and in
JupyterLab 4 / Notebook 7 with ipywidgets 8.

=======  ===================================  ======================================================
chapter  control                              update function (pure: values -> (Figure, numbers))
=======  ===================================  ======================================================
1        :func:`chapter1`: λ, R(z)            :func:`retrained_landscape`: warm-started retraining
2        :func:`chapter2`: λ, digit           :func:`encode_digit`: FISTA with the MNIST dictionary
3        :func:`chapter3`: step, iterations   :func:`convergence`: ISTA / FISTA gaps, threshold
4        :func:`chapter4`: K, shift,          :func:`lista_vs_fista`: LISTA-K vs FISTA-K codes
         noise, digit
5        :func:`chapter5`: λ, image           :func:`conv_code`: convolutional sparse code of a crop
6        :func:`chapter6`: β, z, digit        :func:`vae_explorer`: balls, Dec(z), a digit's ball
=======  ===================================  ======================================================

Each control is a :class:`LiveControl` (an ``ipywidgets.VBox``): the inputs, one ``Image`` (the
figure), one line of numbers. Sliders send their value when released and every change is
debounced, so only the last value of a burst is computed (see :mod:`latentebm.live.control`).
The update functions can also be called directly, e.g. ``fig, numbers = encode_digit(0.5, 7)``.

How a chapter shows its live control (the convention; :func:`live_cells` writes both cells):

1. right below the precomputed slider of the same knob, a markdown cell with *one sentence*
   telling the reader that the live version is right below (e.g. "With a running kernel, the
   control below recomputes this figure for any λ and any test digit."), tagged ``remove-cell``;
2. then a code cell, tagged ``remove-cell`` and ``nbval-ignore-output``::

       from latentebm.live import chapter2

       chapter2()

``remove-cell`` drops both cells from the book's HTML (a live control cannot run in a static
page; the precomputed slider stays there). ``nbval-ignore-output`` keeps nbval from comparing the
widget's output (the cell still runs, so a broken control fails the notebook test).
``scripts/insert_live_cells.py notebooks/0*.ipynb`` inserts both cells into each chapter, right
below the precomputed widget of the same knob (idempotent; ``--check`` exits 1 where they are
missing; see :mod:`latentebm.live.cells`). ``tests/live/test_cells.py`` checks every notebook's
live cells against this convention and the command on a copy of every chapter.

Nothing here is imported by ``import latentebm``; importing ``latentebm.live`` needs ipywidgets.
"""

from .cells import LIVE_CELL_TAGS, LIVE_SENTENCE_TAGS, is_live_cell, live_cells
from .control import Debouncer, LiveControl
from .conv import chapter5, conv_code
from .latent import REGULARIZERS, Regularizer, chapter1, retrained_landscape
from .lista import chapter4, lista_vs_fista
from .solvers import chapter3, convergence
from .sparse_code import chapter2, encode_digit
from .vae import chapter6, vae_explorer

__all__ = [
    "chapter1",
    "chapter2",
    "chapter3",
    "chapter4",
    "chapter5",
    "chapter6",
    "retrained_landscape",
    "encode_digit",
    "convergence",
    "lista_vs_fista",
    "conv_code",
    "vae_explorer",
    "REGULARIZERS",
    "Regularizer",
    "LiveControl",
    "Debouncer",
    "live_cells",
    "is_live_cell",
    "LIVE_CELL_TAGS",
    "LIVE_SENTENCE_TAGS",
]
