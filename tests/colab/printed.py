"""Compare what a notebook printed in another environment with what the book stores, to a tolerance.

Strict nbval runs on the pinned environment only. In Colab's stock environment (other versions of
torch, numpy, scipy, scikit-learn) the prose must still be true, and the prose is written on the
printed outputs, so: every word of every printed line must be the same (verdicts such as
``True``/``below 1e-9``, counts of lines), and every number must agree to `rtol` relative, or to
`digits` units of its last printed digit (a value printed as ``0.123`` may read ``0.124``).
Timings and memory addresses are masked first, with nbval's own sanitize file.
"""

from __future__ import annotations

import configparser
import math
import re
from pathlib import Path

NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w])")
TEXT_MIMES = ("text/plain",)


def sanitizers(cfg: Path) -> list[tuple[re.Pattern, str]]:
    """The (regex, replacement) pairs of an nbval sanitize file, in file order."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(cfg.read_text())
    return [(re.compile(parser[s]["regex"]), parser[s]["replace"]) for s in parser.sections()]


def printed_text(cell: dict, rules: list[tuple[re.Pattern, str]] = ()) -> str:
    """The text a reader reads under a code cell: stdout and the text/plain of results.

    stderr (warnings, progress bars) is left out: its wording belongs to the peers' versions.
    """
    parts = []
    for out in cell.get("outputs", []):
        kind = out["output_type"]
        if kind == "stream" and out.get("name") == "stdout":
            parts.append(_joined(out["text"]))
        elif kind in ("execute_result", "display_data"):
            data = out.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data:
                parts.append("<widget>\n")
            elif "text/plain" in data:
                parts.append(_joined(data["text/plain"]) + "\n")
    text = "".join(parts)
    for regex, replacement in rules:
        text = regex.sub(replacement, text)
    return text


def _joined(text) -> str:
    return text if isinstance(text, str) else "".join(text)


def _words(text: str) -> list[str]:
    """The text between the numbers, with runs of spaces as one (column padding follows widths)."""
    return [re.sub(r"[ \t]+", " ", w) for w in NUMBER.split(text)]


def _last_digit(token: str) -> float:
    """One unit of the last printed digit: 0.001 for '0.123', 1e-09 for '2.3e-08'... (1 for ints)."""
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 10.0 ** (int(exponent or 0) - decimals)


def numbers_agree(stored: str, fresh: str, rtol: float, digits: float) -> bool:
    a, b = float(stored), float(fresh)
    if a == b:
        return True
    if math.copysign(1, a) != math.copysign(1, b) and a and b:
        return False
    tol = max(rtol * max(abs(a), abs(b)), digits * max(_last_digit(stored), _last_digit(fresh)))
    return abs(a - b) <= tol


def compare(stored: str, fresh: str, rtol: float = 1e-2, digits: float = 2) -> list[str]:
    """Problems found between a stored and a fresh printout; empty when they agree.

    Words must match exactly; numbers within `rtol` (relative) or `digits` units of the last
    printed digit, whichever is larger.
    """
    s_words, f_words = _words(stored), _words(fresh)
    s_nums, f_nums = NUMBER.findall(stored), NUMBER.findall(fresh)
    if s_words != f_words or len(s_nums) != len(f_nums):
        s_lines, f_lines = stored.splitlines(), fresh.splitlines()
        for i in range(max(len(s_lines), len(f_lines))):
            s = s_lines[i] if i < len(s_lines) else "<no line>"
            f = f_lines[i] if i < len(f_lines) else "<no line>"
            if _words(s) != _words(f):
                return [f"the words differ: book {s!r}, here {f!r}"]
        return ["the words differ"]
    problems = []
    for s, f in zip(s_nums, f_nums, strict=True):
        if not numbers_agree(s, f, rtol, digits):
            problems.append(
                f"{s} (book) vs {f} (here): beyond rtol={rtol:g} and {digits:g} last digits"
            )
    return problems
