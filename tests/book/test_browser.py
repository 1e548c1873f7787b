"""The built book in headless Chromium, with no network: widgets render and switch images, math renders.

For every page of _toc.yml, in English (_build/html) and in French (_build/html/fr), served on
127.0.0.1 (every request to another host is aborted, as on an offline machine), and in particular
every chapter (notebook) page:

* every stored widget view renders (a ``.jupyter-widgets`` element next to each view script);
* every slider, swept over all its values with the keyboard, shows a different image at each value
  (the visible <img> of the widget changes): the ``jslink`` to the ``Stack`` runs in the browser;
* the maths is typeset by MathJax (one ``mjx-container`` per ``.math`` node, no ``mjx-merror``);
* no request fails and no script throws, except the known harmless ones listed below.

Every page's language switch leads to the same page of the other edition (checked on every page,
and clicked both ways on a static server and on file://); each Colab button opens the notebook of
its edition.

``test_slider_check_detects_a_broken_link`` serves a chapter with its ``LinkModel``s removed from
the stored widget state and checks that the slider check then fails: the test can fail.
Screenshots of the chapter pages go to _build/screenshots/.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from toc import toc_files

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "book" / "_ext"))
from book_i18n import to_translate, translated_notebook  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "_build" / "screenshots"
STATE_SCRIPT = re.compile(
    r'(<script type="application/vnd\.jupyter\.widget-state\+json">)(.*?)(</script>)', re.S
)

# Failed requests that are harmless, each with the reason. Match against the URL.
KNOWN_HARMLESS_FAILURES = [
    # Chromium asks for /favicon.ico on its own; the book has no favicon.
    re.compile(r"/favicon\.ico$"),
]
# Scripts errors that are harmless: none at the moment (book/_ext/book_assets.py repairs the two
# that the default Jupyter Book 1 + MathJax 3 + ipywidgets 8 setup throws).
KNOWN_HARMLESS_PAGE_ERRORS: list[re.Pattern] = []

RENDER_TIMEOUT_MS = 30_000  # widgets + MathJax on a busy 2-core machine
STEP_TIMEOUT_MS = 3_000  # one slider step -> new image


def toc_pages() -> list[str]:
    """Every page of the book, as its path relative to _build/html, in table-of-contents order."""
    return [f + ".html" for f in toc_files()]


PAGES = toc_pages()
CHAPTERS = [p for p in PAGES if p.startswith("notebooks/")]
# The French edition (book/i18n/README.md): the same pages under fr/, each with a language switch.
FRENCH = "fr/"
PAGES_FR = [FRENCH + p for p in PAGES]
CHAPTERS_FR = [FRENCH + p for p in CHAPTERS]


@dataclass
class Report:
    url: str
    widgets: int = 0
    sliders: int = 0
    math: int = 0
    problems: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# In-page JavaScript helpers


JS_WIDGETS = """() => {
  const views = [...document.querySelectorAll('script[type="application/vnd.jupyter.widget-view+json"]')];
  const rendered = views.filter(s => s.parentElement.querySelector('.widget-subarea .jupyter-widgets'));
  return [views.length, rendered.length];
}"""

JS_MATH = """() => [
  document.querySelectorAll('article .math, main .math').length,
  document.querySelectorAll('mjx-container').length,
  document.querySelectorAll('mjx-merror').length,
]"""

# The visible images of the i-th rendered widget, and the readouts of its sliders.
JS_WIDGET_STATE = """(i) => {
  const root = document.querySelectorAll('.widget-subarea')[i];
  const visible = el => el.checkVisibility ? el.checkVisibility() : el.offsetParent !== null;
  return {
    images: [...root.querySelectorAll('img')].filter(visible).map(img => img.src),
    readouts: [...root.querySelectorAll('.widget-slider .widget-readout')].map(r => r.textContent),
  };
}"""


def check_page(page, url: str, *, sweep_sliders: bool = True) -> Report:
    """Load `url` offline and collect every problem; never raises on a page defect."""
    report = Report(url)
    origin = urlparse(url).netloc
    failures: list[str] = []

    def route(r):
        target = urlparse(r.request.url)
        if target.scheme in ("http", "https") and target.netloc != origin:
            failures.append(f"external request blocked (offline book): {r.request.url}")
            r.abort()
        else:
            r.fallback()  # to a handler a test registered, else to the local server

    page.route("**/*", route)
    page.on("requestfailed", lambda r: failures.append(f"request failed: {r.url} ({r.failure})"))
    page.on("response", lambda r: r.status >= 400 and failures.append(f"HTTP {r.status}: {r.url}"))
    page.on("pageerror", lambda e: failures.append(f"script error: {e}"))

    page.goto(url, wait_until="load")

    # Widgets: every stored view rendered.
    try:
        page.wait_for_function(
            f"() => ({JS_WIDGETS})()[0] === ({JS_WIDGETS})()[1]", timeout=RENDER_TIMEOUT_MS
        )
    except Exception:
        pass
    views, rendered = page.evaluate(JS_WIDGETS)
    report.widgets = rendered
    if rendered != views:
        report.problems.append(f"{views - rendered} of {views} widgets did not render")

    # Math: every .math node typeset by MathJax, without TeX errors.
    n_math = page.evaluate(JS_MATH)[0]
    if n_math:
        try:
            page.wait_for_function(f"() => ({JS_MATH})()[1] >= {n_math}", timeout=RENDER_TIMEOUT_MS)
        except Exception:
            pass
    n_math, n_mjx, n_err = page.evaluate(JS_MATH)
    report.math = n_mjx
    if n_mjx < n_math:
        report.problems.append(f"MathJax typeset {n_mjx} of {n_math} math nodes")
    if n_err:
        report.problems.append(f"{n_err} TeX errors (mjx-merror)")

    if sweep_sliders:
        for i in range(rendered):
            report.problems += sweep_widget(page, i, report)

    for failure in failures:
        harmless = KNOWN_HARMLESS_FAILURES + KNOWN_HARMLESS_PAGE_ERRORS
        if not any(p.search(failure) for p in harmless):
            report.problems.append(failure)
    return report


def _wait_for_change(page, i, key, old, timeout=STEP_TIMEOUT_MS) -> dict:
    """Wait until the widget's `key` ("images" or "readouts") differs from `old`; return the state."""
    try:
        page.wait_for_function(
            f"([i, old]) => JSON.stringify(({JS_WIDGET_STATE})(i).{key}) !== old",
            arg=[i, json.dumps(old)],
            timeout=timeout,
        )
    except Exception:
        pass
    return page.evaluate(JS_WIDGET_STATE, i)


