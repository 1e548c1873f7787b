"""Where data and downloads live, and how files are written there (atomically)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def data_root(root: str | os.PathLike | None = None) -> Path:
    """The data cache folder: ``root``, else ``$LATENTEBM_DATA``, else ``~/.cache/latentebm``."""
    if root is None:
        root = os.environ.get("LATENTEBM_DATA") or Path.home() / ".cache" / "latentebm"
    path = Path(root).expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def atomic_write(path: Path, write) -> None:
    """Call ``write(tmp_path)`` then rename onto ``path``: a crash never leaves a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
