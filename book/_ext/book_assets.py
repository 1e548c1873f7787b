"""Sphinx extension: serve MathJax and the widget manager from book/_assets/, else from CDNs.

``scripts/fetch_book_assets.py`` (run by ``make book``) downloads the pinned, checksummed npm
packages into ``book/_assets/``; ``_config.yml`` points ``mathjax_path`` and ``nb_ipywidgets_js`` at
them. When they are missing (``jupyter-book build .`` run by hand, or no registry), this extension
restores the CDN defaults so the build still succeeds, and says so. It runs at ``config-inited``,
before myst-nb reads its configuration (``builder-inited``).

Two small repairs of the page scripts, found by the browser test (tests/book/test_browser.py):

* ipywidgets' controls typeset their labels with the MathJax 2 API (``MathJax.Hub.Queue``), which
  MathJax 3 does not have: every widget label threw a TypeError. A shim maps it to MathJax 3.
* sphinx-thebe registers its inline configuration script twice, so every page threw
  "Identifier 'THEBE_JS_URL' has already been declared". Duplicate scripts are dropped.
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging
from sphinx.util.console import bold

logger = logging.getLogger(__name__)

ASSETS = "book/_assets"


def _use_cdn_if_missing(app: Sphinx, config: Config) -> None:
    root = Path(app.confdir) / ASSETS
    needed = [
        root / "html-manager" / "dist" / "embed.js",
        root / "mathjax" / "es5" / "tex-mml-chtml.js",
    ]
    missing = [p for p in needed if not p.is_file()]
    if not missing:
        logger.info(
            bold("book_assets: ") + f"serving MathJax and the widget manager from {ASSETS}/"
        )
        return
    from myst_nb.core.config import ipywidgets_js_factory
    from sphinx.ext.mathjax import MATHJAX_URL

    config.html_static_path = [p for p in config.html_static_path if p != ASSETS]
    config.mathjax_path = MATHJAX_URL
    config.nb_ipywidgets_js = ipywidgets_js_factory()
    # Not a Sphinx warning: that would fail `-W` builds, and a book that needs a network to show
    # math is still a book. The browser test (no network) is what fails in that case.
    logger.info(
        bold("book_assets: offline assets missing (")
        + ", ".join(str(p.relative_to(app.confdir)) for p in missing)
        + bold("); math and widgets will load from public CDNs. ")
        + "Run `python scripts/fetch_book_assets.py` (or `make book`) to serve them locally."
    )


# Registered on `load` before the widget manager's own `load` handler (this script comes first in
# <head>), so the shim exists when the widgets typeset their labels.
MATHJAX2_HUB_SHIM = """window.addEventListener("load", function () {
  var mj = window.MathJax;
  if (mj && !mj.Hub && mj.typesetPromise) {
    mj.Hub = {Queue: function (job) {  // job = ["Typeset", MathJax.Hub, element]
      mj.typesetPromise([job[2]]).catch(function (err) { console.warn("MathJax:", err); });
    }};
  }
});"""


def _drop_duplicate_scripts(app: Sphinx, pagename, templatename, context, doctree) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, kept = set(), []
    for js in scripts:  # the two copies differ only in filename: None vs ""
        key = (
            str(getattr(js, "filename", js) or ""),
            sorted(getattr(js, "attributes", {}).items()),
        )
        if repr(key) not in seen:
            seen.add(repr(key))
            kept.append(js)
    scripts[:] = kept


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _use_cdn_if_missing, priority=100)
    app.add_js_file(None, body=MATHJAX2_HUB_SHIM, priority=200)
    app.connect("html-page-context", _drop_duplicate_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
