"""scripts/lab_settings.py: JupyterLab's "save widget state" default, written into an environment."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from lab_settings import PLUGIN, overrides_file, write  # noqa: E402


def test_writes_the_setting_where_jupyterlab_server_reads_it(tmp_path):
    path = write(tmp_path)
    assert path == tmp_path / "etc" / "jupyter" / "labconfig" / "default_setting_overrides.json"
    assert json.loads(path.read_text()) == {PLUGIN: {"saveState": True}}
    assert write(tmp_path) == path and json.loads(path.read_text()) == {PLUGIN: {"saveState": True}}


def test_keeps_other_overrides(tmp_path):
    path = overrides_file(tmp_path)
    path.parent.mkdir(parents=True)
    other = {"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
             PLUGIN: {"other": 1, "saveState": False}}  # fmt: skip
    path.write_text(json.dumps(other))
    write(tmp_path)
    assert json.loads(path.read_text()) == {
        "@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"},
        PLUGIN: {"other": 1, "saveState": True},
    }
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left


def test_refuses_a_file_that_is_not_an_object(tmp_path):
    path = overrides_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("[1, 2]")
    with pytest.raises(ValueError, match="JSON object"):
        write(tmp_path)
    assert path.read_text() == "[1, 2]"


def test_jupyterlab_server_reads_it(tmp_path, monkeypatch):
    """The file is where jupyterlab_server's overrides come from (JupyterLab and Notebook 7)."""
    settings_utils = pytest.importorskip("jupyterlab_server.settings_utils")
    path = write(tmp_path)
    probe = json.loads(path.read_text())
    probe[PLUGIN]["probe"] = 1  # tells this file from the running environment's own
    path.write_text(json.dumps(probe))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(tmp_path / "etc" / "jupyter"))
    overrides, error = settings_utils._get_overrides(str(tmp_path / "no-app-settings"))
    assert not error and overrides[PLUGIN] == {"saveState": True, "probe": 1}


def test_jupyter_server_reads_the_pre_save_hook(tmp_path, monkeypatch):
    serverapp = pytest.importorskip("jupyter_server.serverapp")
    from lab_settings import HOOK, server_config_file

    write(tmp_path)
    config = json.loads(server_config_file(tmp_path).read_text())
    config["ContentsManager"]["probe"] = 1  # tells this file from the running environment's own
    server_config_file(tmp_path).write_text(json.dumps(config))
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(tmp_path / "etc" / "jupyter"))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "home-config"))
    app = serverapp.ServerApp()
    app.load_config_file()
    assert app.config.ContentsManager.probe == 1
    assert app.config.ContentsManager.pre_save_hook == HOOK
