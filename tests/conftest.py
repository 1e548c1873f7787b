"""Shared fixtures: one torch thread (fast, reproducible), a device over CPU and CUDA-if-present."""

import pytest
import torch
from latentebm import set_threads

set_threads()

DEVICES = [
    "cpu",
    pytest.param(
        "cuda",
        marks=pytest.mark.skipif(
            not torch.cuda.is_available(), reason="CUDA not available on this machine"
        ),
    ),
]


@pytest.fixture(params=DEVICES)
def device(request):
    return torch.device(request.param)


@pytest.fixture
def gen():
    return torch.Generator().manual_seed(0)
