"""Input validation shared by the library (latentebm._checks)."""

import pytest
import torch
from latentebm._checks import all_finite, as_tensor


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_one_non_finite_entry_is_found(bad, dtype):
    x = torch.randn(50, 7, dtype=dtype)
    x[31, 4] = bad
    assert not all_finite(x)
    with pytest.raises(ValueError, match="y contains NaN or infinite"):
        as_tensor("y", x, ndims=(2,), shape_doc="(N, 7)")


def test_opposite_infinities_are_found():
    x = torch.zeros(10)
    x[2], x[7] = float("inf"), -float("inf")  # their sum is NaN, not inf
    assert not all_finite(x)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_finite_entries_whose_sum_overflows_are_accepted(dtype):
    big = torch.finfo(dtype).max
    x = torch.full((4, 3), big / 2, dtype=dtype)  # every entry finite, the sum is inf
    assert not torch.isfinite(x.sum())
    assert all_finite(x)
    assert as_tensor("W", x, ndims=(2,), shape_doc="(n, m)") is x
