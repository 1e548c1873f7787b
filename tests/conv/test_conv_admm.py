import math

import pytest
import torch
from latentebm.conv import conv_admm, conv_energy, conv_fista


def problem(seed=0, device="cpu"):
    g = torch.Generator().manual_seed(seed)
    K = torch.randn(6, 1, 5, 5, generator=g, dtype=torch.float64)
    K = K / K.flatten(1).norm(dim=1).view(-1, 1, 1, 1)
    Y = torch.randn(2, 1, 24, 24, generator=g, dtype=torch.float64)
    return Y.to(device), K.to(device)


def test_admm_reaches_the_fista_minimum(device):
    Y, K = problem(device=device)
    Z_f = conv_fista(Y, K, 0.5, n_iter=5000, tol=1e-14, boundary="circular")
    Z_a, hist = conv_admm(Y, K, 0.5, n_iter=400, history=True)
    assert Z_a.shape == Z_f.shape and Z_a.device == Y.device and hist.shape == (401, 2)
    e_f = conv_energy(Y, K, Z_f, 0.5, "circular")
    torch.testing.assert_close(hist[-1], conv_energy(Y, K, Z_a, 0.5, "circular"))
    assert ((hist[-1] - e_f) / e_f).abs().max() < 1e-8
    assert (Z_a == 0).float().mean() > 0.3  # the returned variable is the sparse one


def test_tol_stops_early_and_bad_inputs():
    Y, K = problem()
    _, hist = conv_admm(Y, K, 0.5, n_iter=2000, tol=1e-4, history=True)
    assert hist.shape[0] < 2001
    with pytest.raises(ValueError, match="grey"):
        conv_admm(Y.expand(2, 3, 24, 24), K.expand(6, 3, 5, 5), 0.5)
    with pytest.raises(ValueError, match="relax"):
        conv_admm(Y, K, 0.5, relax=2.5)


def reference_admm(Y, K, lam, n_iter, relax=1.8):
    """The textbook iteration (SPORCO's ConvBPDN): full arrays, rho adapted every iteration."""
    import math

    H, W = Y.shape[-2:]
    d = torch.fft.rfft2(K, s=(H, W))[:, 0]  # (m, H, W//2+1)
    lmbda = lam / 2
    rho = torch.full((Y.shape[0], 1, 1, 1), 50 * lmbda + 1, dtype=Y.dtype)
    xi = 1.0 + 18.3 ** (math.log10(lmbda) + 1.0)
    V = Y.new_zeros(Y.shape[0], K.shape[0], H, W)
    U = torch.zeros_like(V)
    for _ in range(n_iter):
        b = d.conj() * torch.fft.rfft2(Y) + rho * torch.fft.rfft2(V - U)
        dtb = (d * b).sum(1, keepdim=True)
        X = torch.fft.irfft2((b - d.conj() * dtb / (rho + (d.abs() ** 2).sum(0))) / rho, s=(H, W))
        Xr = relax * X + (1 - relax) * V
        V_old, V = V, (Xr + U - (Xr + U).clamp(-lmbda / rho, lmbda / rho))
        U = U + Xr - V
        nrm = lambda Z: Z.flatten(1).norm(dim=1)  # noqa: E731
        r = nrm(X - V) / torch.maximum(nrm(X), nrm(V))
        s = nrm(V - V_old) / nrm(U)
        ratio = r / (xi * s)
        tau = torch.sqrt(torch.where(ratio > 1, ratio, 1 / ratio)).clamp_max(1000.0)
        f = torch.where(ratio > 1.2, tau, torch.where(ratio < 1 / 1.2, 1 / tau, 1.0)).view(
            -1, 1, 1, 1
        )
        rho, U = rho * f, U / f
    return V


