import pickle

import pytest
import torch
from latentebm.checkpoints import dense_codes, load, load_or_train, save, sparse_codes


def test_save_load_roundtrip_and_no_temp_files(tmp_path):
    p = save({"W": torch.arange(3.0)}, tmp_path / "a.pt")
    assert torch.equal(load(p)["W"], torch.arange(3.0))
    assert [f.name for f in tmp_path.iterdir()] == ["a.pt"]


def test_failed_save_keeps_previous_checkpoint(tmp_path):
    p = save({"W": torch.ones(2)}, tmp_path / "a.pt")
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        save({"f": lambda: 0}, p)  # cannot be pickled: the save fails midway
    assert torch.equal(load(p)["W"], torch.ones(2))
    assert [f.name for f in tmp_path.iterdir()] == ["a.pt"]


def test_load_or_train_trains_once(tmp_path):
    calls = []

    def train():
        calls.append(1)
        return {"W": torch.zeros(2)}

    p = tmp_path / "m.pt"
    load_or_train(p, train)
    load_or_train(p, train)
    assert len(calls) == 1
    load_or_train(p, train, retrain=True)
    assert len(calls) == 2


def test_load_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.pt")
    (tmp_path / "bad.pt").write_bytes(b"garbage")
    with pytest.raises(RuntimeError, match="unreadable"):
        load(tmp_path / "bad.pt")


def test_every_committed_checkpoint_loads_safely():
    # weights_only loading: a checkpoint holding anything but tensors and plain Python values
    # (a TorchVersion string, a class) would be refused in the reader's notebook.
    from latentebm.checkpoints import CHECKPOINT_DIR

    files = sorted(CHECKPOINT_DIR.glob("*.pt"))
    assert len(files) >= 20
    for f in files:
        assert load(f) is not None, f.name


# --- integrity: the committed checkpoints and their manifest (issue 15, section 4) -------------

import hashlib  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
from latentebm import checkpoints as ckpts  # noqa: E402
from latentebm.data import cache  # noqa: E402


def test_committed_checkpoints_match_the_manifest():
    """Every committed checkpoint is listed once in SHA256SUMS, with its sha256, and every entry
    has its file. A retraining (load_or_train, python -m latentebm.chapters train) rewrites both:
    commit both."""
    sums = ckpts.read_manifest()
    files = {f.name: f for f in ckpts.CHECKPOINT_DIR.glob("*.pt")}
    assert set(sums) == set(files), set(sums) ^ set(files)
    for name, f in files.items():
        assert len(sums[name]) == 1, f"{name}: a save was interrupted between its two steps"
        assert hashlib.sha256(f.read_bytes()).hexdigest() in sums[name], name


@pytest.fixture
def book_dir(tmp_path, monkeypatch):
    """A copy of the committed folder (two checkpoints and the manifest) standing in for it."""
    d = tmp_path / "checkpoints"
    d.mkdir()
    for name in ("lista_K1.pt", "latent_noisy.pt"):
        shutil.copy(ckpts.CHECKPOINT_DIR / name, d / name)
    sums = {
        k: v for k, v in ckpts.read_manifest().items() if k in ("lista_K1.pt", "latent_noisy.pt")
    }
    (d / "SHA256SUMS").write_text("".join(f"{min(v)}  {k}\n" for k, v in sorted(sums.items())))
    monkeypatch.setattr(ckpts, "CHECKPOINT_DIR", d)
    monkeypatch.setattr(ckpts, "MANIFEST", d / "SHA256SUMS")
    return d


def test_a_modified_committed_checkpoint_is_refused(book_dir):
    p = book_dir / "lista_K1.pt"
    assert ckpts.load(p)["n_iter"] == 1
    data = bytearray(p.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one flipped byte inside the weights: still a valid zip
    p.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="does not match its sha256") as e:
        ckpts.load(p)
    assert "git checkout -- lib/latentebm/checkpoints/lista_K1.pt" in str(e.value)
    (book_dir / "stray.pt").write_bytes((book_dir / "latent_noisy.pt").read_bytes())
    with pytest.raises(RuntimeError, match="not listed in"):
        ckpts.load(book_dir / "stray.pt")


def test_retraining_updates_the_manifest(book_dir):
    p = book_dir / "lista_K1.pt"
    new = ckpts.load_or_train(p, lambda: {"W": torch.ones(3)}, retrain=True)
    assert torch.equal(ckpts.load(p)["W"], new["W"])
    assert ckpts.read_manifest()["lista_K1.pt"] == {hashlib.sha256(p.read_bytes()).hexdigest()}
    ckpts.save({"x": 1}, book_dir / "brand_new.pt")  # a new name is added
    assert ckpts.load(book_dir / "brand_new.pt") == {"x": 1}
    assert set(ckpts.read_manifest()) == {"lista_K1.pt", "latent_noisy.pt", "brand_new.pt"}


