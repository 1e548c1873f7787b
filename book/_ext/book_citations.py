"""Sphinx extension: citation links written for Jupyter and Colab become ``{cite}`` roles in the book.

A ``{cite}`key` `` role shows as raw text wherever the notebook is not rendered by the book
(JupyterLab, Notebook 7, Colab). The notebooks therefore cite with links that read well there,

    ([Beck and Teboulle, 2009](cite:beck2009fista); [O'Donoghue and Candès, 2015](cite:odonoghue2015restart))

and this extension turns each such group back into the role, ``{cite}`beck2009fista,odonoghue2015restart` ``,
when Sphinx reads a document (``source-read``, before myst-nb parses it): the book renders the
same citations as before, linked to the bibliography of book/references.md, and sphinxcontrib-bibtex
still checks every key. Parentheses around a group are part of the Jupyter text only and are dropped;
a group without them (inside a parenthesis of the prose) is replaced alone.
scripts/normalize_notebooks.py writes the links; tests/book/test_book_config.py checks them.
"""

from __future__ import annotations

import json
import re

from sphinx.application import Sphinx

LINK = r"\[[^\]\n]+\]\(cite:[\w.:-]+\)"
GROUP = re.compile(rf"(\()?({LINK}(?:;\s*{LINK})*)(\))?")
KEY = re.compile(r"\]\(cite:([\w.:-]+)\)")


def roles(text: str) -> str:
    """``([A](cite:a); [B](cite:b))`` -> ``{cite}`a,b` `` (and without the parentheses)."""

    def role(match):
        keys = ",".join(KEY.findall(match.group(2)))
        opened, closed = match.group(1) or "", match.group(3) or ""
        if opened and closed:
            opened = closed = ""
        return f"{opened}{{cite}}`{keys}`{closed}"

    return GROUP.sub(role, text)


def _source_read(app: Sphinx, docname: str, source: list[str]) -> None:
    text = source[0]
    if "](cite:" not in text:
        return
    if str(app.env.doc2path(docname)).endswith(".ipynb"):
        nb = json.loads(text)
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "markdown":
                src = cell["source"]
                cell["source"] = roles(src if isinstance(src, str) else "".join(src))
        source[0] = json.dumps(nb, ensure_ascii=False)
    else:
        source[0] = roles(text)


def setup(app: Sphinx) -> dict:
    app.connect("source-read", _source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
