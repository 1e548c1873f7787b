"""The French edition is complete and in step with the English (book/i18n/README.md).

* Every page of the book has a catalog template (``make book`` extracts them into _build/i18n).
* A page not listed in book/i18n/fr/to_translate.txt has a French translation for every English
  message, none fuzzy (English changed since) and none stale (a message the English no longer has);
  a listed page must not be complete (then it leaves the list).
* Translations keep the maths, code, roles ({cite}) and link targets of the English, and use the
  required terms of the glossary (book/i18n/fr/glossary.md).
* The notebook generator finds exactly the messages Sphinx extracts, in every notebook; the
  committed French notebooks are what it writes now, and share code, outputs and widgets with the
  English ones.

The templates need a built book: without one these tests skip, and `make test` turns that skip into
a failure (LATENTEBM_BOOK_TESTS=required). The rest needs no build.
"""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path

import pytest
from conftest import skip_or_fail
from toc import toc_files

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import i18n  # noqa: E402  (scripts/i18n.py)

LANGUAGE = "fr"
PAGES = toc_files()
PENDING = i18n.to_translate(LANGUAGE)
NOTEBOOK_PAGES = i18n.notebook_pages()
FIX = f"fix the catalog, or run `python scripts/i18n.py update {LANGUAGE}` after an English change"


@pytest.fixture(scope="module")
def english() -> dict[str, list[str]]:
    """docname -> the English messages of the page, from the built book's .pot files."""
    if not i18n.POT_DIR.is_dir():
        skip_or_fail(
            f"no message templates in {i18n.POT_DIR.relative_to(ROOT)}: run `make book` "
            "(or `python scripts/i18n.py extract`)"
        )
    return i18n.templates()


@pytest.fixture(scope="module")
def md():
    return i18n.markdown_parser()


def test_every_page_has_a_template(english):
    assert sorted(english) == sorted(PAGES)


def test_pages_to_translate_are_pages_of_the_book():
    assert len(set(PENDING)) == len(PENDING), "a page is listed twice"
    unknown = [p for p in PENDING if p not in PAGES]
    assert not unknown, f"book/i18n/{LANGUAGE}/to_translate.txt lists unknown pages: {unknown}"


@pytest.mark.parametrize("docname", PAGES)
def test_translation_is_complete_and_in_sync(english, docname):
    status = i18n.page_status(docname, english[docname], LANGUAGE)
    if docname in PENDING:
        assert status["missing"] or status["fuzzy"], (
            f"{docname} is completely translated: delete it from "
            f"book/i18n/{LANGUAGE}/to_translate.txt (and run `python scripts/i18n.py notebooks "
            f"{LANGUAGE}`)"
        )
        return
    problems = [f"{kind}: {msg!r}" for kind, msgs in status.items() for msg in msgs]
    assert not problems, (
        f"{docname}: {len(problems)} entries of book/i18n/{LANGUAGE}/LC_MESSAGES/{docname}.po "
        f"are missing, fuzzy or stale ({FIX}):\n  " + "\n  ".join(problems)
    )


@pytest.mark.parametrize("docname", [p for p in PAGES if p not in PENDING])
def test_translation_keeps_maths_code_links_and_terms(docname):
    problems = i18n.translation_problems(docname, LANGUAGE)
    assert not problems, "\n".join(problems)


def test_completeness_check_sees_a_changed_english_sentence():
    """What an English edit does to a translated page: the new sentence is missing, the old stale;
    after `make translations` (sphinx-intl), the entry is fuzzy."""
    old, other = "The energy is low near the data.", "Summary"
    catalog = i18n.Catalog(
        translations={old: "L'énergie est basse près des données.", other: "Résumé"}
    )
    assert i18n.page_status("p", [old, other], LANGUAGE, catalog) == {
        "missing": [],
        "fuzzy": [],
        "stale": [],
    }
    new = "The energy is low only near the data."
    assert i18n.page_status("p", [new, other], LANGUAGE, catalog) == {
        "missing": [new],
        "fuzzy": [],
        "stale": [old],
    }
    catalog = i18n.Catalog(translations={other: "Résumé"}, fuzzy={new})
    assert i18n.page_status("p", [new, other], LANGUAGE, catalog)["fuzzy"] == [new]


