"""The book's sources agree with each other: _config.yml, _toc.yml and the committed notebooks.

Fast (no build, no kernel); `make test` runs them with the browser test (tests/book is kept out of
the library run, `make test-lib`).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import tomllib

yaml = pytest.importorskip("yaml")

from toc import toc_files  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from normalize_notebooks import KERNELSPEC, author_year, setup_cell_source  # noqa: E402

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from book_citations import roles  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
# The generated translations (scripts/i18n.py): notebooks/<language>/NN_name.ipynb.
TRANSLATED = sorted((ROOT / "notebooks").glob("*/[0-9]*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
MAX_NOTEBOOK_BYTES = 2_000_000  # DEVELOPERS: keep each committed notebook under ~1.5 MB
CITE_LINK = re.compile(r"\[([^\]\n]+)\]\(cite:([\w.:-]+)\)")


def config() -> dict:
    return yaml.safe_load((ROOT / "_config.yml").read_text())


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def test_colab_button_configuration():
    cfg = config()
    url = cfg["repository"]["url"]
    assert url.startswith("https://github.com/") and not url.endswith((".git", "/"))
    assert cfg["repository"]["branch"] == "main"
    # The book is the repository root: Colab opens notebooks/<name>.ipynb of the repository.
    assert cfg["repository"].get("path_to_book", "") == ""
    assert cfg["launch_buttons"]["colab_url"] == "https://colab.research.google.com"
    assert cfg["execute"]["execute_notebooks"] == "off"  # the book shows what nbval checked


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks/NN_name.ipynb found"


def test_toc_lists_every_notebook_and_only_existing_files():
    listed = toc_files()
    missing = [
        f for f in listed if not any((ROOT / (f + ext)).is_file() for ext in (".md", ".ipynb"))
    ]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"
    unlisted = [p.stem for p in NOTEBOOKS if f"notebooks/{p.stem}" not in listed]
    assert not unlisted, f"notebooks missing from _toc.yml: {unlisted}"


@pytest.mark.parametrize(
    "path", NOTEBOOKS + TRANSLATED, ids=lambda p: str(p.relative_to(ROOT / "notebooks"))[:-6]
)
def test_setup_cell_installs_from_the_configured_repository(path):
    """First code cell: the standard Colab shim, with _config.yml's repository URL, hidden."""
    url = config()["repository"]["url"]
    cells = [c for c in load(path)["cells"] if c["cell_type"] == "code"]
    assert cells, f"{path.name} has no code cell"
    first = cells[0]
    assert source(first).strip() == setup_cell_source(url), (
        f"{path.name}: the first code cell must be the standard setup cell installing from {url} "
        "(python scripts/normalize_notebooks.py writes it)"
    )
    assert f'"latentebm[book] @ git+{url}"' in source(first)
    tags = first.get("metadata", {}).get("tags", [])
    assert {"remove-input", "remove-cell", "hide-input", "hide-cell"} & set(tags), (
        f"{path.name}: tag the setup cell 'remove-input' so the book hides it (tags: {tags})"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_executed_with_widget_state(path):
    nb = load(path)
    assert path.stat().st_size < MAX_NOTEBOOK_BYTES, f"{path.name}: {path.stat().st_size} bytes"
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    unexecuted = [i for i, c in enumerate(code) if c.get("execution_count") is None]
    assert not unexecuted, (
        f"{path.name}: code cells {unexecuted} were not executed (make notebooks)"
    )
    errors = [o for c in code for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors, f"{path.name}: stored error outputs"
    # Every displayed widget must have its state stored, or the static page shows nothing.
    views = [
        o["data"][WIDGET_VIEW]["model_id"]
        for c in code
        for o in c.get("outputs", [])
        if WIDGET_VIEW in o.get("data", {})
    ]
    state = nb.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    missing = [m for m in views if m not in state]
    assert not missing, f"{path.name}: widget views without stored state: {missing}"


def test_setup_cell_installs_the_book_extra():
    """The Colab cell installs `latentebm[book]`: what the notebooks import beyond the core."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    book = {re.split(r"[<>=!~ ]", r)[0] for r in project["optional-dependencies"]["book"]}
    assert {"ipywidgets", "scikit-learn"} <= book, book
    # Lower bounds Colab's stock runtime meets (ipywidgets 7.7.1): installing upgrades nothing.
    assert "ipywidgets>=7.6" in project["optional-dependencies"]["book"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_kernel_metadata_is_what_jupyterlab_writes(path):
    """JupyterLab 4 and Notebook 7 rewrite any other kernelspec on opening (marking it modified)."""
    assert load(path)["metadata"]["kernelspec"] == KERNELSPEC


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_citations_read_well_in_jupyter_and_resolve_in_the_book(path):
    """No raw {cite} role in markdown cells; every citation link names a bibliography entry and
    reads as that entry's author-year citation."""
    labels = author_year()
    for i, cell in enumerate(load(path)["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        text = source(cell)
        assert "{cite" not in text, (
            f"{path.name} cell {i}: raw {{cite}} role (normalize_notebooks.py)"
        )
        for shown, key in CITE_LINK.findall(text):
            assert key in labels, f"{path.name} cell {i}: {key!r} is not in references.bib"
            assert shown == labels[key], f"{path.name} cell {i}: {shown!r} for {labels[key]!r}"
        assert "](cite:" not in CITE_LINK.sub("", text), f"{path.name} cell {i}: malformed link"


@pytest.mark.parametrize(
    "text, book",
    [
        ("exactly ([D et al., 2004](cite:d2004)).", "exactly {cite}`d2004`."),
        ("([A, 1](cite:a); [B, 2](cite:b)) then", "{cite}`a,b` then"),
        ("(*restart*, [O, 2015](cite:o2015)), and", "(*restart*, {cite}`o2015`), and"),
        ("of [K, 2014](cite:k2014); so", "of {cite}`k2014`; so"),
        ("a [normal](https://example.org) link", "a [normal](https://example.org) link"),
    ],
)
def test_citation_links_become_roles_in_the_book(text, book):
    assert roles(text) == book
