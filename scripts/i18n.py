"""The book's translated editions: build them, update their catalogs, write their notebooks.

    python scripts/i18n.py extract          # English messages -> _build/i18n/gettext/**/*.pot
    python scripts/i18n.py build fr         # the French book -> _build/html/fr/ (-W, offline),
                                            # and the extraction, on the other core
    python scripts/i18n.py update fr        # extract, merge into book/i18n/fr/LC_MESSAGES/**/*.po
                                            # (sphinx-intl: new entries empty, changed ones fuzzy),
                                            # then write the French notebooks
    python scripts/i18n.py notebooks fr     # notebooks/fr/*.ipynb from the English notebooks and
                                            # the catalogs (--check: fail if one would change)
    python scripts/i18n.py status fr        # per page: messages, translated, missing, fuzzy, stale

The design, and what translators do: book/i18n/README.md. The catalogs are the only place a
translation lives; the French pages (Sphinx, ``language = "fr"``) and the French notebooks (this
generator) are both made from them, and from the one copy of the code, outputs and widget state.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

from book_citations import roles  # noqa: E402  (citation links -> {cite} roles, as Sphinx reads)
from book_i18n import (  # noqa: E402  (the build and the generator share these helpers)
    I18N,
    summary_labels,
    to_translate,
    translate_summaries,
    translate_widget_state,
    translated_notebook,
    widget_descriptions,
)
from normalize_notebooks import author_year, cite_links  # noqa: E402  (roles -> links again)

BUILD = ROOT / "_build"
POT_DIR = BUILD / "i18n" / "gettext" / "_build" / "gettext"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
JUPYTER_BOOK = [str(Path(sys.executable).parent / "jupyter-book"), "build", ".", "-W", "-n"]


def catalog_dir(language: str) -> Path:
    return I18N / language / "LC_MESSAGES"


def notebook_pages() -> list[str]:
    """Docnames of the English notebooks (notebooks/NN_name), in order."""
    return [f"notebooks/{p.stem}" for p in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))]


# ---------------------------------------------------------------------------------------------
# Catalogs


@dataclass
class Catalog:
    """One page's .po file: translations (non-empty, not fuzzy), fuzzy and obsolete entries."""

    translations: dict[str, str] = field(default_factory=dict)
    untranslated: set[str] = field(default_factory=set)
    fuzzy: set[str] = field(default_factory=set)
    obsolete: set[str] = field(default_factory=set)

    @property
    def msgids(self) -> set[str]:
        return set(self.translations) | self.untranslated | self.fuzzy


def read_catalog(path: Path) -> Catalog:
    from babel.messages.pofile import read_po

    catalog = Catalog()
    if not path.is_file():
        return catalog
    with path.open("rb") as f:
        po = read_po(f, abort_invalid=True)
    for message in po:
        if not message.id:
            continue  # the header
        if message.fuzzy:
            catalog.fuzzy.add(message.id)
        elif message.string:
            catalog.translations[message.id] = message.string
        else:
            catalog.untranslated.add(message.id)
    catalog.obsolete = {m.id for m in po.obsolete.values()}
    return catalog


def read_template(path: Path) -> list[str]:
    """The msgids of a .pot file, in order."""
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        return [m.id for m in read_po(f) if m.id]


def templates(pot_dir: Path = POT_DIR) -> dict[str, list[str]]:
    """docname -> its English messages, from the extracted .pot files."""
    return {
        str(p.relative_to(pot_dir).with_suffix("")): read_template(p)
        for p in sorted(pot_dir.rglob("*.pot"))
    }


def page_status(
    docname: str, english: list[str], language: str, catalog: Catalog | None = None
) -> dict[str, list[str]]:
    """What a page's catalog lacks against the current English: missing, fuzzy and stale entries."""
    if catalog is None:
        catalog = read_catalog(catalog_dir(language) / f"{docname}.po")
    return {
        "missing": [m for m in english if m not in catalog.translations and m not in catalog.fuzzy],
        "fuzzy": sorted(catalog.fuzzy),
        "stale": sorted((catalog.msgids - set(english)) | catalog.obsolete),
    }


