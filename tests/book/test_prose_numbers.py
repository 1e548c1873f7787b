"""Every number the prose states is a number the notebook prints, or a listed constant (issue 18).

See prose_numbers.py for what a stated number is and when it agrees. The book's own pages
(book/*.md) are checked against what all the chapters print. Fast: no kernel, no build.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import tomllib

sys.path.insert(0, str(Path(__file__).parent))
from prose_numbers import disagreements, key, load, printed_numbers, stated_numbers  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
PAGES = sorted((ROOT / "book").glob("*.md"))
CONSTANTS = tomllib.loads((Path(__file__).parent / "prose_constants.toml").read_text())


def constants(name: str) -> dict[str, str]:
    return CONSTANTS.get(name, {})


def report(bad) -> str:
    return "\n".join(f"  cell {s.cell}: {s.text!r} is printed by no cell" for s in bad)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_prose_numbers_are_printed(path):
    bad = disagreements(load(path), constants(path.stem))
    assert not bad, (
        f"{path.name}: numbers stated in the prose that no cell prints (print them beside the "
        f"claim, correct the sentence, or list a constant of the text in prose_constants.toml):\n"
        + report(bad)
    )


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_book_pages_state_only_numbers_the_chapters_print(path):
    printed = [v for nb in NOTEBOOKS for v in printed_numbers(load(nb))]
    page = {"cells": [{"cell_type": "markdown", "source": path.read_text()}]}
    bad = disagreements(page, constants(path.stem), printed)
    assert not bad, f"{path.name}: numbers no chapter prints:\n" + report(bad)


def test_constants_are_still_stated():
    """An allow-list entry that no prose states any more is stale: remove it."""
    stale = []
    for name, entries in CONSTANTS.items():
        sources = [p for p in NOTEBOOKS + PAGES if p.stem == name]
        assert sources, f"prose_constants.toml: [{name}] is no notebook or page"
        src = sources[0]
        if src.suffix == ".ipynb":
            texts = [
                "".join(c["source"]) for c in load(src)["cells"] if c["cell_type"] == "markdown"
            ]
        else:
            texts = [src.read_text()]
        stated = {key(s.text) for t in texts for s in stated_numbers(t)}
        stale += [f"[{name}] {k!r}" for k in entries if key(k) not in stated]
    assert not stale, "constants no prose states any more: " + ", ".join(stale)


def test_the_check_reads_numbers_as_a_reader_does():
    """Precision, percentages and powers of ten: what agrees and what does not."""
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "source": "",
                "outputs": [
                    {
                        "output_type": "stream",
                        "name": "stdout",
                        "text": "density 0.0076\nflops 131072\nacc 85.7%\ngap 2.3e-08\n",
                    }
                ],
            },
            {
                "cell_type": "markdown",
                "source": "About 0.76 % are non-zero, 0.008 as a "
                "fraction; $2m^2 \\approx 1.3\\times10^5$ flops; 85.7 % right; a gap of 2e-8.",
            },
        ]
    }
    assert disagreements(nb, {}) == []
    wrong = {
        "cells": [
            nb["cells"][0],
            {
                "cell_type": "markdown",
                "source": "A few: 0.77 %; $4\\times10^5$ multiply-adds; 85.3 %; see `x = 0.123` and "
                "[Beck, 2009](cite:beck2009fista).",
            },
        ]
    }
    assert [s.text for s in disagreements(wrong, {})] == ["0.77 %", "4\\times10^5", "85.3 %"]
    assert disagreements(wrong, {"0.77%": "a", "4\\times10^5": "b", "85.3%": "c"}) == []
