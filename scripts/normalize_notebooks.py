"""Bring the notebooks' book conventions up to date; prints what it changed. Idempotent.

    python scripts/normalize_notebooks.py [notebooks/NAME.ipynb ...]   (default: all chapters)

It changes no output and no code other than the setup cell, so a notebook needs no re-execution:

* **The setup cell** (first code cell) is rewritten from SETUP_CELL with ``_config.yml``'s
  ``repository.url``, the one place the URL lives (tests/book/test_book_config.py checks it):
  in Colab it installs ``latentebm[book]`` from the repository and fetches the data.
* **Kernel metadata**: JupyterLab 4 and Notebook 7 set ``kernelspec.display_name`` to the kernel's
  name, "Python 3 (ipykernel)", as soon as a notebook opens; a notebook storing anything else is
  marked modified on opening and rewritten by autosave. KERNELSPEC is what they store.
* **Citations**: a ``{cite}`key` `` role shows as raw text in Jupyter and Colab. Each one in a
  markdown cell becomes links whose text is the author-year citation and whose target is
  ``cite:KEY``, in parentheses: ``([Beck and Teboulle, 2009](cite:beck2009fista))`` reads
  "(Beck and Teboulle, 2009)" in Jupyter; several keys give several links separated by "; "; a
  role that closes a parenthesis already gets none. The book turns these links back into the
  ``{cite}`` role when it reads the notebook (book/_ext/book_citations.py), so the bibliography
  and the rendered citations are unchanged.
* **Printed text as one block**: a cell that prints line by line stores each burst as its own
  stream output, and the page shows each in its own box, with gaps between the rows of a table.
  Consecutive stream outputs of the same name (stdout, stderr) are merged into one, as nbval and
  myst-nb's ``nb_merge_streams`` read them.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
BIB = ROOT / "book" / "references.bib"

SETUP_CELL = """\
# In Colab: install the library from the book's repository and fetch the data.
import sys

if "google.colab" in sys.modules:
    !pip install -q "latentebm[book] @ git+{url}"
    !python -m latentebm.data fetch"""

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}

CITE_ROLE = re.compile(r"\{cite(?::p)?\}`([^`]+)`")


def repository_url() -> str:
    return yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"]


def setup_cell_source(url: str | None = None) -> str:
    return SETUP_CELL.format(url=url or repository_url())


def author_year(bib: Path = BIB) -> dict[str, str]:
    """{key: "Beck and Teboulle, 2009"} for every entry of the bibliography (``et al.`` from 3)."""
    from pybtex.database import parse_file

    out = {}
    for key, entry in parse_file(str(bib)).entries.items():
        last = [" ".join(p.last_names) for p in entry.persons["author"]]
        names = (
            last[0]
            if len(last) == 1
            else (f"{last[0]} and {last[1]}" if len(last) == 2 else f"{last[0]} et al.")
        )
        out[key] = f"{names}, {entry.fields['year']}".replace("{", "").replace("}", "")
    return out


def cite_links(text: str, labels: dict[str, str]) -> str:
    """Every ``{cite}`a,b` `` role in `text` as ``([A, 2000](cite:a); [B, 2001](cite:b))``.

    No parentheses are added where the role already closes one: ``(see {cite}`a`)``.
    """

    def link(match):
        keys = [k.strip() for k in match.group(1).split(",")]
        unknown = [k for k in keys if k not in labels]
        if unknown:
            raise ValueError(f"citation keys {unknown} are not in {BIB.name}")
        links = "; ".join(f"[{labels[k]}](cite:{k})" for k in keys)
        return links if text[match.end() : match.end() + 1] == ")" else f"({links})"

    return CITE_ROLE.sub(link, text)


def merge_streams(cell) -> bool:
    """Merge `cell`'s consecutive stream outputs of one name into one; True if any were merged."""
    merged = []
    for out in cell.get("outputs", []):
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and out.output_type == "stream"
            and prev.output_type == "stream"
            and out.name == prev.name
        ):
            prev.text += out.text
        else:
            merged.append(out)
    if len(merged) == len(cell.get("outputs", [])):
        return False
    cell.outputs = merged
    return True


def normalize(path: Path, url: str, labels: dict[str, str]) -> list[str]:
    """Apply the conventions to one notebook file; return what changed (nothing: file untouched)."""
    nb = nbformat.read(path, as_version=4)
    changes = []
    first = next(c for c in nb.cells if c.cell_type == "code")
    if first.source != setup_cell_source(url):
        first.source = setup_cell_source(url)
        changes.append("setup cell")
    if nb.metadata.get("kernelspec") != KERNELSPEC:
        nb.metadata["kernelspec"] = dict(KERNELSPEC)
        changes.append("kernelspec")
    for cell in nb.cells:
        if cell.cell_type == "code" and merge_streams(cell):
            changes.append("streams merged")
        if cell.cell_type == "markdown" and CITE_ROLE.search(cell.source):
            cell.source = cite_links(cell.source, labels)
            changes.append("citations")
    if changes:
        nbformat.write(nb, path)
    return sorted(set(changes))


def main(argv: list[str]) -> int:
    paths = [Path(p) for p in argv] or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    url, labels = repository_url(), author_year()
    for path in paths:
        changes = normalize(path, url, labels)
        print(f"{path.name}: {', '.join(changes) if changes else 'unchanged'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