def test_french_page_gets_translated_widget_labels():
    """book_i18n rewrites the widget state a French page embeds: descriptions only."""
    import book_i18n
    from sphinx.builders.html._assets import _JavaScript

    model = {"model_name": "SelectionSliderModel", "state": {"description": "steps K", "index": 3}}
    script = _JavaScript(None, type=i18n.WIDGET_STATE, body=json.dumps({"state": {"m": model}}))
    book_i18n._translate_widget_script({"script_files": [script]}, {"steps K": "étapes K"})
    state = json.loads(script.attributes["body"])["state"]["m"]["state"]
    assert state == {"description": "étapes K", "index": 3}


def test_glossary_is_on_the_french_notation_page_only(site):
    heading = "Glossaire anglais–français"
    assert heading in (site / LANGUAGE / "book" / "notation.html").read_text(encoding="utf-8")
    assert heading not in (site / "book" / "notation.html").read_text(encoding="utf-8")


def test_glossary_checks_can_fail():
    terms = i18n.glossary(LANGUAGE)
    assert [t for t in terms if t.required], "the glossary requires no term"
    english = "Sparse coding learns a dictionary of atoms {cite}`olshausen1996emergence`, $W$."
    good = "Le codage épars apprend un dictionnaire d'atomes {cite}`olshausen1996emergence`, $W$."
    bad = "Le codage parcimonieux apprend une base d'éléments {cite}`olshausen1996`, $V$."
    assert not i18n.missing_terms(english, good, terms)
    assert not i18n.lost_in_translation(english, good)
    assert len(i18n.missing_terms(english, bad, terms)) == 3
    assert i18n.lost_in_translation(english, bad) == ["$W$", "{cite}`olshausen1996emergence`"]


# ---------------------------------------------------------------------------------------------
# The notebook generator


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_generator_reads_the_messages_sphinx_extracts(english, md, docname):
    """Same segmentation as the book, so that the catalogs translate the notebooks too."""
    notebook = json.loads((ROOT / f"{docname}.ipynb").read_text(encoding="utf-8"))
    generated = list(dict.fromkeys(i18n.notebook_messages(md, notebook)))
    assert generated == english[docname], (
        f"only the generator: {[m for m in generated if m not in english[docname]]}; "
        f"only Sphinx: {[m for m in english[docname] if m not in generated]}"
    )


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_untranslated_markdown_comes_back_unchanged(md, docname):
    """The generator reads citation links as the book's roles and writes them back as links: with
    no translation, every Markdown cell is the English one, byte for byte."""
    notebook = json.loads((ROOT / f"{docname}.ipynb").read_text(encoding="utf-8"))
    out = i18n.translate_notebook(md, notebook, {}, docname, LANGUAGE)
    for before, after in zip(notebook["cells"], out["cells"], strict=True):
        assert i18n._source(before) == i18n._source(after)
        assert "".join(before["source"]) == "".join(after["source"])


def test_french_notebooks_are_what_the_generator_writes():
    expected = i18n.expected_notebooks(LANGUAGE)
    assert {p.stem for p in expected} == {
        Path(d).name for d in NOTEBOOK_PAGES if d not in PENDING
    }, "one French notebook per translated chapter"
    folder = i18n.generated_folder(LANGUAGE)
    present = set(folder.glob("*.ipynb")) if folder.is_dir() else set()
    stale = [p.name for p, text in expected.items() if not p.is_file() or p.read_text() != text]
    extra = [p.name for p in present - set(expected)]
    assert not stale and not extra, (
        f"notebooks/{LANGUAGE}/: out of date {stale}, not generated {extra}: run "
        f"`python scripts/i18n.py notebooks {LANGUAGE}` (`make notebooks` does) and commit them"
    )


def test_notebook_sync_check_sees_a_changed_english_notebook(md):
    """An English edit (prose or code) changes what the generator writes: the test above fails."""
    docname = next(d for d in NOTEBOOK_PAGES if d not in PENDING)
    path = ROOT / i18n.translated_notebook(docname, LANGUAGE)
    english = json.loads((ROOT / f"{docname}.ipynb").read_text(encoding="utf-8"))
    translations = i18n.read_catalog(i18n.catalog_dir(LANGUAGE) / f"{docname}.po").translations
    for edit in ("markdown", "code"):
        changed = copy.deepcopy(english)
        cell = next(c for c in changed["cells"] if c["cell_type"] == edit)
        cell["source"] = i18n._source(cell) + "\n# one more line"
        nb = i18n.translate_notebook(md, changed, translations, docname, LANGUAGE)
        assert i18n.render_notebook(nb) != path.read_text(), edit


