"""Random Lasso problems and the optimality check shared by the sparse solvers' tests."""

import torch


def problem(N, n, m, dtype, device, seed=0, offset=0.0, noise=0.01):
    """Signals y (N, n) = W z + noise from a random unit-norm W (n, m) and 10%-sparse codes.

    A common positive ``offset`` added to W before normalization makes one dominant direction
    (the mean atom), as in dictionaries learned on non-negative data.
    """
    g = torch.Generator().manual_seed(seed)
    W = torch.randn(n, m, generator=g, dtype=torch.float64) + offset
    W = W / W.norm(dim=0)
    z_true = torch.randn(N, m, generator=g, dtype=torch.float64) * (
        torch.rand(N, m, generator=g) < 0.1
    )
    y = z_true @ W.T + noise * torch.randn(N, n, generator=g, dtype=torch.float64)
    return y.to(device, dtype), W.to(device, dtype)


def kkt_violation(y, W, z, lam):
    """Max violation of the Lasso optimality conditions for ||y - Wz||^2 + lam||z||_1."""
    g = 2 * (z @ W.T - y) @ W  # gradient of the smooth part, (N, m)
    active = z != 0
    v_active = (g + lam * torch.sign(z)).abs()[active]
    v_zero = (g.abs() - lam).clamp_min(0)[~active]
    return max(v_active.max().item() if v_active.numel() else 0.0, v_zero.max().item())
