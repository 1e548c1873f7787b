r"""LISTA: ISTA unfolded into a K-step recurrent network whose weights are learned.

For the energy :math:`E(z, y) = \|y - Wz\|^2 + \lambda\|z\|_1` (no 1/2), one ISTA step with
:math:`L = \|W\|_2^2` is (see :mod:`latentebm.sparse.solvers`)

.. math:: z \leftarrow \mathrm{shrink}_{\lambda/(2L)}\big(z - \tfrac1L W^\top(Wz - y)\big)
          = \mathrm{shrink}_{\lambda/(2L)}\big(\tfrac1L W^\top y + (I - \tfrac1L W^\top W)\, z\big).

With :math:`W_e = W/L` of shape (n, m) and :math:`S = I - W^\top W/L` of shape (m, m) this is
:math:`z \leftarrow \mathrm{shrink}_\theta(W_e^\top y + S z)` for a column signal, i.e.
``shrink(y @ W_e + z @ S)`` for row signals (S is symmetric at initialization). The lecture's
"- S z" is a slip: the gradient step *adds* S z. LISTA (Gregor & LeCun 2010) keeps this
recurrent form, runs it for a fixed number K of iterations from z = 0 (``n_iter``, as for ISTA),
and learns :math:`W_e`, S and the threshold :math:`\theta` (one per code component) by
backpropagation through time, so that :math:`z(K)` predicts the optimal code :math:`z^*`. Training
lives in :mod:`latentebm.lista.train`, evaluation in :mod:`latentebm.lista.evaluation`.
"""

from __future__ import annotations

import torch
from torch import nn

from .._checks import as_tensor, module, nonneg, positive, positive_int
from ..sparse import lipschitz
from ..sparse.energy import shrink_unchecked