@pytest.mark.parametrize(
    "docname", [d for d in NOTEBOOK_PAGES if d not in PENDING], ids=lambda d: Path(d).name
)
def test_french_notebook_shares_code_outputs_and_widgets(docname):
    english = json.loads((ROOT / f"{docname}.ipynb").read_text(encoding="utf-8"))
    french = json.loads((ROOT / i18n.translated_notebook(docname, LANGUAGE)).read_text("utf-8"))
    assert [c["cell_type"] for c in french["cells"]] == [c["cell_type"] for c in english["cells"]]
    for en, fr in zip(english["cells"], french["cells"], strict=True):
        if en["cell_type"] == "code":
            assert fr == en, "a code cell or its outputs differ"
        else:
            assert fr["metadata"] == en["metadata"] and fr.get("id") == en.get("id")
    shown = [(en, fr) for en, fr in zip(english["cells"], french["cells"], strict=True)]
    shown = [(en, fr) for en, fr in shown if i18n._in_book(en)]
    untranslated = [
        i18n._source(en)[:60] for en, fr in shown if i18n._source(en) == i18n._source(fr)
    ]
    assert not untranslated, f"Markdown cells left in English: {untranslated}"
    # Widget state: the same models and values; only descriptions may be translated.
    en_state = english["metadata"].get("widgets", {}).get(i18n.WIDGET_STATE, {})
    fr_state = french["metadata"].get("widgets", {}).get(i18n.WIDGET_STATE, {})
    for state in (en_state, fr_state):
        for model in state.get("state", {}).values():
            model.get("state", {}).pop("description", None)
    assert fr_state == en_state
    others = [k for k in english["metadata"] if k != "widgets"]
    assert {k: french["metadata"][k] for k in others} == {k: english["metadata"][k] for k in others}


SAMPLE = """\
# A title with $x$

A paragraph on
two lines, with `code` and {cite}`key`.

- an item
  that continues
- `only_code`

| Symbol | Meaning |
|---|---|
| $y$ | the signal |

```{admonition} Solution title
:class: dropdown
A solution with $z$.
```

$$
E = 1
$$
"""


def test_generator_translates_each_construct_in_place(md):
    found = [m.msgid for m in i18n.messages(md, SAMPLE)]
    assert found == [
        "A title with $x$",
        "A paragraph on two lines, with `code` and {cite}`key`.",
        "an item that continues",
        "Symbol",
        "Meaning",
        "the signal",
        "Solution title",
        "A solution with $z$.",
    ]
    french = i18n.translate_markdown(md, SAMPLE, {m: f"FR[{m}]" for m in found})
    assert french == SAMPLE.replace("# A title with $x$", "# FR[A title with $x$]").replace(
        "A paragraph on\ntwo lines, with `code` and {cite}`key`.",
        "FR[A paragraph on two lines, with `code` and {cite}`key`.]",
    ).replace("- an item\n  that continues", "- FR[an item that continues]").replace(
        "| Symbol | Meaning |", "| FR[Symbol] | FR[Meaning] |"
    ).replace("| $y$ | the signal |", "| $y$ | FR[the signal] |").replace(
        "{admonition} Solution title", "{admonition} FR[Solution title]"
    ).replace("A solution with $z$.", "FR[A solution with $z$.]")


def test_folded_blocks_labels_are_messages_and_come_back_translated(md):
    """A hint's or an answer's <summary> label is raw HTML, which Sphinx never extracts: the label
    is a message of its own, and the generated notebook shows it translated."""
    nb = {
        "cells": [
            {
                "cell_type": "markdown",
                "metadata": {},
                "source": "<details><summary>Hint</summary>\n\nx\n\n</details>",
            },
            {
                "cell_type": "markdown",
                "metadata": {"tags": ["remove-cell"]},
                "source": "<summary>Gone</summary>",
            },
        ],
        "metadata": {},
    }
    assert i18n.summary_labels(nb) == ["Hint"]
    assert "Hint" in i18n.notebook_messages(md, nb)
    out = i18n.translate_notebook(md, nb, {"Hint": "Indice"}, "notebooks/x", LANGUAGE)
    assert "<summary>Indice</summary>" in out["cells"][0]["source"]
    assert out["cells"][1]["source"] == "<summary>Gone</summary>"


@pytest.mark.parametrize(
    "path", sorted((ROOT / "notebooks" / LANGUAGE).glob("*.ipynb")), ids=lambda p: p.stem
)
def test_french_notebooks_fold_under_french_labels(path):
    text = path.read_text(encoding="utf-8")
    assert "<summary>Hint</summary>" not in text and "<summary>Answer</summary>" not in text
