import random

import numpy as np
import pytest
import torch
from latentebm import default_device, seed_everything, set_threads


def test_default_device_follows_cuda_availability():
    assert default_device().type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_seed_everything_reproduces_all_generators():
    seed_everything(3)
    a = (random.random(), np.random.rand(), torch.rand(1).item())
    g = seed_everything(3)
    b = (random.random(), np.random.rand(), torch.rand(1).item())
    assert a == b
    assert (
        torch.rand(1, generator=g).item()
        == torch.rand(1, generator=torch.Generator().manual_seed(3)).item()
    )
    with pytest.raises(ValueError, match="seed"):
        seed_everything(-1)


def test_set_threads():
    assert set_threads(1) == 1 and torch.get_num_threads() == 1
    with pytest.raises(ValueError):
        set_threads(0)
