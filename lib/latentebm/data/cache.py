"""Where data and downloads live, and how files are written there (atomically, readable by others).

Every file is first written to a temporary file beside its target, flushed to disk (``fsync``),
given the permissions of the process's umask (``mkstemp`` creates 0600 files, unreadable on a
shared class server), then renamed onto the target: a crash never leaves a half-written file. A
process killed in the middle leaves its temporary file behind; the next write or load of the same
target removes it (``clean_stale_temporaries``).
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import tempfile
import time
from pathlib import Path

ENV = "LATENTEBM_DATA"
# Temporary files are named <target>.tmp-<host>-<pid>-<random>: a later process can tell whether
# their writer is still alive (same host) before removing them.
_HOST = hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]
_STALE_AFTER = (
    24 * 3600
)  # seconds: a temporary of another host (or of the old naming) this old is dead


def _as_path(name: str, value) -> Path:
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or os.PathLike), got {type(value).__name__}")
    return Path(value).expanduser()


def data_root(root: str | os.PathLike | None = None) -> Path:
    """The data cache folder: ``root``, else ``$LATENTEBM_DATA``, else ``~/.cache/latentebm``."""
    if root is not None:
        path, name = _as_path("root", root), "root"
    elif os.environ.get(ENV):
        path, name = Path(os.environ[ENV]).expanduser(), ENV
    else:
        path, name = Path.home() / ".cache" / "latentebm", "the default data folder"
    if path.exists() and not path.is_dir():
        raise ValueError(f"{name}={str(path)!r} is a file, not a folder: point it at a folder")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists (another user's), or cannot tell: keep its file
    return True


def clean_stale_temporaries(path: Path) -> list[Path]:
    """Remove the temporary files that killed writers of ``path`` left beside it; return them.

    A temporary is stale when its writer (same host) is no longer running, or when it is more than
    a day old (another host's, or one named by an older version of this library)."""
    path = Path(path)
    if not path.parent.is_dir():
        return []
    ours = re.compile(re.escape(path.name) + r"\.tmp-([0-9a-f]{8})-(\d+)-")
    older = re.compile(re.escape(path.name) + r"\.[^/]*\.tmp$")  # mkstemp names before 2026-12
    removed = []
    for f in path.parent.glob(glob_escape(path.name) + ".*"):
        m = ours.match(f.name)
        try:
            age = time.time() - f.stat().st_mtime
        except OSError:
            continue
        if m:
            host, pid = m.group(1), int(m.group(2))
            stale = (host == _HOST and not _pid_alive(pid)) or age > _STALE_AFTER
        else:
            stale = bool(older.match(f.name)) and age > 3600
        if stale:
            try:
                f.unlink()
                removed.append(f)
            except OSError:
                pass
    return removed


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # Windows cannot open a folder
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(path: Path, write) -> None:
    """Call ``write(tmp_path)`` then rename onto ``path``: a crash never leaves a half-written file.

    The file is synced to disk before the rename and gets the umask's permissions (as ``open``
    would give it); stale temporaries of killed writers of ``path`` are removed first."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{path.name}.tmp-{_HOST}-{os.getpid()}-")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def write_bytes(path: Path, data: bytes) -> None:
    """:func:`atomic_write` of ``data``."""
    atomic_write(path, lambda p: p.write_bytes(data))