# math.inf: the whole batch in one block (the default off the CPU; the CUDA case failed with it once)
@pytest.mark.parametrize("block_bytes", [math.inf, 1 << 30, 24 * 24 * 8 * 2, 1])
def test_blocked_iteration_is_the_textbook_one(block_bytes):
    # 1 << 30: one block per image; 24*24*8*2: one map pair per block; 1: the same, the smallest.
    Y, K = problem(1)
    Y = torch.cat([Y, 3 * Y.flip(-1)])  # (4, 1, 24, 24): images with different rho
    Z = conv_admm(Y, K, 0.5, n_iter=12, rho_period=1, block_bytes=block_bytes)
    torch.testing.assert_close(Z, reference_admm(Y, K, 0.5, 12), rtol=1e-9, atol=1e-11)
    with pytest.raises(ValueError, match="block_bytes must be > 0"):
        conv_admm(Y, K, 0.5, block_bytes=0)


def test_history_is_the_energy_odd_width_and_float32():
    g = torch.Generator().manual_seed(2)
    K = torch.randn(5, 1, 4, 4, generator=g, dtype=torch.float64)
    Y = torch.randn(3, 1, 20, 17, generator=g, dtype=torch.float64)  # odd W: no Nyquist column
    Z, hist = conv_admm(Y, K, 0.3, n_iter=7, history=True)
    torch.testing.assert_close(hist[-1], conv_energy(Y, K, Z, 0.3, "circular"))
    assert hist.shape == (8, 3) and torch.equal(hist[0], Y.pow(2).sum((1, 2, 3)))
    # float32 (complex64 FFTs) follows float64 and reaches the same minimum.
    Z64, h64 = conv_admm(Y, K, 0.3, n_iter=300, history=True)
    Z32, h32 = conv_admm(Y.float(), K.float(), 0.3, n_iter=300, history=True)
    assert Z32.dtype == torch.float32 and h32.dtype == torch.float32
    e32 = conv_energy(Y, K, Z32.double(), 0.3, "circular")
    assert ((e32 - h64[-1]) / h64[-1]).abs().max() < 1e-5


def test_rho_period_and_more_bad_inputs():
    Y, K = problem()
    e = {p: conv_admm(Y, K, 0.5, n_iter=400, rho_period=p, history=True)[1][-1] for p in (1, 3, 7)}
    for p in (3, 7):  # the schedule of rho changes the path, not the minimum
        assert ((e[p] - e[1]) / e[1]).abs().max() < 1e-6
    with pytest.raises(ValueError, match="rho_period"):
        conv_admm(Y, K, 0.5, rho_period=0)
    with pytest.raises(ValueError, match="rho must be > 0"):
        conv_admm(Y, K, 0.5, rho=0.0)
    with pytest.raises(ValueError, match="tol"):
        conv_admm(Y, K, 0.5, tol=-1.0)
    with pytest.raises(ValueError, match=r"Y must have shape \(N, 1, H, W\)"):
        conv_admm(Y[0], K, 0.5)
    with pytest.raises(TypeError, match="dtype"):
        conv_admm(Y.float(), K, 0.5)


def test_odd_number_of_maps_is_the_textbook_iteration():
    # The maps travel in complex pairs; an odd m gets a zero kernel whose map must stay 0.
    Y, K = problem(3)
    Z = conv_admm(Y, K[:5], 0.4, n_iter=10, rho_period=1)
    assert Z.shape == (2, 5, 24, 24)
    torch.testing.assert_close(Z, reference_admm(Y, K[:5], 0.4, 10), rtol=1e-9, atol=1e-11)


# ---- More iterations never move away from the minimum (issue 15) ------------------------------