def sweep_widget(page, i: int, report: Report) -> list[str]:
    """Sweep every slider of widget i over all its values; each value must show its own image."""
    problems = []
    root = page.locator(".widget-subarea").nth(i)
    handles = root.locator(".widget-slider .noUi-handle")
    state = page.evaluate(JS_WIDGET_STATE, i)
    if handles.count() and len(state["images"]) != 1:
        problems.append(f"widget {i}: {len(state['images'])} images visible, expected 1")
    for s in range(handles.count()):
        report.sliders += 1
        handle = handles.nth(s)
        handle.focus()
        # Go to the first value, then step right to the last one.
        for _ in range(200):
            before = page.evaluate(JS_WIDGET_STATE, i)
            page.keyboard.press("ArrowLeft")
            if (
                _wait_for_change(page, i, "readouts", before["readouts"], 500)["readouts"]
                == before["readouts"]
            ):
                break
        state = page.evaluate(JS_WIDGET_STATE, i)
        seen = {state["readouts"][s]: state["images"]}
        for _ in range(200):
            page.keyboard.press("ArrowRight")
            moved = _wait_for_change(page, i, "readouts", state["readouts"], 1000)
            if moved["readouts"] == state["readouts"]:
                break  # last value
            after = _wait_for_change(page, i, "images", state["images"])
            label = after["readouts"][s]
            if after["images"] == state["images"]:
                problems.append(
                    f"widget {i}, slider {s}: moving to {label!r} did not change the image"
                )
            elif after["images"] in seen.values():
                problems.append(
                    f"widget {i}, slider {s}: {label!r} shows the image of another value"
                )
            seen[label] = after["images"]
            state = after
        if len(seen) < 2:
            problems.append(
                f"widget {i}, slider {s}: the slider did not move (values seen: {list(seen)})"
            )
    return problems


# ---------------------------------------------------------------------------------------------
# Tests


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_toc_has_chapters():
    assert CHAPTERS, "_toc.yml lists no notebook"


@pytest.mark.browser
@pytest.mark.parametrize("path", PAGES + PAGES_FR)
def test_page(page, base_url, site, path):
    assert (site / path).is_file(), f"{path} was not built"
    # A French page still to translate has the English page's widgets, untouched (swept there).
    pending = path.startswith(FRENCH) and path.removeprefix(FRENCH)[:-5] in to_translate("fr")
    report = check_page(page, f"{base_url}/{path}", sweep_sliders=not pending)
    if path in CHAPTERS + CHAPTERS_FR:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = path.replace(FRENCH, "fr_") if path.startswith(FRENCH) else path
        page.screenshot(path=str(SCREENSHOTS / (Path(name).stem + ".png")), full_page=True)
        assert report.math > 0, f"{path}: no typeset math on a chapter page"
    assert not report.problems, f"{path}:\n  " + "\n  ".join(report.problems)