# ---------------------------------------------------------------------------------------------
# What a translation must keep: maths, code, roles, link targets; and the glossary's terms

PRESERVED = re.compile(
    r"\$\$.+?\$\$|\$[^$]+\$"  # inline maths
    r"|\{[\w:-]+\}`[^`]*`"  # roles: {cite}`key`, {ref}`label`, ...
    r"|(`+)(?:(?!\1).)+?\1"  # inline code
    r"|\]\([^)\s]+\)"  # link targets](...)
    r"|<?https?://[^\s)>]+"  # bare links
)


def preserved(text: str) -> list[str]:
    return sorted(m.group(0) for m in PRESERVED.finditer(text))


def lost_in_translation(msgid: str, msgstr: str) -> list[str]:
    """The maths, code, roles and link targets of `msgid` that `msgstr` lacks (none: good)."""
    kept = preserved(msgstr)
    lost = []
    for token in preserved(msgid):
        if token in kept:
            kept.remove(token)
        else:
            lost.append(token)
    return lost


@dataclass
class Term:
    english: list[str]
    french: list[str]
    required: bool


def glossary(language: str) -> list[Term]:
    """The rows of book/i18n/<language>/glossary.md; a term in bold is required."""
    terms = []
    for line in (I18N / language / "glossary.md").read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 2 or set(cells[0]) <= {"-", ":"}:
            continue
        english = [re.sub(r"\(.*?\)", "", t).strip() for t in cells[0].split(" / ")]
        french = [t.strip() for t in cells[1].replace("**", "").replace(",", " / ").split(" / ")]
        terms.append(Term(english, french, "**" in cells[1]))
    return terms[1:]  # the header row


def _english_pattern(term: str) -> str:
    return r"\b" + re.escape(term).replace(r"\ ", r"\s+") + r"(?:s|es)?\b"


def _french_pattern(term: str) -> str:  # each word, with any ending: atome(s), variables latentes
    words = (re.escape(w).replace("'", "['’]") + r"\w*" for w in term.split())
    return r"(?<!\w)" + r"\s+".join(words)


def missing_terms(msgid: str, msgstr: str, terms: list[Term]) -> list[str]:
    """Required glossary terms whose English is in `msgid` but whose French is not in `msgstr`."""
    out = []
    for term in terms:
        if not term.required:
            continue
        if any(re.search(_english_pattern(e), msgid, re.I) for e in term.english) and not any(
            re.search(_french_pattern(f), msgstr, re.I) for f in term.french
        ):
            out.append(f"{' / '.join(term.english)} -> {' / '.join(term.french)}")
    return out


def translation_problems(docname: str, language: str) -> list[str]:
    """Every translated entry of a page that loses maths/code/links or a glossary term."""
    terms = glossary(language)
    problems = []
    catalog = read_catalog(catalog_dir(language) / f"{docname}.po")
    for msgid, msgstr in catalog.translations.items():
        for token in lost_in_translation(msgid, msgstr):
            problems.append(f"{docname}: {msgid[:60]!r}... lost {token!r}")
        for term in missing_terms(msgid, msgstr, terms):
            problems.append(f"{docname}: {msgid[:60]!r}... glossary: {term}")
    return problems


# ---------------------------------------------------------------------------------------------
# Markdown cells: the same segmentation as MyST, so the notebooks use the book's own messages


def markdown_parser():
    """markdown-it configured as Jupyter Book configures MyST from _config.yml for the book."""
    import dataclasses

    from jupyter_book.config import get_final_config
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    sphinx, _ = get_final_config(
        user_yaml=ROOT / "_config.yml", cli_config={"latex_individualpages": False}, sourcedir=ROOT
    )
    fields = {f.name for f in dataclasses.fields(MdParserConfig)}
    options = {k[5:]: v for k, v in sphinx.items() if k.startswith("myst_") and k[5:] in fields}
    if "enable_extensions" in options:
        options["enable_extensions"] = set(options["enable_extensions"])
    return create_md_parser(MdParserConfig(**options), RendererHTML)