class LISTA(nn.Module):
    r"""K iterations of :math:`z \leftarrow \mathrm{shrink}_\theta(y W_e + z S)` from :math:`z = 0`.

    Initialized exactly as ISTA on :math:`\|y - Wz\|^2 + \lambda\|z\|_1`:
    :math:`W_e = W/L`, :math:`S = I - W^\top W/L`, :math:`\theta = \lambda/(2L)` for every
    component, with :math:`L = \|W\|_2^2`; before training, ``LISTA(W, lam, K)(y)`` equals
    ``ista(y, W, lam, n_iter=K)`` up to rounding.

    Parameters
    ----------
    W : Tensor of shape (n, m)
        Dictionary (decoder), one atom per column. Sets the initial weights, dtype and device.
    lam : float >= 0
        Sparsity weight of the energy.
    n_iter : int >= 1
        Number K of unfolded iterations (the ``n_iter`` of the ISTA it starts as).
    untied : bool
        If False (default, as in the paper) the K steps share ``W_e``, ``S`` and ``threshold``.
        If True each step has its own: ``W_e`` (K, n, m), ``S`` (K - 1, m, m) (step 1 starts
        from z = 0 and has no use for S), ``threshold`` (K, m).
    L : float, optional
        A precomputed ``lipschitz(W)``.

    Attributes
    ----------
    W_e : Parameter of shape (n, m), or (K, n, m) untied
    S : Parameter of shape (m, m), or (K - 1, m, m) untied
    threshold : Parameter of shape (m,), or (K, m) untied
        Clamped at 0 in the forward pass (a negative threshold is no shrinkage).

    References
    ----------
    Gregor & LeCun (2010), "Learning fast approximations of sparse coding", ICML;
    the book's chapter "LISTA".
    """

    def __init__(
        self,
        W: torch.Tensor,
        lam: float,
        n_iter: int,
        *,
        untied: bool = False,
        L: float | None = None,
    ):
        super().__init__()
        W = as_tensor("W", W, ndims=(2,), shape_doc="(n, m): one atom per column")
        lam = nonneg("lam", lam)
        n_iter = positive_int("n_iter", n_iter)
        if not isinstance(untied, bool):
            raise TypeError(f"untied must be a bool, got {type(untied).__name__}")
        L = lipschitz(W) if L is None else positive("L", L)
        if L == 0:
            raise ValueError("W is all zeros: ISTA's step 1/L is undefined (L = 0)")
        W = W.detach()
        n, m = W.shape
        self.n, self.m, self.n_iter, self.untied = n, m, n_iter, untied
        self.lam, self.L = lam, L
        W_e = W / L  # (n, m)
        S = torch.eye(m, dtype=W.dtype, device=W.device) - (W.T @ W) / L  # (m, m)
        threshold = W.new_full((m,), lam / (2 * L))  # prox of lam*||z||_1 at step 1/(2L)
        if untied:
            W_e = W_e.expand(n_iter, n, m)  # (K, n, m)
            S = S.expand(n_iter - 1, m, m)  # (K-1, m, m)
            threshold = threshold.expand(n_iter, m)  # (K, m)
        self.W_e = nn.Parameter(W_e.clone())
        self.S = nn.Parameter(S.clone())
        self.threshold = nn.Parameter(threshold.clone())

    def extra_repr(self) -> str:
        return (
            f"n={self.n}, m={self.m}, n_iter={self.n_iter}, untied={self.untied}, lam={self.lam:g}"
        )

    def checkpoint(self, **extra) -> dict:
        """The weights (float32, CPU) and settings, as a dict of tensors and numbers for
        :func:`latentebm.checkpoints.save`; ``extra`` entries (training settings, history) are
        stored alongside. :meth:`from_checkpoint` rebuilds the module."""
        out = {k: v.detach().float().cpu().contiguous() for k, v in self.state_dict().items()}
        out.update(lam=self.lam, L=self.L, n_iter=self.n_iter, untied=self.untied)
        return {**out, **extra}

    @classmethod
    def from_checkpoint(cls, ckpt: dict, device=None) -> LISTA:
        """Rebuild a LISTA (float32, in eval mode, on ``device``) from :meth:`checkpoint`'s dict."""
        if not isinstance(ckpt, dict):
            raise TypeError(
                f"ckpt must be a dict from LISTA.checkpoint(), got {type(ckpt).__name__}"
            )
        # Checkpoints written before the rename of n_steps to n_iter (2026-12) store n_steps.
        n_iter = ckpt.get("n_iter", ckpt.get("n_steps"))
        missing = {"W_e", "S", "threshold", "lam", "L", "untied"} - set(ckpt)
        if missing or n_iter is None:
            missing = sorted(missing | ({"n_iter"} if n_iter is None else set()))
            raise ValueError(f"ckpt is not a LISTA checkpoint: missing {missing}")
        n, m = ckpt["W_e"].shape[-2:]
        model = cls(torch.zeros(n, m), ckpt["lam"], int(n_iter), untied=bool(ckpt["untied"]), L=1.0)
        model.load_state_dict({k: ckpt[k].float() for k in ("W_e", "S", "threshold")})
        model.L = float(ckpt["L"])
        return model.to(device).eval()

    def _step_params(self, k: int):
        """(W_e, S, threshold) of step k = 0..K-1 (S is None at step 0, which starts from z = 0)."""
        if not self.untied:
            return self.W_e, self.S, self.threshold
        return self.W_e[k], (self.S[k - 1] if k > 0 else None), self.threshold[k]

    def forward(self, y: torch.Tensor, history: bool = False):
        """Run the K unfolded iterations on signals ``y``.

        Parameters
        ----------
        y : Tensor of shape (N, n) or (n,)
            Signals, one per row, on the module's device and dtype.
        history : bool
            Also return the code after every iteration.

        Returns
        -------
        z : Tensor of shape (N, m) or (m,)
            The code z(K).
        codes : list of K Tensors of shape (N, m) or (m,), only with ``history=True``
            z(1), ..., z(K).
        """
        y = self.check_signals(y)
        unbatched = y.ndim == 1
        z, codes = self.unfold(y.unsqueeze(0) if unbatched else y, history)  # (N, m)
        if unbatched:
            z, codes = z[0], [c[0] for c in codes]
        return (z, codes) if history else z

    def unfold(self, y2: torch.Tensor, history: bool = False):
        """The K iterations on a checked batch ``y2`` (N, n): ``(z, codes)``, the K intermediate
        codes with ``history`` (else an empty list). What :meth:`forward` and the training loop run."""
        codes = []
        b = None
        z = None
        for k in range(self.n_iter):
            W_e, S, theta = self._step_params(k)
            if b is None or self.untied:
                b = y2 @ W_e  # (N, m): the input term W_e^T y, constant over iterations when tied
            pre = b if z is None else torch.addmm(b, z, S)  # (N, m): y W_e + z S
            z = shrink_unchecked(pre, theta.clamp_min(0))  # one threshold per component
            if history:
                codes.append(z)
        return z, codes

    def check_signals(self, y, name: str = "y") -> torch.Tensor:
        """``y`` if it is (N, n) or (n,) on the module's device and dtype, else a clear error."""
        n = self.n
        y = as_tensor(name, y, ndims=(1, 2), shape_doc=f"(N, {n}) or ({n},)")
        if y.shape[-1] != n:
            raise ValueError(
                f"{name} must have shape (N, {n}) or ({n},) to match LISTA's W_e, got "
                f"{tuple(y.shape)}"
            )
        ref = self.W_e
        if y.device != ref.device or y.dtype != ref.dtype:
            raise ValueError(
                f"{name} is {y.dtype} on {y.device} but LISTA's weights are {ref.dtype} on "
                f"{ref.device}; move one of them (e.g. model.to(y))"
            )
        return y


@torch.no_grad()
def predict(model: LISTA, y: torch.Tensor, *, batch_size: int = 4096) -> torch.Tensor:
    """LISTA's codes z(K) for many signals, in minibatches and without autograd: (N, m) (or (m,)
    for one signal of shape (n,)). ``y`` is checked once, as a whole."""
    module("model", model, LISTA)
    y = model.check_signals(y)
    if y.ndim == 1:
        return model.unfold(y[None])[0][0]
    batch_size = positive_int("batch_size", batch_size)
    return torch.cat(
        [model.unfold(y[s : s + batch_size])[0] for s in range(0, y.shape[0], batch_size)]
    )