def kernels_and_images(kind, seed=0):
    """6 unit-norm 5x5 kernels ('duplicates': the last 3 are the first one perturbed by 1e-6;
    'scaled': norms from 0.1 to 10) and two 16x16 images."""
    g = torch.Generator().manual_seed(seed)
    K = torch.randn(6, 1, 5, 5, generator=g, dtype=torch.float64)
    if kind == "duplicates":
        K[3:] = K[:1] + 1e-6 * torch.randn(3, 1, 5, 5, generator=g, dtype=torch.float64)
    K = K / K.flatten(1).norm(dim=1).view(-1, 1, 1, 1)
    if kind == "scaled":
        K = K * torch.logspace(-1, 1, 6, dtype=torch.float64).view(-1, 1, 1, 1)
    return K, torch.randn(2, 1, 16, 16, generator=g, dtype=torch.float64)


def relative_gaps(Y, K, lam, n_iter):
    """Relative energy gap of the returned codes after every iteration (worst image), against the
    lower of a long conv_fista and of the best iterate seen (the lower, the stricter)."""
    _, hist = conv_admm(Y, K, lam, n_iter=n_iter, history=True)
    Z_f = conv_fista(Y, K, lam, n_iter=3000, tol=1e-15, boundary="circular")
    e_star = torch.minimum(conv_energy(Y, K, Z_f, lam, "circular"), hist.min(0).values)
    return ((hist - e_star) / e_star).max(1).values


@pytest.mark.parametrize("kind", ["random", "duplicates", "scaled"])
def test_more_iterations_never_drift_away(kind):
    K, Y = kernels_and_images(kind)
    gap = relative_gaps(Y, K, 0.5, 1500)
    best = torch.cummin(gap, 0).values
    # ADMM is not a descent method: a later iterate may be above an earlier one (up to 3x on the
    # scaled kernels, at gaps of 1e-11), but once rho is fixed (after 300 iterations) the
    # iterates converge and never move away (before the fix: from 1e-12 back to 1e-3).
    assert (gap[400:] <= 10 * best[400:] + 1e-10).all()
    assert gap[-1] <= gap[400] and gap[-1] < 1e-6


def test_issue_snippet_stays_at_the_minimum():
    # Before the fix: relative gap 1.2e-9 after 400 iterations, 9.2e-4 after 2000 and 4.6e-3
    # after 10000 (rho adapted forever: it hopped up and down near the solution).
    Y, K = problem()
    gap = relative_gaps(Y, K, 0.5, 2000)
    assert gap[400] < 1e-8 and gap[1000:].max() < 1e-12


def test_tol_stops_small_images():
    # tol = 1e-6 never stopped on 12x12 images (7e-4 off after 10000 iterations)
    Y, K = problem()
    Y = Y[..., :12, :12].contiguous()
    _, hist = conv_admm(Y, K, 0.5, n_iter=10000, tol=1e-6, history=True)
    Z_f = conv_fista(Y, K, 0.5, n_iter=5000, tol=1e-15, boundary="circular")
    e_star = conv_energy(Y, K, Z_f, 0.5, "circular")
    assert hist.shape[0] - 1 < 2000
    assert (((hist[-1] - e_star) / e_star).abs() < 1e-9).all()


def test_all_zero_kernels_are_refused_and_zero_images_are_solved():
    Y, K = problem()
    with pytest.raises(ValueError, match="kernels are all zeros"):  # NaN codes after 400 before
        conv_admm(Y, torch.zeros_like(K), 0.5)
    Y0 = torch.cat([Y[:1], torch.zeros_like(Y[:1])])  # an all-zero image: no residual to balance
    Z = conv_admm(Y0, K, 0.5, n_iter=600)
    assert torch.isfinite(Z).all() and (Z[1] == 0).all()
    torch.testing.assert_close(Z[0], conv_admm(Y[:1], K, 0.5, n_iter=600)[0])


def test_inputs_requiring_grad_are_detached():
    Y, K = problem()
    Z = conv_admm(Y.clone().requires_grad_(), K.clone().requires_grad_(), 0.5, n_iter=20)
    assert not Z.requires_grad
    torch.testing.assert_close(Z, conv_admm(Y, K, 0.5, n_iter=20), rtol=0, atol=0)