# Directives whose body MyST parses as Markdown (their messages are the body's paragraphs), and
# those whose argument is a translated title. Others' bodies are not prose (code, maths, ...).
MARKDOWN_BODY = {
    "admonition", "attention", "caution", "danger", "dropdown", "epigraph", "error", "exercise",
    "hint", "important", "margin", "note", "seealso", "sidebar", "solution", "tip", "topic",
    "warning",
}  # fmt: skip
TITLE_ARGUMENT = {"admonition", "exercise", "solution", "topic", "sidebar"}
# Inline code spans and inline maths, left to right (a code span may hold a "$").
CODE_OR_MATH = re.compile(r"(`+)(?:(?!\1).)+?\1|\$[^$]+\$")


@dataclass
class Message:
    """A message of a Markdown text and the span of the text it was read from."""

    msgid: str
    start: tuple[int, int]  # (line, column)
    end: tuple[int, int]
    in_table: bool = False


def msgid_of(content: str) -> str | None:
    """Sphinx's message for a block whose inline source is `content` (None: not a message)."""
    msg = content.replace("\n", " ").strip()
    # book_i18n keeps text made of inline code and maths only out of the catalogs: `a`, $y$, $t$, $K$
    if not msg or not CODE_OR_MATH.sub("", msg).strip(" ,;/()"):
        return None
    return msg


class SegmentationError(ValueError):
    pass


def messages(md, text: str) -> list[Message]:
    """Every message of a Markdown text (a cell or a directive body), with its span."""
    lines = text.split("\n")
    cursor: dict[int, int] = {}  # line -> column after the last message found on it
    found: list[Message] = []
    tokens = md.parse(text)
    for i, token in enumerate(tokens):
        if token.type == "inline" and token.map is not None:
            msg = msgid_of(token.content)
            if msg is None:
                continue
            parent = tokens[i - 1].type if i else ""
            span = _locate(lines, token.map[0], token.content.split("\n"), cursor)
            if span is None:
                raise SegmentationError(f"cannot find {token.content!r} in {text!r}")
            found.append(Message(msg, *span, in_table=parent in ("th_open", "td_open")))
        elif token.type in ("fence", "colon_fence") and token.info.startswith("{"):
            found += _directive_messages(md, lines, token)
    return found


def _locate(lines, first, content_lines, cursor):
    start = end = None
    for k, piece in enumerate(content_lines):
        n = first + k
        if n >= len(lines):
            return None
        col = lines[n].find(piece, cursor.get(n, 0))
        if col < 0:
            return None
        if k == 0:
            start = (n, col)
        end = (n, col + len(piece))
    cursor[end[0]] = end[1]
    return start, end


def _directive_messages(md, lines, token) -> list[Message]:
    name, _, argument = token.info[1:].partition("}")
    name, argument = name.strip(), argument.strip()
    found = []
    fence_line = token.map[0]
    if name in TITLE_ARGUMENT and argument and msgid_of(argument):
        col = lines[fence_line].find(argument)
        found.append(
            Message(msgid_of(argument), (fence_line, col), (fence_line, col + len(argument)))
        )
    if name not in MARKDOWN_BODY:
        return found
    body = token.content.split("\n")
    skip = 0  # MyST options: ":key: value" lines, or a "---" YAML block, before the content
    if body and body[0].strip() == "---":
        skip = body.index("---", 1) + 1 if "---" in body[1:] else 0
    while skip < len(body) and re.match(r"\s*:[\w-]+:", body[skip]):
        skip += 1
    inner = "\n".join(body[skip:])
    first = fence_line + 1 + skip
    indents = [lines[first + k].find(piece) if piece else 0 for k, piece in enumerate(body[skip:])]
    for m in messages(md, inner):
        m.start = (first + m.start[0], m.start[1] + indents[m.start[0]])
        m.end = (first + m.end[0], m.end[1] + indents[m.end[0]])
        found.append(m)
    return found


