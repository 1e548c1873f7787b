"""Numbers stated in a notebook's prose against the numbers its cells print (issue 18).

nbval checks that printed numbers reproduce; this checks that the sentences around them agree.
A *stated number* is a decimal (``0.76``), a percentage (``85 %``), or a power of ten
(``1.3×10⁵``, ``1.3 \\times 10^{5}``, ``2e-6``) in a markdown cell, outside code spans, links'
targets and HTML tags. Integers are left out: in this book they are sizes and counts of the setup
(256 atoms, 9×9 kernels, 30 labels) far more often than results.

A stated number agrees with the notebook when some number printed by one of its cells (stream
text, ``text/plain``, ``text/markdown``) equals it at the stated precision: ``0.76`` matches a
printed 0.7612 or 0.758, a percentage ``0.76 %`` also matches a printed fraction 0.0076, and
``1.3×10⁵`` matches 131072. Constants of the text (a setting, a year, an equation's coefficient)
are listed with their reason in ``prose_constants.toml``, per notebook.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
MINUS = str.maketrans({"\u2212": "-"})  # the minus sign

# Markdown that holds no prose numbers: fenced code, code spans, link targets, HTML tags, and
# citation links' labels ("[Beck & Teboulle, 2009](cite:...)": a year is not a result).
_NOT_PROSE = re.compile(
    r"```.*?```"  # fenced code
    r"|`[^`\n]*`"  # code span
    r"|\[[^\]\n]*\]\(cite:[^)\s]*\)"  # citation link, label and target
    r"|\]\([^)\s]*\)"  # a link's target
    r"|<[^>\n]*>"  # an HTML tag
    r"|https?://\S+",
    re.S,
)

_STATED = re.compile(
    r"(?<![\w.^{])(?:"
    r"(?P<mant>\d+(?:\.\d+)?)\s*(?:×|\\times|\\cdot|·)\s*10\s*\^?\s*\{?(?P<exp>[-−⁻]?[0-9⁰¹²³⁴⁵⁶⁷⁸⁹]+)\}?"
    r"|(?P<e_mant>\d+(?:\.\d+)?)e(?P<e_exp>[-+−]?\d+)\b"
    r"|(?P<pct>\d+(?:\.\d+)?)\s*(?:\\?%|&nbsp;%|\s?percent\b)"
    r"|(?P<dec>\d+\.\d+)(?![\d.])"
    r")"
)

_PRINTED = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?P<pct>\s?%)?")


@dataclass(frozen=True)
class Stated:
    """One number of the prose: its text, its value and the size of its last digit."""

    text: str
    value: float
    unit: float  # the stated precision: 0.01 for "0.76", 1e4 for "1.3×10⁵"
    percent: bool
    cell: int

    def agrees_with(self, printed: float) -> bool:
        """True when `printed`, rounded to the stated precision, is the stated value."""
        candidates = [abs(printed)]
        if self.percent:
            candidates.append(abs(printed) * 100)  # a printed fraction stated as a percentage
        half = self.unit / 2 * (1 + 1e-9)
        return any(abs(c - self.value) <= half for c in candidates)


def _decimals_unit(number: str) -> float:
    return 10.0 ** -(len(number.split(".")[1])) if "." in number else 1.0


def prose(markdown: str) -> str:
    """The markdown with code, link targets, citations and tags blanked out."""
    return _NOT_PROSE.sub(" ", markdown)


def stated_numbers(markdown: str, cell: int = -1) -> list[Stated]:
    """Every decimal, percentage and power of ten stated in `markdown`'s prose."""
    out = []
    for m in _STATED.finditer(prose(markdown)):
        if m["mant"]:
            exp = int(m["exp"].translate(SUPERSCRIPTS).translate(MINUS))
            unit = _decimals_unit(m["mant"]) * 10.0**exp
            value = float(m["mant"]) * 10.0**exp
            out.append(Stated(m.group(0), value, unit, False, cell))
        elif m["e_mant"]:
            exp = int(m["e_exp"].translate(MINUS))
            unit = _decimals_unit(m["e_mant"]) * 10.0**exp
            out.append(Stated(m.group(0), float(m["e_mant"]) * 10.0**exp, unit, False, cell))
        elif m["pct"]:
            out.append(Stated(m.group(0), float(m["pct"]), _decimals_unit(m["pct"]), True, cell))
        else:
            out.append(Stated(m.group(0), float(m["dec"]), _decimals_unit(m["dec"]), False, cell))
    return out


def printed_numbers(notebook: dict) -> list[float]:
    """Every number in the text its code cells print (percentages also as fractions)."""
    values: list[float] = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")]
            data = output.get("data", {})
            texts += [data.get(kind, "") for kind in ("text/plain", "text/markdown")]
            for text in texts:
                text = "".join(text) if isinstance(text, list) else text
                for m in _PRINTED.finditer(text.translate(MINUS)):
                    number = m.group(0).rstrip("% ").strip()
                    try:
                        v = float(number)
                    except ValueError:
                        continue
                    if math.isfinite(v):
                        values.append(v)
                        if m["pct"]:
                            values.append(v / 100)
    return values


def key(text: str) -> str:
    """A stated number as the allow-list writes it: without whitespace ("85.3 %" -> "85.3%")."""
    return re.sub(r"\s+", "", text)


def markdown_cells(notebook: dict):
    for i, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "markdown":
            yield i, "".join(cell["source"])


def disagreements(notebook: dict, constants: dict[str, str], printed: list[float] | None = None):
    """The stated numbers of `notebook`'s prose that no printed number and no constant explains."""
    printed = printed_numbers(notebook) if printed is None else printed
    constants = {key(k) for k in constants}
    bad = []
    for i, text in markdown_cells(notebook):
        for s in stated_numbers(text, i):
            if key(s.text) in constants or any(s.agrees_with(v) for v in printed):
                continue
            bad.append(s)
    return bad


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text())
