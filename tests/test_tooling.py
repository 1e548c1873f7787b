"""The formatting checks are wired the same way everywhere: `make lint`, `make test` (test-lib) and
pre-commit run ruff check and ruff format --check on the same paths with the same ruff, and the
notebook line check reports what it should."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "check_notebook_lines.py"


def makefile_recipe(target: str) -> str:
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", text, re.M)
    assert match, f"no target {target} in the Makefile"
    return match.group(1)


def hooks() -> dict[str, dict]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    return {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}


def test_make_lint_and_test_check_the_formatting():
    lint_paths = re.search(r"^LINT_PATHS := (.*)$", (ROOT / "Makefile").read_text(), re.M)
    assert lint_paths and lint_paths.group(1).split() == [
        "lib", "tests", "benchmarks", "scripts", "book/_ext",
    ]  # fmt: skip
    for target in ("lint", "test-lib"):
        recipe = makefile_recipe(target)
        assert "ruff check $(LINT_PATHS)" in recipe, target
        assert "ruff format --check $(LINT_PATHS)" in recipe, target


def test_pre_commit_runs_the_same_checks_with_the_pinned_ruff():
    pin = re.search(r"^ruff==(\S+)", (ROOT / "requirements.txt").read_text(), re.M).group(1)
    h = hooks()
    assert h["ruff-check"]["entry"] == "ruff check"
    assert h["ruff-format"]["entry"] == "ruff format --check"
    lint_paths = re.search(r"^LINT_PATHS := (.*)$", (ROOT / "Makefile").read_text(), re.M)
    for hook_id in ("ruff-check", "ruff-format"):
        hook = h[hook_id]
        assert hook["additional_dependencies"] == [f"ruff=={pin}"], hook_id
        for path in lint_paths.group(1).split():
            assert re.match(hook["files"], f"{path}/module.py"), (hook_id, path)
        assert not re.match(hook["files"], "notebooks/01_x.py")
    notebook = h["notebook-lines"]
    assert notebook["entry"] == "python scripts/check_notebook_lines.py"
    assert re.match(notebook["files"], "notebooks/01_regularized_latent_ebm.ipynb")
    assert not re.match(notebook["files"], "notebooks/fr/01_regularized_latent_ebm.ipynb")


def run_check(tmp_path, *sources, max_width=None):
    cells = [{"cell_type": "markdown", "source": "x" * 200}]
    cells += [{"cell_type": "code", "source": s} for s in sources]
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps({"cells": cells}))
    extra = ["--max", str(max_width)] if max_width else []
    return subprocess.run([sys.executable, str(SCRIPT), *extra, str(path)],
                          capture_output=True, text=True)  # fmt: skip


def test_notebook_line_check_reports_code_lines_over_90(tmp_path):
    ok = run_check(tmp_path, "a = 1\n" + "b" * 90, ["x = 2\n", "y" * 90])
    assert ok.returncode == 0 and ok.stdout == ""  # 90 fits; markdown is not code
    bad = run_check(tmp_path, "a = 1\n" + "b" * 91, ["x = 2\n", "y" * 95])
    assert bad.returncode == 1
    lines = bad.stdout.splitlines()
    assert "cell 1, line 2: 91 characters" in lines[0] and "cell 2, line 2: 95" in lines[1]
    assert lines[-1].startswith("2 code line(s) wider than 90")
    assert run_check(tmp_path, "b" * 95, max_width=100).returncode == 0
