"""One table of the book's artefacts: every committed checkpoint has a recipe and its settings,
one loader loads or trains any of them, one command retrains them and keeps SHA256SUMS true."""

import hashlib
import inspect
import shutil

import pytest
import torch
from latentebm import chapters
from latentebm import checkpoints as ckpts
from latentebm.chapters import __main__ as cli
from latentebm.chapters.artefacts import ARTEFACTS, Artefact


def test_every_committed_checkpoint_is_an_artefact_and_every_artefact_is_committed():
    files = {p.stem for p in ckpts.CHECKPOINT_DIR.glob("*.pt")}
    assert files == set(chapters.ARTEFACTS)


@pytest.mark.parametrize("name", sorted(chapters.ARTEFACTS))
def test_each_recipe_takes_its_settings_and_what_it_needs(name):
    art = chapters.artefact(name)
    params = inspect.signature(art.recipe).parameters
    keyword_only = {p for p, v in params.items() if v.kind is inspect.Parameter.KEYWORD_ONLY}
    positional = set(params) - keyword_only
    assert positional == set(art.settings), name  # every setting is the recipe's, and no other
    assert keyword_only == set(art.needs) | {"device", "progress"}, name
    assert set(art.needs.values()) <= set(chapters.ARTEFACTS)


def test_the_tables_are_read_only_and_settings_are_copies():
    art = chapters.artefact("mnist_dictionary")
    with pytest.raises(TypeError):
        art.settings["lam"] = 1.0
    s = chapters.settings("mnist_dictionary")
    s["lam"] = 1.0
    assert chapters.settings("mnist_dictionary")["lam"] == 0.25


def test_dependents_come_after_what_they_need():
    order = chapters.dependents(["mnist_dictionary"])
    assert order[0] == "mnist_dictionary" and set(order) == {
        "mnist_dictionary", "lista_targets", "lista_K1", "lista_K2", "lista_K3", "lista_K5",
        "lista_K10",
    }  # fmt: skip
    assert order.index("lista_targets") < min(order.index(f"lista_K{k}") for k in (1, 2, 3, 5, 10))
    assert chapters.dependents(["conv_sae_grey_32"]) == ["conv_sae_grey_32", "conv_few_labels"]


def test_unknown_names_are_refused():
    with pytest.raises(ValueError, match="mnist_dictionary"):
        chapters.load("mnist_dictionnary")
    with pytest.raises(TypeError, match="retrain"):
        chapters.load("latent_noisy", retrain="yes")


# --- training through the loader and the command, in a stand-in for the committed folder -------


@pytest.fixture
def book_dir(tmp_path, monkeypatch):
    """A copy of the committed folder (two checkpoints and the manifest) standing in for it, and
    two small artefacts in the table: ``toy_base`` and ``toy_child`` (which needs it)."""
    d = tmp_path / "checkpoints"
    d.mkdir()
    shutil.copy(ckpts.CHECKPOINT_DIR / "latent_noisy.pt", d / "latent_noisy.pt")
    sums = ckpts.read_manifest()["latent_noisy.pt"]
    (d / "SHA256SUMS").write_text(f"{min(sums)}  latent_noisy.pt\n")
    monkeypatch.setattr(ckpts, "CHECKPOINT_DIR", d)
    monkeypatch.setattr(ckpts, "MANIFEST", d / "SHA256SUMS")
    calls = []

    def base(scale, *, device=None, progress=False):
        calls.append("toy_base")
        return {"W": torch.full((2,), float(scale))}

    def child(offset, *, base, device=None, progress=False):
        calls.append("toy_child")
        return {"W": base["W"] + offset}

    monkeypatch.setitem(ARTEFACTS, "toy_base", Artefact("toy_base", "0", base, {"scale": 2.0}))
    monkeypatch.setitem(ARTEFACTS, "toy_child",
                        Artefact("toy_child", "0", child, {"offset": 1.0}, needs={"base": "toy_base"}))  # fmt: skip
    return d, calls


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_load_trains_what_is_missing_first_and_records_it(book_dir):
    d, calls = book_dir
    ckpt = chapters.load("toy_child")
    assert calls == ["toy_base", "toy_child"] and torch.equal(ckpt["W"], torch.full((2,), 3.0))
    sums = ckpts.read_manifest()
    assert sums["toy_child.pt"] == {digest(d / "toy_child.pt")}
    assert sums["toy_base.pt"] == {digest(d / "toy_base.pt")}
    chapters.load("toy_child")  # now committed: loaded, verified, not trained
    assert calls == ["toy_base", "toy_child"]


def test_retraining_updates_the_manifest_atomically(book_dir, monkeypatch):
    d, calls = book_dir
    chapters.load("toy_base")
    old = digest(d / "toy_base.pt")
    monkeypatch.setitem(ARTEFACTS, "toy_base", Artefact("toy_base", "0", ARTEFACTS["toy_base"].recipe,
                                                        {"scale": 5.0}))  # fmt: skip
    new = chapters.load("toy_base", retrain=True)
    assert torch.equal(new["W"], torch.full((2,), 5.0))
    assert ckpts.read_manifest()["toy_base.pt"] == {digest(d / "toy_base.pt")} != {old}
    assert ckpts.read_manifest()["latent_noisy.pt"]  # the other entries stay


def test_the_command_retrains_an_artefact_and_its_dependents(book_dir, capsys):
    d, calls = book_dir
    cli.main(["train", "toy_base", "--dependents", "--device", "cpu", "--no-progress"])
    assert calls == ["toy_base", "toy_child"]
    out = capsys.readouterr().out
    assert "toy_base:" in out and "toy_child:" in out
    sums = ckpts.read_manifest()
    for name in ("toy_base", "toy_child"):
        assert sums[f"{name}.pt"] == {digest(d / f"{name}.pt")}
    cli.main(["train", "toy_child", "--device", "cpu", "--no-progress"])  # alone: base is loaded
    assert calls == ["toy_base", "toy_child", "toy_child"]
    with pytest.raises(SystemExit):
        cli.main(["train", "no_such_thing"])


def test_the_command_lists_every_artefact(capsys):
    cli.main(["list"])
    out = capsys.readouterr().out
    for name in chapters.ARTEFACTS:
        assert f" {name} " in out
    assert "'lam': 0.25" in out and "needs mnist_dictionary" in out
