"""Turn on JupyterLab's (and Notebook 7's) "save widget state" in this Python environment.

Without it, JupyterLab saves a notebook without its widgets' state, and the next time the notebook
is opened every widget shows "Error displaying widget: model not found". Two files of the
environment, not of the user's home (a fresh clone's ``make lab`` gets them, other environments
are untouched); existing settings in them are kept:

* ``<prefix>/etc/jupyter/labconfig/default_setting_overrides.json``: the widget manager's
  ``saveState`` default (read by jupyterlab_server for JupyterLab and Notebook 7 alike; a reader can
  still change it in Settings -> Jupyter Widgets);
* ``<prefix>/etc/jupyter/jupyter_server_config.json``: the server's pre-save hook
  ``latentebm.widgets.keep_stored_widget_state``. With saveState on, JupyterLab saves only the
  widgets that live in the kernel, so a chapter opened and (auto)saved without being re-run would
  lose its stored widgets (jupyter-widgets/ipywidgets#3888); the hook keeps them.

`make venv` runs this with the project's Python.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

PLUGIN = "@jupyter-widgets/jupyterlab-manager:plugin"
SETTINGS = {PLUGIN: {"saveState": True}}
HOOK = "latentebm.widgets.keep_stored_widget_state"
SERVER_CONFIG = {"ContentsManager": {"pre_save_hook": HOOK}}


def overrides_file(prefix: str | Path = sys.prefix) -> Path:
    return Path(prefix) / "etc" / "jupyter" / "labconfig" / "default_setting_overrides.json"


def server_config_file(prefix: str | Path = sys.prefix) -> Path:
    # Not jupyter_server_config.d/: the server reads only extension switches from there.
    return Path(prefix) / "etc" / "jupyter" / "jupyter_server_config.json"


def _merge(path: Path, settings: dict) -> Path:
    """Merge {section: {key: value}} into the JSON object in `path`, atomically."""
    current = json.loads(path.read_text()) if path.is_file() else {}
    if not isinstance(current, dict):
        raise ValueError(f"{path} must hold a JSON object, found {type(current).__name__}")
    for section, values in settings.items():
        current.setdefault(section, {}).update(values)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(current, f, indent=2)
        f.write("\n")
    os.replace(tmp, path)
    return path


def write(prefix: str | Path = sys.prefix) -> Path:
    """Write both settings into the environment at `prefix`; return the overrides file."""
    _merge(server_config_file(prefix), SERVER_CONFIG)
    return _merge(overrides_file(prefix), SETTINGS)


if __name__ == "__main__":
    print(f"widget state saved with notebooks: {write()}, {server_config_file()}")