@pytest.mark.parametrize("crash_at", [1, 2])
def test_a_save_killed_between_its_steps_leaves_a_loadable_checkpoint(
    book_dir, monkeypatch, crash_at
):
    """Killed after writing the manifest with both digests (1), or after renaming the checkpoint
    (2): the file on disk matches the manifest either way."""
    p = book_dir / "latent_noisy.pt"
    old = ckpts.load(p)
    real_write = ckpts.write_bytes
    calls = []

    def write_then_die(path, data):
        calls.append(path.name)
        if len(calls) > crash_at:
            raise KeyboardInterrupt
        real_write(path, data)

    monkeypatch.setattr(ckpts, "write_bytes", write_then_die)
    with pytest.raises(KeyboardInterrupt):
        ckpts.save({"W": torch.zeros(2)}, p)
    monkeypatch.setattr(ckpts, "write_bytes", real_write)
    assert len(ckpts.read_manifest()["latent_noisy.pt"]) == 2  # both digests accepted meanwhile
    loaded = ckpts.load(p)
    if crash_at == 1:
        assert loaded.keys() == old.keys()
    else:
        assert torch.equal(loaded["W"], torch.zeros(2))
    assert [f.name for f in book_dir.iterdir() if ".tmp-" in f.name] == []


def test_save_refuses_what_a_weights_only_load_refuses(tmp_path):
    with pytest.raises(TypeError, match=r"obj\['history'\]\['lr'\] is a numpy.float64"):
        save({"W": torch.ones(2), "history": {"lr": np.float64(1e-3)}}, tmp_path / "a.pt")
    with pytest.raises(ValueError, match=r"obj\['W'\] holds NaN"):
        save({"W": torch.tensor([0.0, float("nan")])}, tmp_path / "a.pt")
    assert list(tmp_path.iterdir()) == []  # nothing written, not even a temporary


def test_weights_only_refusal_is_one_line_of_ours(tmp_path):
    torch.save({"lam": np.float64(0.5)}, tmp_path / "np.pt")
    with pytest.raises(RuntimeError) as e:
        load(tmp_path / "np.pt")
    msg = str(e.value)
    assert "\n" not in msg and "\x1b" not in msg and "numpy" in msg
    assert "do not load it with weights_only=False" in msg  # torch's advice would be the opposite


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077])
def test_saved_files_follow_the_umask(tmp_path, umask):
    old = os.umask(umask)
    try:
        p = save({"a": 1}, tmp_path / "a.pt")
    finally:
        os.umask(old)
    assert p.stat().st_mode & 0o777 == 0o666 & ~umask


def test_a_killed_writers_temporary_is_removed(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    stale = tmp_path / f"a.pt.tmp-{cache._HOST}-{dead}-xyz"
    alive = tmp_path / f"a.pt.tmp-{cache._HOST}-{os.getpid()}-abc"  # a save still running
    old_style = tmp_path / "a.pt.k2j3h4.tmp"
    for f in (stale, alive, old_style):
        f.write_bytes(b"x" * 100)
    os.utime(old_style, (0, 0))  # from 1970: long dead
    save({"a": 1}, tmp_path / "a.pt")
    assert sorted(f.name for f in tmp_path.iterdir()) == sorted(["a.pt", alive.name])
    alive.unlink()
    stale.write_bytes(b"x")
    load(tmp_path / "a.pt")  # a load cleans too: load_or_train may never save again
    assert [f.name for f in tmp_path.iterdir()] == ["a.pt"]


def test_the_file_is_synced_before_the_rename(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(cache.os, "fsync", lambda fd: (events.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(
        cache.os, "replace", lambda a, b: (events.append("replace"), real_replace(a, b))[1]
    )
    save({"a": 1}, tmp_path / "a.pt")
    assert events[:2] == ["fsync", "replace"]


def test_sparse_codes_round_trip():
    g = torch.Generator().manual_seed(0)
    z = torch.randn(40, 50, generator=g) * (torch.rand(40, 50, generator=g) < 0.1)
    d = sparse_codes(z)
    assert d["index"].numel() == int((z != 0).sum()) < z.numel()
    torch.testing.assert_close(dense_codes(d), z, rtol=0, atol=0)
    assert ckpts.serialize(d)  # storable as it is
    with pytest.raises(ValueError, match="index"):
        dense_codes({**d, "index": d["index"] + 10_000})