def translate_markdown(md, text: str, translations: dict[str, str]) -> str:
    """`text` with every translated message replaced by its translation (one line each)."""
    lines = text.split("\n")
    for m in sorted(messages(md, text), key=lambda m: m.start, reverse=True):
        new = translations.get(m.msgid)
        if not new:
            continue
        new = " ".join(new.split("\n")).strip()
        if m.in_table:
            new = re.sub(r"(?<!\\)\|", r"\\|", new)
        (l0, c0), (l1, c1) = m.start, m.end
        lines[l0 : l1 + 1] = [lines[l0][:c0] + new + lines[l1][c1:]]
    return "\n".join(lines)


def _in_book(cell) -> bool:
    """A Markdown cell the book shows (myst-nb drops those tagged remove-cell: no messages; they
    stay in English in the translated notebook)."""
    tags = cell.get("metadata", {}).get("tags", [])
    return cell["cell_type"] == "markdown" and not {"remove-cell", "remove_cell"} & set(tags)


def notebook_messages(md, notebook: dict) -> list[str]:
    """The messages the generator translates in a notebook: its Markdown cells, then its widgets."""
    found = []
    for cell in notebook["cells"]:
        if _in_book(cell):
            found += [m.msgid for m in messages(md, _source(cell))]
    return found + list(dict.fromkeys(widget_descriptions(notebook) + summary_labels(notebook)))


# ---------------------------------------------------------------------------------------------
# Notebooks


def _source(cell) -> str:
    """A Markdown cell's text as Sphinx reads it: its citation links turned into ``{cite}`` roles
    (book/_ext/book_citations.py), so that its messages are the catalog's."""
    src = cell["source"]
    return roles(src if isinstance(src, str) else "".join(src))


def translate_notebook(
    md, english: dict, translations: dict[str, str], docname: str, language: str
) -> dict:
    """The translated notebook: Markdown cells translated; code, outputs, widget state shared."""
    nb = copy.deepcopy(english)
    labels = author_year()
    for cell in nb["cells"]:
        if _in_book(cell):
            # the notebook cites with links that read well in Jupyter (scripts/normalize_notebooks.py)
            text = cite_links(translate_markdown(md, _source(cell), translations), labels)
            cell["source"] = translate_summaries(text, translations)  # <summary> labels: raw HTML
    widgets = nb.get("metadata", {}).get("widgets", {})
    if WIDGET_STATE in widgets:
        widgets[WIDGET_STATE] = translate_widget_state(widgets[WIDGET_STATE], translations)
    nb.setdefault("metadata", {})["i18n"] = {
        "language": language,
        "source": f"{docname}.ipynb",
        "generated_by": f"python scripts/i18n.py notebooks {language}  (do not edit: edit the "
        f"catalog book/i18n/{language}/LC_MESSAGES/{docname}.po)",
    }
    return nb


def render_notebook(nb: dict) -> str:
    import nbformat

    return nbformat.writes(nbformat.from_dict(nb), version=4) + "\n"


def expected_notebooks(language: str) -> dict[Path, str]:
    """Every generated notebook of `language` (path -> content), as the generator writes it now."""
    md = markdown_parser()
    pending = set(to_translate(language))
    out = {}
    for docname in notebook_pages():
        if docname in pending:
            continue
        english = json.loads((ROOT / f"{docname}.ipynb").read_text(encoding="utf-8"))
        translations = read_catalog(catalog_dir(language) / f"{docname}.po").translations
        nb = translate_notebook(md, english, translations, docname, language)
        out[ROOT / translated_notebook(docname, language)] = render_notebook(nb)
    return out


def generated_folder(language: str) -> Path:
    return ROOT / "notebooks" / language


def write_notebooks(language: str, check: bool = False) -> int:
    expected = expected_notebooks(language)
    folder = generated_folder(language)
    present = set(folder.glob("*.ipynb")) if folder.is_dir() else set()
    changed = [p for p, text in expected.items() if not p.is_file() or p.read_text() != text]
    extra = sorted(present - set(expected))
    for path in changed + extra:
        print(
            ("would " if check else "")
            + ("remove " if path in extra else "write ")
            + str(path.relative_to(ROOT))
        )
    if check:
        return 1 if changed or extra else 0
    folder.mkdir(parents=True, exist_ok=True)
    for path in changed:
        path.write_text(expected[path], encoding="utf-8")
    for path in extra:
        path.unlink()
    return 0


