"""The chapters in JupyterLab, as a reader of a fresh clone runs them (headless Debian Chromium).

A JupyterLab server is started on 127.0.0.1 with no token, in a temporary folder holding fresh
copies of LAB_CHAPTERS, with its own empty trust database, user settings and workspaces; the
environment's own settings are the ones `make venv` writes (scripts/lab_settings.py: save widget
state, and the pre-save hook that keeps stored widgets). For each chapter, the test does what
README tells a reader to do and checks what the reader would see:

1. open it and save it (as autosave does within two minutes: with "save widget state" on,
   JupyterLab marks a notebook with widgets modified as soon as it opens): the file is unchanged,
   byte for byte (its kernel metadata is what Lab writes; no stored widget is dropped);
2. ``jupyter trust`` it (as `make lab` does) and reopen: every stored widget renders from the state
   saved in the notebook, before any cell runs; saving it again still changes nothing;
3. Run > Run All Cells, from the menu: every cell runs without error;
4. move each widget's first control and check that its picture changes (CONTROLS says how to move
   a kind of control and how long its picture may take: a later chapter's kernel-driven "live"
   control is one more entry);
5. save (Ctrl+S), shut the kernel down and reopen: the saved file stores the state of every widget
   displayed, each one renders again, and none says "model not found".

``test_live_control_in_jupyterlab`` drives a kernel-driven live control (``latentebm.live``): a
scratch notebook holding chapter 2's two live cells, exactly as ``scripts/insert_live_cells.py``
writes them, is run from the menu; moving the control's λ slider with the keyboard must change its
picture and its numbers (the kernel recomputes: debounce, FISTA, the figure, the PNG) within
CONTROLS["live control"]'s time. One cell, on the server the chapters use: about 30 s more.

Screenshots of each step go to _build/screenshots/lab_<chapter>_<step>.png.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from latentebm import chapters

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "_build" / "screenshots"
LAB_CHAPTERS = ["00_how_to_read"]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

START_TIMEOUT_S = 90  # Lab's server on a busy 2-core machine
OPEN_TIMEOUT_MS = 60_000  # the notebook panel and its kernel
RUN_ALL_TIMEOUT_S = 600
REQUIRED = os.environ.get("LATENTEBM_BOOK_TESTS") == "required"  # as in conftest.py


def skip_or_fail(reason: str):
    if REQUIRED:
        pytest.fail(f"{reason} (LATENTEBM_BOOK_TESTS=required)", pytrace=False)
    pytest.skip(reason)


@dataclass(frozen=True)
class Control:
    """How to move one kind of control inside a widget output, and how long its picture may take."""

    selector: str  # the element that takes the keys, inside the widget's output
    keys: tuple[str, ...] = ("ArrowRight",)
    back: tuple[str, ...] = ("ArrowLeft",)  # when the control is already at its end
    timeout_ms: int = 5_000


# Precomputed sliders (latentebm.widgets): the picture changes in the browser (jslink to a Stack).
# Live controls (latentebm.live, CSS class latentebm-live): the kernel recomputes the picture after
# the debounce delay, in about a second on an idle core; 30 s leaves room for a loaded machine.
CONTROLS = {
    "precomputed slider": Control(
        ".widget-slider:not(.latentebm-live .widget-slider) .noUi-handle"
    ),
    "live control": Control(".latentebm-live .widget-slider .noUi-handle", timeout_ms=30_000),
}


# The widget outputs of the notebook, in order: the output areas whose data is a widget view.
JS_WIDGETS = """() => {
  const outs = [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output')];
  const widgets = outs.filter(o => o.querySelector('.jupyter-widgets'));
  const visible = el => el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null;
  return {
    rendered: widgets.length,
    text_fallbacks: outs.filter(o => /^(VBox|HBox)\\(/.test(o.textContent.trim())).length,
    images: widgets.map(w => [...w.querySelectorAll('img')].filter(visible).map(i => i.src)),
    errors: [...document.querySelectorAll('.jp-OutputArea-output')]
      .map(o => o.textContent).filter(t => /model not found|Error displaying widget/.test(t)),
  };
}"""
JS_RUNNING = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  const prompts = [...panel.querySelectorAll('.jp-InputArea-prompt')].map(p => p.textContent);
  const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
  return {queued: prompts.filter(p => p.includes('*')).length,
          status: status ? status.getAttribute('data-status') : null};
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stored_views(path: Path) -> tuple[list[str], dict]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    views = [
        o["data"][WIDGET_VIEW]["model_id"]
        for c in nb["cells"]
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
        if WIDGET_VIEW in o.get("data", {})
    ]
    state = nb["metadata"].get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    return views, state


class Lab:
    """A JupyterLab server on 127.0.0.1 in `home`, with its own trust database and user settings."""

    def __init__(self, home: Path):
        self.home, self.work = home, home / "work"
        self.work.mkdir()
        env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # the kernel's inline one
        for var, sub in [
            ("JUPYTER_DATA_DIR", "data"),  # nbsignatures.db: nothing trusted yet
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("JUPYTER_CONFIG_DIR", "config"),
            ("JUPYTERLAB_SETTINGS_DIR", "user-settings"),
            ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
            ("IPYTHONDIR", "ipython"),
        ]:
            env[var] = str(home / sub)
        self.env = env
        # No "get official Jupyter news?" prompt: a reader answers it once; it hides the notebook.
        notes = home / "user-settings" / "@jupyterlab" / "apputils-extension"
        notes.mkdir(parents=True)
        (notes / "notification.jupyterlab-settings").write_text(
            json.dumps({"fetchNews": "false", "checkForUpdates": False})
        )
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(home / "lab.log", "w")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root",
             "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
             "--ServerApp.port_retries=0", "--IdentityProvider.token=", "--ServerApp.password=",
             f"--ServerApp.root_dir={self.work}", "--LabApp.news_url=None",
             "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/api/status", timeout=2)
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    pytest.fail(f"JupyterLab did not start:\n{self.log_tail()}")
                time.sleep(0.5)

    def log_tail(self, n: int = 4000) -> str:
        return (self.home / "lab.log").read_text()[-n:]

    def api(self, method: str, path: str):
        """A REST call (GET only: the others need the browser's XSRF cookie)."""
        req = urllib.request.Request(f"{self.url}/api/{path}", method=method)
        with urllib.request.urlopen(req, timeout=30) as r:
            body = r.read()
        return json.loads(body) if body else None

    def trust(self, path: Path) -> None:
        subprocess.run(
            [sys.executable, "-m", "jupyter", "trust", str(path)],
            env=self.env,
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    try:
        import jupyterlab  # noqa: F401
    except ImportError:
        skip_or_fail("jupyterlab is not installed (requirements.txt; make venv installs it)")
    sys.path.insert(0, str(ROOT / "scripts"))
    from lab_settings import PLUGIN, overrides_file

    settings = overrides_file(sys.prefix)
    if not settings.is_file() or not json.loads(settings.read_text()).get(PLUGIN, {}).get(
        "saveState"
    ):
        skip_or_fail(
            f"{settings} does not turn on saveState: run `make venv` (scripts/lab_settings.py)"
        )
    server = Lab(tmp_path_factory.mktemp("lab"))
    yield server
    server.stop()


@pytest.fixture
def lab_page(browser, lab):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    # Recorded, not routed: a `page.route` handler stops JupyterLab from starting kernels.
    external: list[str] = []
    page.on(
        "request",
        lambda r: (
            r.url.startswith(("http://", "https://"))
            and not r.url.startswith(lab.url)
            and external.append(r.url)
        ),
    )
    yield page
    context.close()
    assert not external, f"JupyterLab's page asked for other hosts: {external[:5]}"


def shoot(page, chapter: str, step: str) -> None:
    """Screenshot, scrolled to the first widget when there is one."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    widget = page.locator(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output .jupyter-widgets"
    )
    if widget.count():
        widget.first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"lab_{chapter}_{step}.png"))


def open_notebook(page, lab: Lab, name: str) -> None:
    """Open `name` and wait until its kernel is idle and its markdown rendered."""
    page.goto(f"{lab.url}/lab/tree/{name}", wait_until="load")
    page.wait_for_selector(".jp-NotebookPanel .jp-MarkdownOutput", timeout=OPEN_TIMEOUT_MS)
    deadline = time.monotonic() + OPEN_TIMEOUT_MS / 1000
    while not any(
        s["path"].endswith(name) and s["kernel"]["execution_state"] == "idle"
        for s in lab.api("GET", "sessions")
    ):
        assert time.monotonic() < deadline, f"no idle kernel for {name}"
        time.sleep(0.25)
    page.wait_for_function(f"() => ({JS_RUNNING})().status === 'idle'", timeout=OPEN_TIMEOUT_MS)
    time.sleep(2)  # the kernel's info reply and the widget manager update the model


def save(page, path: Path) -> None:
    """Ctrl+S in the notebook; wait until the file is written and the tab is clean."""
    mtime = path.stat().st_mtime_ns
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").click(
        position={"x": 5, "y": 5}
    )
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    while path.stat().st_mtime_ns == mtime or page.locator(".lm-TabBar-tab.jp-mod-dirty").count():
        assert time.monotonic() < deadline, "Ctrl+S did not save the notebook"
        time.sleep(0.25)


def wait_for_widgets(page, expected: int, timeout_s: float = 30) -> dict:
    deadline = time.monotonic() + timeout_s
    while True:
        state = page.evaluate(JS_WIDGETS)
        if state["rendered"] >= expected and all(state["images"]) or time.monotonic() > deadline:
            return state
        time.sleep(0.25)


def menu(page, label: str, command: str) -> None:
    """Click `label` in the menu bar, then the item that runs `command`; accept its dialog, if any."""
    page.locator(".lm-MenuBar-itemLabel", has_text=label).first.click()
    page.locator(f'.lm-Menu-item[data-command="{command}"]').click()
    time.sleep(0.5)
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    if accept.count():
        accept.click()


def shut_down_kernel(page, lab: Lab) -> None:
    """Kernel > Shut Down Kernel; wait until the server has no kernel left."""
    menu(page, "Kernel", "kernelmenu:shutdown")
    deadline = time.monotonic() + 30
    while lab.api("GET", "kernels"):
        assert time.monotonic() < deadline, "the kernel did not shut down"
        time.sleep(0.25)


def run_all(page) -> None:
    """Run > Run All Cells, from the menu bar; wait until no cell is queued and the kernel is idle."""
    menu(page, "Run", "runmenu:run-all")
    deadline = time.monotonic() + RUN_ALL_TIMEOUT_S
    idle_polls = 0
    time.sleep(1)
    while idle_polls < 3:
        running = page.evaluate(JS_RUNNING)
        idle_polls = idle_polls + 1 if running == {"queued": 0, "status": "idle"} else 0
        assert time.monotonic() < deadline, f"Run All did not finish in {RUN_ALL_TIMEOUT_S} s"
        time.sleep(0.5)


def move(page, widget: int, control: Control) -> str | None:
    """Move the first `control` of widget output `widget`; None if its picture changed, else why."""
    outputs = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output").filter(
        has=page.locator(".jupyter-widgets")
    )
    target = outputs.nth(widget).locator(control.selector).first
    if target.count() == 0:
        return None  # this widget has no control of that kind
    target.scroll_into_view_if_needed()
    before = page.evaluate(JS_WIDGETS)["images"][widget]
    for keys in (control.keys, control.back):
        target.focus()
        for key in keys:
            page.keyboard.press(key)
        deadline = time.monotonic() + control.timeout_ms / 1000
        while time.monotonic() < deadline:
            after = page.evaluate(JS_WIDGETS)["images"][widget]
            if after and after != before:
                return None
            time.sleep(0.1)
    return f"widget {widget}: moving {control.selector} did not change its picture"


@pytest.mark.browser
@pytest.mark.parametrize("chapter", LAB_CHAPTERS)
def test_chapter_in_jupyterlab(lab, lab_page, chapter):
    page, name = lab_page, f"{chapter}.ipynb"
    path = lab.work / name
    shutil.copy(ROOT / "notebooks" / name, path)
    views, _ = stored_views(path)
    assert views, f"{name} displays no widget: pick a chapter with one"

    # 1. Open the fresh copy and save it: nothing changes.
    original = path.read_bytes()
    open_notebook(page, lab, name)
    shoot(page, chapter, "1_opened_untrusted")
    save(page, path)
    assert path.read_bytes() == original, f"opening and saving {name} rewrote it"

    # 2. Trust it, reopen: the stored widgets render, with no kernel output yet. Saving now (the
    #    widgets come from the notebook, not from the kernel) still changes nothing.
    lab.trust(path)
    open_notebook(page, lab, name)
    state = wait_for_widgets(page, len(views))
    shoot(page, chapter, "2_trusted")
    assert state["rendered"] == len(views) and all(state["images"]), (
        f"after `jupyter trust`, {state['rendered']} of {len(views)} stored widgets rendered "
        f"({state['text_fallbacks']} shown as text): {state['errors']}"
    )
    save(page, path)
    assert path.read_bytes() == original, f"saving {name} with its stored widgets rewrote it"

    # 3. Run all, from the menu.
    run_all(page)
    state = wait_for_widgets(page, len(views))
    shoot(page, chapter, "3_ran_all")
    assert state["rendered"] == len(views) and not state["errors"], state

    # 4. Move the controls: each picture changes.
    problems = [
        p
        for i in range(state["rendered"])
        for control in CONTROLS.values()
        if (p := move(page, i, control))
    ]
    shoot(page, chapter, "4_moved")
    assert not problems, problems

    # 5. Save, shut the kernel down, reopen: the widgets come back from the saved state.
    save(page, path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    errors = [
        o for c in saved["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"
    ]
    assert not errors, f"cells failed: {[e['ename'] + ': ' + e['evalue'] for e in errors]}"
    unrun = [
        i
        for i, c in enumerate(saved["cells"])
        if c["cell_type"] == "code" and not c["execution_count"]
    ]
    assert not unrun, f"cells {unrun} did not run"
    new_views, new_state = stored_views(path)
    assert len(new_views) == len(views) and set(new_views).isdisjoint(views), (
        "widgets not re-created"
    )
    missing = [m for m in new_views if m not in new_state]
    for _ in range(2):  # on a loaded machine a save can come before a model reaches the manager
        if not missing:
            break
        time.sleep(2)
        page.keyboard.press("Control+s")
        time.sleep(3)
        new_views, new_state = stored_views(path)
        missing = [m for m in new_views if m not in new_state]
    assert not missing, f"saved (3 times) without the state of widgets {missing} (saveState off?)"

    shut_down_kernel(page, lab)
    open_notebook(page, lab, name)
    state = wait_for_widgets(page, len(new_views))
    shoot(page, chapter, "5_reopened")
    assert not state["errors"], f"after saving and reopening: {state['errors']}"
    assert state["rendered"] == len(new_views) and all(state["images"]), state


JS_LIVE_NUMBERS = """() => [...document.querySelectorAll(
  '.jp-NotebookPanel:not(.lm-mod-hidden) .latentebm-live .widget-html-content')].map(h => h.textContent)"""


@pytest.mark.browser
def test_live_control_in_jupyterlab(lab, lab_page):
    from latentebm.live import live_cells
    from latentebm.live.cells import SENTENCES

    page, chapter, name = lab_page, "live_chapter2", "live_chapter2.ipynb"
    path = lab.work / name
    md, code = live_cells(2, SENTENCES[2])
    nb = {"cells": [{**md, "id": "live-sentence-2"}, {**code, "id": "live-control-2"}],
          "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                                      "name": "python3"}},
          "nbformat": 4, "nbformat_minor": 5}  # fmt: skip
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    open_notebook(page, lab, name)
    run_all(page)
    state = wait_for_widgets(page, 1, timeout_s=60)
    shoot(page, chapter, "1_ran")
    assert state["rendered"] == 1 and all(state["images"]) and not state["errors"], state
    assert page.locator(".latentebm-live").count() == 1, "the live control's box is not shown"
    numbers = page.evaluate(JS_LIVE_NUMBERS)
    assert any("active atoms" in t for t in numbers), numbers

    # The precomputed sliders' entry does not take a live control's slider (the other entry does).
    output = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output").filter(
        has=page.locator(".jupyter-widgets")
    )
    assert output.locator(CONTROLS["precomputed slider"].selector).count() == 0
    assert output.locator(CONTROLS["live control"].selector).count() == 1
    problem = move(page, 0, CONTROLS["live control"])
    shoot(page, chapter, "2_moved")
    assert problem is None, problem
    deadline = time.monotonic() + 10
    while page.evaluate(JS_LIVE_NUMBERS) == numbers and time.monotonic() < deadline:
        time.sleep(0.2)
    moved = page.evaluate(JS_LIVE_NUMBERS)
    lams = [float(m) for t in moved for m in re.findall(r"lambda: ([0-9.]+)", t)]
    lam0 = chapters.settings("mnist_dictionary")["lam"]  # the control starts at the chapter's λ
    assert moved != numbers and len(lams) == 1 and lams[0] != lam0 and 0.9 < lams[0] / lam0 < 1.1, (
        numbers,
        moved,
    )
    errors = [t for t in moved if "Error" in t]
    assert not errors, errors
