"""What a trained artefact of the book is, and the one loader that loads or trains any of them.

An :class:`Artefact` is a checkpoint of ``lib/latentebm/checkpoints/`` (``<name>.pt``), the recipe
that trains it and the settings that made the committed file. The chapter modules define them;
:data:`latentebm.chapters.ARTEFACTS` collects them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType

from ..checkpoints import load_or_train, path_of

#: name -> Artefact, every checkpoint the book loads (filled by :mod:`latentebm.chapters`)
ARTEFACTS: dict[str, Artefact] = {}


@dataclass(frozen=True)
class Artefact:
    """One trained artefact: ``recipe(**settings, **needed, device=..., progress=...)`` returns
    the checkpoint dict of ``lib/latentebm/checkpoints/<name>.pt``.

    ``needs`` maps a keyword of the recipe to the name of another artefact, which the loader loads
    (or trains) first and passes as that keyword: LISTA's recipe needs the chapter-2 dictionary.
    """

    name: str
    chapter: str
    recipe: Callable[..., dict]
    settings: MappingProxyType
    needs: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self):  # read-only views: a setting is changed in its chapter's table
        object.__setattr__(self, "settings", MappingProxyType(dict(self.settings)))
        object.__setattr__(self, "needs", MappingProxyType(dict(self.needs)))

    def train(self, device=None, progress: bool = False) -> dict:
        """Run the recipe (loading what it needs) and return the checkpoint dict; saves nothing."""
        needed = {
            arg: load(dep, device=device, progress=progress) for arg, dep in self.needs.items()
        }
        return self.recipe(**self.settings, **needed, device=device, progress=progress)


def artefact(name: str) -> Artefact:
    """The :class:`Artefact` called ``name``, or a ValueError listing the names."""
    if not isinstance(name, str) or name not in ARTEFACTS:
        raise ValueError(
            f"name must be one of the book's artefacts {sorted(ARTEFACTS)}, got {name!r}"
        )
    return ARTEFACTS[name]


def load(name: str, retrain: bool = False, device=None, progress: bool = False) -> dict:
    """The checkpoint dict of the artefact ``name``, from ``lib/latentebm/checkpoints/<name>.pt``.

    When the file is missing, or with ``retrain=True``, the artefact's recipe trains it (on
    ``device``, default the CPU; what it needs is loaded, or trained, first) and the result is
    saved atomically with its sha256 in ``SHA256SUMS`` (:func:`latentebm.checkpoints.save`). A
    committed file must match its sha256. Tensors are loaded on the CPU: rebuild a model with its
    ``from_checkpoint(ckpt, device)``.
    """
    art = artefact(name)
    if not isinstance(retrain, bool):
        raise TypeError(f"retrain must be a bool, got {type(retrain).__name__}")
    return load_or_train(
        path_of(name), lambda: art.train(device, progress), retrain=retrain, map_location="cpu"
    )


def settings(name: str) -> dict:
    """A copy of the settings that made the committed checkpoint ``name``."""
    return dict(artefact(name).settings)


def dependents(names) -> list[str]:
    """``names`` and every artefact whose recipe needs one of them, directly or not, ordered so
    that each comes after what it needs (the order in which to retrain them)."""
    chosen = {artefact(n).name for n in names}
    while True:
        more = {a.name for a in ARTEFACTS.values() if set(a.needs.values()) & chosen} - chosen
        if not more:
            break
        chosen |= more
    ordered: list[str] = []
    while len(ordered) < len(chosen):
        for name in ARTEFACTS:  # the table's order, each after the artefacts it needs
            needs = set(ARTEFACTS[name].needs.values()) & chosen
            if name in chosen and name not in ordered and needs <= set(ordered):
                ordered.append(name)
    return ordered
