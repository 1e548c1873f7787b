"""Sphinx extension: the book's translated editions (book/i18n/README.md).

The English book is the source; each translation is the same Sphinx project built with
``language = "<lang>"`` and the gettext catalogs of ``book/i18n/<lang>/LC_MESSAGES/``, into
``_build/html/<lang>/``. This extension:

* keeps out of the catalogs what is never translated: code cells and their outputs (myst-nb's cell
  containers), display maths, the API reference's docstrings (autodoc's ``desc`` nodes and module
  docstrings), text made of inline code or maths only, and ``{only} lang_<language>`` blocks (already
  in their language); they are marked untranslatable before Sphinx extracts or translates anything,
  so translators never see them and both builds agree on what a message is;
* adds the notebooks' widget descriptions (slider labels) to the page's catalog, and writes their
  translation into the widget state the page embeds;
* adds a language switch to every page: a plain relative link to the same page in the other
  edition (no script: it works on file:// and on any static server), plus ``hreflang`` links;
* points a translated page's Colab button (and its .ipynb download) at the generated notebook
  ``notebooks/<lang>/<name>.ipynb``, once the page is translated (not in
  ``book/i18n/<lang>/to_translate.txt``); a page still to translate shows a note and its English text;
* sets the tag ``lang_<language>`` for ``{only}`` blocks (the glossary on the notation page).

``scripts/i18n.py`` builds the editions, updates the catalogs and generates the notebooks; it
imports the helpers below so that the build and the generator read the same files.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
I18N = ROOT / "book" / "i18n"
SOURCE_LANGUAGE = "en"
# Each edition: its folder under the site root and the name of the language in that language.
EDITIONS = {"en": ("", "English"), "fr": ("fr", "Français")}
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
NOT_YET = {
    "fr": "Cette page n'est pas encore traduite : vous lisez la version anglaise.",
}


# ---------------------------------------------------------------------------------------------
# Shared with scripts/i18n.py


def to_translate(language: str) -> list[str]:
    """The pages (docnames) of `language`'s edition still to translate, in the listed order."""
    path = I18N / language / "to_translate.txt"
    if not path.is_file():
        return []
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def translated_notebook(docname: str, language: str) -> str:
    """Repository path of the generated notebook of an English notebook page, e.g.
    ``notebooks/fr/00_how_to_read.ipynb`` for ``notebooks/00_how_to_read``."""
    folder, _, name = docname.rpartition("/")
    return f"{folder}/{language}/{name}.ipynb" if folder else f"{language}/{name}.ipynb"


def widget_descriptions(notebook: dict) -> list[str]:
    """The distinct ``description`` strings of a notebook's stored widget state, in order."""
    state = notebook.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {})
    seen: dict[str, None] = {}
    for model in state.get("state", {}).values():
        text = model.get("state", {}).get("description")
        if isinstance(text, str) and text.strip():
            seen.setdefault(text, None)
    return list(seen)


# The label of a folded block (a hint, an answer) is raw HTML in a Markdown cell, which Sphinx
# never extracts: the label itself is added as a message, as the widget descriptions are.
SUMMARY = re.compile(r"<summary>([^<>]+)</summary>")


def _shown_markdown(notebook: dict):
    """The Markdown cells the book shows (myst-nb drops those tagged remove-cell)."""
    for cell in notebook.get("cells", []):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] == "markdown" and not {"remove-cell", "remove_cell"} & set(tags):
            src = cell["source"]
            yield src if isinstance(src, str) else "".join(src)


def summary_labels(notebook: dict) -> list[str]:
    """The distinct labels of the ``<summary>`` of folded blocks in the book's Markdown, in order."""
    seen: dict[str, None] = {}
    for text in _shown_markdown(notebook):
        for label in SUMMARY.findall(text):
            if label.strip():
                seen.setdefault(label, None)
    return list(seen)


def translate_summaries(text: str, translations: dict[str, str]) -> str:
    """`text` with every ``<summary>`` label translated where a translation exists."""
    return SUMMARY.sub(
        lambda m: f"<summary>{translations.get(m.group(1)) or m.group(1)}</summary>", text
    )


def translate_widget_state(state: dict, translations: dict[str, str]) -> dict:
    """A copy of a widget-state dict whose descriptions are translated where a translation exists."""
    out = json.loads(json.dumps(state))
    for model in out.get("state", {}).values():
        inner = model.get("state", {})
        text = inner.get("description")
        if isinstance(text, str) and translations.get(text):
            inner["description"] = translations[text]
    return out