# ---------------------------------------------------------------------------------------------
# Builds


def _merge(base: dict, overrides: dict) -> dict:
    out = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _jupyter_book(out: Path, overrides: dict, *options: str) -> subprocess.Popen:
    """Start `jupyter-book build` on _config.yml plus `overrides`, written to out/_config.yml,
    with its doctrees and output under `out`; its log goes to out/build.log."""
    config = _merge(yaml.safe_load((ROOT / "_config.yml").read_text()), overrides)
    # Jupyter Book resolves local extensions' folders from the configuration file's folder.
    extensions = config.get("sphinx", {}).get("local_extensions") or {}
    for name, folder in extensions.items():
        extensions[name] = str(ROOT / folder)
    out.mkdir(parents=True, exist_ok=True)
    (out / "_config.yml").write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    command = [*JUPYTER_BOOK, "--keep-going", "--config", str(out / "_config.yml")]
    with (out / "build.log").open("w") as log:
        return subprocess.Popen(
            [*command, "--path-output", str(out), *options], cwd=ROOT, stdout=log, stderr=log
        )


def _finish(name: str, out: Path, process: subprocess.Popen) -> None:
    if process.wait() != 0:
        log = (out / "build.log").read_text(errors="replace")
        sys.exit(f"{log[-6000:]}\n{name} failed (exit {process.returncode}): {out}/build.log")
    print(f"{name}: done ({out.relative_to(ROOT)}/build.log)")


def _start_extract() -> tuple[Path, subprocess.Popen]:
    out = BUILD / "i18n" / "gettext"
    return out, _jupyter_book(out, {}, "--builder", "custom", "--custom-builder", "gettext")


def extract() -> None:
    """The English book's messages, with Sphinx's gettext builder, into _build/i18n/gettext."""
    _finish("message extraction", *_start_extract())


def build(language: str) -> None:
    """The messages (for the tests), and beside them, on the other core, the `language` edition:
    _config.yml plus book/i18n/<language>/config.yml, into _build/html/<language>/."""
    extraction = _start_extract()
    out = BUILD / "i18n" / language
    overrides = yaml.safe_load((I18N / language / "config.yml").read_text())
    edition = _jupyter_book(out, overrides)
    edition.wait(), extraction[1].wait()  # both, before reporting either
    _finish(f"{language} edition", out, edition)
    _finish("message extraction", *extraction)
    site, target = out / "_build" / "html", BUILD / "html" / language
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(site, target)
    print(f"{language} edition: {target.relative_to(ROOT)}/index.html")


def update(language: str) -> None:
    extract()
    subprocess.run(
        [str(Path(sys.executable).parent / "sphinx-intl"), "update", "-p", str(POT_DIR),
         "-d", str(I18N), "-l", language, "--line-width", "100"],
        cwd=ROOT, check=True,
    )  # fmt: skip
    write_notebooks(language)
    status(language)


def status(language: str) -> int:
    pending = set(to_translate(language))
    print(f"{'page':45} {'messages':>8} {'missing':>8} {'fuzzy':>6} {'stale':>6}")
    for docname, english in templates().items():
        s = page_status(docname, english, language)
        note = "  (to translate)" if docname in pending else ""
        print(
            f"{docname:45} {len(english):8} {len(s['missing']):8} {len(s['fuzzy']):6} "
            f"{len(s['stale']):6}{note}"
        )
        for problem in translation_problems(docname, language):
            print("    " + problem)
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("extract")
    for name in ("build", "update", "notebooks", "status"):
        p = sub.add_parser(name)
        p.add_argument("language")
        if name == "notebooks":
            p.add_argument("--check", action="store_true", help="only say what would change")
    args = parser.parse_args(argv)
    if args.command == "extract":
        extract()
    elif args.command == "build":
        build(args.language)
    elif args.command == "update":
        update(args.language)
    elif args.command == "notebooks":
        return write_notebooks(args.language, check=args.check)
    elif args.command == "status":
        return status(args.language)
    return 0


if __name__ == "__main__":
    sys.exit(main())
