"""Notebook conveniences: the one-line set-up cell and displaying the library's own source."""

from __future__ import annotations

import inspect

import torch

from ._checks import positive_int
from .device import default_device, seed_everything, set_threads


def setup(seed: int = 0, threads: int | None = None) -> torch.device:
    """Set up a chapter: one torch thread (fast and reproducible), seeds, book figure style.

    Returns the device the chapter runs on (CUDA when available, else CPU).
    """
    if threads is not None:
        threads = positive_int("threads", threads)
    set_threads(threads)
    seed_everything(seed)
    from .plotting import use_book_style

    use_book_style()
    return default_device()


def show_source(obj) -> None:
    """Display the source code of a library object, so text and code cannot drift apart."""
    from IPython.display import Markdown, display

    if not (inspect.isfunction(obj) or inspect.isclass(obj) or inspect.ismethod(obj)):
        raise TypeError(f"obj must be a function or class of latentebm, got {type(obj).__name__}")
    src = inspect.getsource(obj)
    module = inspect.getmodule(obj).__name__
    display(Markdown(f"`{module}.{obj.__name__}`:\n\n```python\n{src}```"))


#: Where the benchmark tables live in the book's repository (absent from an installed package).
BENCHMARKS = "benchmarks/README.md"
BENCHMARKS_URL = "https://github.com/latentebm/latentebm-book/blob/main/benchmarks/README.md"


def benchmark_tables(heading: str, path=None) -> list[str]:
    """The Markdown tables of one section of ``benchmarks/README.md``, measured by
    ``benchmarks/*.py`` and recorded there: cited as they are, never retyped.

    ``heading`` is the start of the section's heading text (without the ``#``); the section runs
    to the next heading of the same or a higher level. ``path`` defaults to the README of the
    repository this package is imported from. Returns the tables, each as one string; raises
    ``FileNotFoundError`` when the file is missing (an installed package has no benchmarks) and
    ``ValueError`` when no heading, or more than one, starts with ``heading``.
    """
    from pathlib import Path

    if not isinstance(heading, str) or not heading.strip():
        raise TypeError(f"heading must be a non-empty str, got {heading!r}")
    path = Path(__file__).resolve().parents[2] / BENCHMARKS if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"path: no benchmark file at {path} (see {BENCHMARKS_URL})")
    lines = path.read_text(encoding="utf-8").splitlines()
    level = lambda line: len(line) - len(line.lstrip("#"))  # noqa: E731
    starts = [i for i, line in enumerate(lines)
              if line.startswith("#") and line.lstrip("#").strip().startswith(heading.strip())]  # fmt: skip
    if len(starts) != 1:
        found = "no" if not starts else f"{len(starts)}"
        raise ValueError(f"heading: {found} section of {path.name} starts with {heading!r}")
    start = starts[0]
    end = next((i for i in range(start + 1, len(lines))
                if lines[i].startswith("#") and level(lines[i]) <= level(lines[start])),
               len(lines))  # fmt: skip
    tables, current = [], []
    for line in [*lines[start + 1 : end], ""]:
        if line.startswith("|"):
            current.append(line)
        elif current:
            tables.append("\n".join(current))
            current = []
    return tables


def show_benchmark_tables(heading: str, which=None, path=None) -> None:
    """Display the tables of one section of ``benchmarks/README.md`` (:func:`benchmark_tables`),
    all of them or the indices in ``which``, under the section's name; where the file is not
    there (an installed package, e.g. in Colab) a link to them instead, displayed the same way (as
    HTML and Markdown, nothing printed), so that the cell's printed text is the same everywhere."""
    from IPython.display import display

    try:
        tables = benchmark_tables(heading, path)
    except FileNotFoundError:
        where = f"The benchmark tables are in the book's repository: {BENCHMARKS_URL}"
        link = f'<p>The benchmark tables are in the book\'s repository: <a href="{BENCHMARKS_URL}">{BENCHMARKS}</a></p>'
        display({"text/html": link, "text/markdown": where}, raw=True)
        return
    if which is not None:
        if isinstance(which, int) and not isinstance(which, bool):
            which = [which]
        if not all(isinstance(i, int) and 0 <= i < len(tables) for i in which):
            raise ValueError(f"which must hold indices below {len(tables)}, got {which!r}")
        tables = [tables[i] for i in which]
    text = f"From `{BENCHMARKS}`, section *{heading.strip()}*:\n\n" + "\n\n".join(tables)
    html = f"<p>From <code>{BENCHMARKS}</code>, section <em>{_inline(heading.strip())}</em>:</p>"
    html += "".join(_table_html(t) for t in tables)
    # HTML for Jupyter and the book (whose Markdown renderer is CommonMark, without tables), the
    # Markdown kept beside it as the text of the output.
    display({"text/html": html, "text/markdown": text}, raw=True)


def _inline(text: str) -> str:
    """A table cell's Markdown (code spans, bold, italics) as HTML, the rest escaped."""
    import html
    import re

    text = html.escape(text, quote=False)
    text = re.sub(r"`([^`]*)`", r"<code>\1</code>", text)
    text = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", text)
    return re.sub(r"(?<![\w*])\*([^*]+)\*(?![\w*])", r"<em>\1</em>", text)


def _table_html(table: str) -> str:
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in table.splitlines()]
    rows = [r for r in rows if not all(set(c) <= set(":- ") and c for c in r)]  # the |---| rule
    head, body = rows[0], rows[1:]
    th = "".join(f"<th>{_inline(c)}</th>" for c in head)
    trs = "".join("<tr>" + "".join(f"<td>{_inline(c)}</td>" for c in r) + "</tr>" for r in body)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{trs}</tbody></table>"
