import pickle

import pytest
import torch
from latentebm.checkpoints import load, load_or_train, save


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