@pytest.mark.browser
def test_colab_button_points_at_the_notebook(site):
    """English pages open notebooks/NAME.ipynb; translated French pages notebooks/fr/NAME.ipynb
    (which must exist), French pages still to translate the English notebook."""
    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = urlparse(cfg["repository"]["url"]).path.strip("/")
    branch = cfg["repository"]["branch"]
    pending = to_translate("fr")
    for path in CHAPTERS + CHAPTERS_FR:
        html = (site / path).read_text(encoding="utf-8")
        docname = path.removeprefix(FRENCH)[:-5]
        notebook = f"{docname}.ipynb"
        if path.startswith(FRENCH) and docname not in pending:
            notebook = translated_notebook(docname, "fr")
            assert (ROOT / notebook).is_file(), f"{path}: {notebook} does not exist"
            download = site / FRENCH / "_sources" / notebook.replace("/fr/", "/")
            assert download.read_bytes() == (ROOT / notebook).read_bytes(), (
                f"{path}: the .ipynb download is not {notebook}"
            )
        expected = f"https://colab.research.google.com/github/{repo}/blob/{branch}/{notebook}"
        links = re.findall(r'https://colab\.research\.google\.com/[^"]+', html)
        assert links == [expected], f"{path}: Colab links {links}, expected [{expected}]"


SWITCH = re.compile(r'<a class="book-language-link" href="([^"]+)" hreflang="(\w+)"')


@pytest.mark.parametrize("path", PAGES + PAGES_FR)
def test_language_switch_links_to_the_same_page(site, path):
    """Every page links to its counterpart in the other edition, by a relative link."""
    html = (site / path).read_text(encoding="utf-8")
    links = SWITCH.findall(html)
    french = path.startswith(FRENCH)
    other = path.removeprefix(FRENCH) if french else FRENCH + path
    assert len(links) == 1, f"{path}: language links {links}"
    href, language = links[0]
    assert language == ("en" if french else "fr")
    target = ((site / path).parent / href).resolve()
    assert target == (site / other).resolve() and target.is_file(), f"{path}: {href}"


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["http", "file"])
def test_language_switch_works_both_ways(page, base_url, site, scheme):
    """Click the switch: English -> French -> English, on a static server and on file://."""
    start = PAGES[0]
    root = base_url if scheme == "http" else (site.as_uri())
    page.goto(f"{root}/{start}")
    assert page.get_attribute("html", "lang") == "en"
    page.click("a.book-language-link[hreflang=fr]")
    page.wait_for_load_state("load")
    assert page.url == f"{root}/{FRENCH}{start}"
    assert page.get_attribute("html", "lang") == "fr"
    page.click("a.book-language-link[hreflang=en]")
    page.wait_for_load_state("load")
    assert page.url == f"{root}/{start}"
    assert page.get_attribute("html", "lang") == "en"


def _without_links(html: str) -> str:
    def strip(match):
        state = json.loads(match.group(2))
        state["state"] = {
            k: v
            for k, v in state["state"].items()
            if v["model_name"] not in ("LinkModel", "DirectionalLinkModel")
        }
        return match.group(1) + json.dumps(state) + match.group(3)

    return STATE_SCRIPT.sub(strip, html)


@pytest.mark.browser
def test_slider_check_detects_a_broken_link(page, base_url, site):
    """Serve a chapter without its jslinks: the sliders still move but the images must not."""
    sliders = re.compile(r'"(Selection|Int|Float)SliderModel"')
    with_sliders = [p for p in CHAPTERS if sliders.search((site / p).read_text(encoding="utf-8"))]
    if not with_sliders:
        pytest.skip("no chapter has a slider")
    path = with_sliders[0]
    html = (site / path).read_text(encoding="utf-8")
    broken = _without_links(html)
    assert broken != html and "LinkModel" not in broken
    url = f"{base_url}/{path}"
    page.route(url, lambda r: r.fulfill(status=200, content_type="text/html", body=broken))
    report = check_page(page, url)
    unchanged = [p for p in report.problems if "did not change the image" in p]
    assert report.sliders and len(unchanged) >= report.sliders, report.problems
