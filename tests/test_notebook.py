import torch
from latentebm.notebook import setup, show_source


def test_setup_fixes_threads_and_returns_device():
    dev = setup(seed=1)
    assert torch.get_num_threads() == 1
    assert dev.type in ("cpu", "cuda")


def test_show_source_displays_the_code(monkeypatch):
    import IPython.display
    from latentebm.sparse import shrink

    shown = []
    monkeypatch.setattr(IPython.display, "display", shown.append)
    show_source(shrink)
    assert "def shrink(x: torch.Tensor, threshold)" in shown[0].data
    assert "latentebm.sparse.energy.shrink" in shown[0].data