# ---------------------------------------------------------------------------------------------
# What is never translated


class widget_label(nodes.TextElement):
    """A widget description or a folded block's label, present in the doctree only to be extracted
    and translated."""


def _skip(self, node):
    raise nodes.SkipNode


def _code_only(node) -> bool:
    """Text made of inline code and maths only (separated by , ; / ( ) at most): not prose.
    scripts/i18n.py's `msgid_of` applies the same rule to Markdown source."""
    children = node.children
    return bool(children) and all(
        isinstance(c, (nodes.literal, nodes.math))
        or (isinstance(c, nodes.Text) and not c.strip(" \n,;/()"))
        for c in children
    )


def _one_language(node) -> bool:
    """An ``{only} lang_fr`` block: written in the one language it is shown in (the glossary)."""
    return isinstance(node, addnodes.only) and "lang_" in node.get("expr", "")


def _is_code_cell(node) -> bool:
    return isinstance(node, nodes.container) and node.get("nb_element") == "cell_code"


class KeepUntranslatable(SphinxTransform):
    """Mark code cells, outputs, display maths, docstrings and ``{only} lang_*`` blocks
    untranslatable; add widget labels.

    Runs after ``ExtraTranslatableNodes`` (10) and before ``Locale`` (20), in every build, so the
    gettext builder extracts exactly what the translated build looks up.
    """

    default_priority = 15

    def apply(self, **kwargs) -> None:
        if str(self.document.get("source", "")).endswith("<translated>"):
            return  # a translation being parsed by Sphinx's Locale transform, not a page
        for node in list(self.document.findall(nodes.Element)):
            if _is_code_cell(node) or isinstance(node, addnodes.desc) or _one_language(node):
                for inner in node.findall(nodes.TextElement):
                    inner["translatable"] = False
            elif isinstance(node, nodes.math_block):
                node["translatable"] = False
            elif isinstance(node, nodes.TextElement):
                source = node.source or ""
                # automodule's module docstring lands outside any desc node; a title or table
                # cell made of inline code or maths only (`latentebm.data.cache`, $y$) is not prose.
                if ":docstring of " in source or _code_only(node):
                    node["translatable"] = False
        self._add_widget_labels()
        # A page leaving the list must be rewritten (no note, the French Colab button).
        language = self.config.language or SOURCE_LANGUAGE
        if language != SOURCE_LANGUAGE:
            self.env.note_dependency(str(I18N / language / "to_translate.txt"))

    def _add_widget_labels(self) -> None:
        source = Path(self.env.doc2path(self.env.docname))
        if source.suffix != ".ipynb":
            return
        notebook = json.loads(source.read_text(encoding="utf-8"))
        for text in dict.fromkeys(widget_descriptions(notebook) + summary_labels(notebook)):
            label = widget_label(text, text, msgid=text)
            label.source, label.line = str(source), 1
            self.document += label


class TranslateSummaries(SphinxTransform):
    """In a translated build, the labels of folded blocks (raw ``<summary>`` HTML) from the page's
    catalog, read off the labels that Sphinx's ``Locale`` transform (20) has just translated."""

    default_priority = 25

    def apply(self, **kwargs) -> None:
        if (self.config.language or SOURCE_LANGUAGE) == SOURCE_LANGUAGE:
            return
        translations = _widget_translations(self.document)
        if not translations:
            return
        for node in list(self.document.findall(nodes.raw)):
            text = node.astext()
            new = translate_summaries(text, translations)
            if new != text:
                node.replace_self(nodes.raw(new, new, format=node.get("format", "html")))


class TranslateTocCaptions(SphinxTransform):
    """Translate the captions of the toctrees that sphinx-external-toc inserts (priority 100, after
    Sphinx's ``Locale`` transform) from the page's catalog, as ``Locale`` does for other toctrees.
    The gettext builder already extracts them (from ``env.tocs``)."""

    default_priority = 150  # after InsertToctrees (100), before the toc is collected (880)

    def apply(self, **kwargs) -> None:
        language = self.config.language or SOURCE_LANGUAGE
        toctrees = [t for t in self.document.findall(addnodes.toctree) if t.get("caption")]
        if language == SOURCE_LANGUAGE or not toctrees:
            return
        from sphinx.locale import init as init_locale
        from sphinx.util.i18n import docname_to_domain

        dirs = [str(Path(self.env.srcdir) / d) for d in self.config.locale_dirs]
        domain = docname_to_domain(self.env.docname, self.config.gettext_compact)
        catalog, found = init_locale(dirs, language, domain)
        if found:
            for toctree in toctrees:
                toctree["caption"] = catalog.gettext(toctree["caption"])


