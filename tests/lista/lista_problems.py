"""Random sparse-coding problems shared by LISTA's tests."""

import torch


def problem(N, n, m, dtype=torch.float64, device="cpu", seed=0):
    """Signals that are sparse combinations of a random unit-norm dictionary, plus noise."""
    g = torch.Generator().manual_seed(seed)
    W = torch.randn(n, m, generator=g, dtype=torch.float64)
    W = W / W.norm(dim=0)
    z = torch.randn(N, m, generator=g, dtype=torch.float64) * (torch.rand(N, m, generator=g) < 0.1)
    y = z @ W.T + 0.05 * torch.randn(N, n, generator=g, dtype=torch.float64)
    return y.to(device, dtype), W.to(device, dtype)