def _widget_translations(doctree) -> dict[str, str]:
    if doctree is None:
        return {}
    return {
        n["msgid"]: n.astext() for n in doctree.findall(widget_label) if n.astext() != n["msgid"]
    }


# ---------------------------------------------------------------------------------------------
# Pages


def _language(app: Sphinx) -> str:
    return app.config.language or SOURCE_LANGUAGE


def _config_inited(app: Sphinx, config: Config) -> None:
    language = config.language or SOURCE_LANGUAGE
    app.tags.add(f"lang_{language}")


def _href(pagename: str, from_language: str, to_language: str) -> str:
    """Relative link from a page of one edition to the same page of another edition."""
    depth = pagename.count("/") + (1 if EDITIONS[from_language][0] else 0)
    folder = EDITIONS[to_language][0]
    return "../" * depth + (folder + "/" if folder else "") + pagename + ".html"


def _walk_buttons(buttons):
    for button in buttons:
        yield button
        yield from _walk_buttons(button.get("buttons", []))


def _page_context(app: Sphinx, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html" or doctree is None:
        return
    language = _language(app)
    if language not in EDITIONS:
        return
    links = []
    for other, (_, name) in EDITIONS.items():
        if other == language:
            continue
        href = _href(pagename, language, other)
        context["metatags"] = (
            context.get("metatags", "")
            + f'\n<link rel="alternate" hreflang="{other}" href="{href}" />'
        )
        links.append(
            f'<a class="book-language-link" href="{href}" hreflang="{other}" lang="{other}">'
            f"{name}</a>"
        )
    switch = (
        '<nav class="book-language-switch" aria-label="Language" '
        'style="float: right; margin: 0 0 .5rem 1rem; font-weight: 600;">'
        '<i class="fa-solid fa-language" aria-hidden="true"></i> ' + " · ".join(links) + "</nav>"
    )
    note = ""
    if language != SOURCE_LANGUAGE and pagename in to_translate(language):
        note = f'<div class="admonition note book-not-translated"><p>{NOT_YET[language]}</p></div>'
    context["body"] = switch + note + context.get("body", "")

    if language != SOURCE_LANGUAGE:
        _translate_widget_script(context, _widget_translations(doctree))
        if context.get("page_source_suffix") == ".ipynb" and pagename not in to_translate(language):
            english = f"{pagename}.ipynb"
            target = translated_notebook(pagename, language)
            for button in _walk_buttons(context.get("header_buttons", [])):
                url = button.get("url", "")
                if "colab.research.google.com" in url and url.endswith("/" + english):
                    button["url"] = url[: -len(english)] + target


def _translate_widget_script(context, translations: dict[str, str]) -> None:
    if not translations:
        return
    from myst_nb.core.render import sanitize_script_content

    for js in context.get("script_files", []):
        attributes = getattr(js, "attributes", {})
        if attributes.get("type") == WIDGET_STATE and attributes.get("body"):
            state = json.loads(attributes["body"].replace(r"<\/script>", "</script>"))
            attributes["body"] = sanitize_script_content(
                json.dumps(translate_widget_state(state, translations))
            )


def _build_finished(app: Sphinx, exception) -> None:
    """The translated edition's .ipynb download is the generated notebook."""
    language = _language(app)
    if exception or app.builder.format != "html" or language == SOURCE_LANGUAGE:
        return
    pending = to_translate(language)
    for docname in app.env.found_docs:
        if docname in pending or Path(app.env.doc2path(docname)).suffix != ".ipynb":
            continue
        generated = Path(app.srcdir) / translated_notebook(docname, language)
        target = Path(app.outdir) / "_sources" / f"{docname}.ipynb"
        if generated.is_file() and target.is_file():
            shutil.copyfile(generated, target)


def setup(app: Sphinx) -> dict:
    app.add_node(
        widget_label,
        html=(_skip, None),
        latex=(_skip, None),
        text=(_skip, None),
        man=(_skip, None),
        texinfo=(_skip, None),
    )
    app.add_transform(KeepUntranslatable)
    app.add_transform(TranslateTocCaptions)
    app.add_transform(TranslateSummaries)
    app.connect("config-inited", _config_inited)
    app.connect("html-page-context", _page_context, priority=800)
    app.connect("build-finished", _build_finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
