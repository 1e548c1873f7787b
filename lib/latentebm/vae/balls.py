r"""What the fuzzy balls tell: how much the noisy code says about the image, which balls overlap,
which digits the prior's samples land on.

Every function takes the balls of N images, their centres :math:`\bar z` (``mu``) and log
variances (``logvar``), each of shape (N, d), as :meth:`latentebm.vae.VAE.encode` returns them.
"""

from __future__ import annotations

import math

import torch

from .._checks import as_tensor, positive_int
from .._checks import generator as check_generator
from .model import _mu_logvar


def _labels(labels, n: int) -> torch.Tensor:
    if not isinstance(labels, torch.Tensor):
        raise TypeError(
            f"labels must be a torch.Tensor of shape ({n},), got {type(labels).__name__}"
        )
    if labels.dtype.is_floating_point or labels.dtype.is_complex or labels.dtype == torch.bool:
        raise TypeError(f"labels must be an integer tensor, got {labels.dtype}")
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},) (one per ball), got {tuple(labels.shape)}")
    return labels


def code_information(mu, logvar, generator=None, chunk: int = 1000) -> float:
    r"""Information (nats) that the noisy code z carries about which of the N images was encoded.

    With the image y drawn uniformly among the N inputs and :math:`z \sim q(z\mid y) =
    \mathcal N(\bar z_y, \operatorname{diag}\sigma_y^2)`, the mutual information
    :math:`I(y; z) = \mathbb E\,[\log q(z\mid y) - \log \tfrac1N \sum_j q(z\mid y_j)]`, estimated with
    one sample z per image (float64). Two bounds hold: :math:`I \le \log N` (the code cannot say
    more than which image it is) and :math:`I \le` the mean KL to the prior (the KL is an *upper
    bound* on the information, whatever the prior), both up to the Monte-Carlo error. Small balls
    far apart give :math:`\log N`; balls that overlap give less: the noise limits the information.
    """
    mu, logvar = _mu_logvar(mu, logvar)
    check_generator("generator", generator)
    chunk = positive_int("chunk", chunk)
    mu, logvar = mu.double(), logvar.double()
    n = mu.shape[0]
    std = torch.exp(0.5 * logvar)
    eps = torch.randn(mu.shape, generator=generator, dtype=torch.float64).to(mu.device)
    z = mu + std * eps  # one code per image, (N, d)
    const = logvar.sum(1) + mu.shape[1] * math.log(2 * math.pi)  # (N,)
    total = 0.0
    for s in range(0, n, chunk):
        zz = z[s : s + chunk, None, :]  # (b, 1, d)
        log_q = -0.5 * (((zz - mu[None]) ** 2 / logvar.exp()[None]).sum(-1) + const[None])  # (b, N)
        rows = torch.arange(zz.shape[0], device=mu.device)
        own = log_q[rows, rows + s]
        total += float((own - torch.logsumexp(log_q, 1) + math.log(n)).sum())
    return total / n


def ball_overlap(mu, logvar, labels) -> dict:
    r"""Which pairs of balls overlap, among pairs of the same class and of different classes.

    Two balls a, b (centres :math:`\bar z`, radii :math:`\sigma` per axis) overlap when
    :math:`\|(\bar z_a - \bar z_b) \oslash (\sigma_a + \sigma_b)\|_2 < 1`: their centres are closer
    than the sum of their radii (exact for round balls). ``labels`` (N,) integer classes. Returns a
    dict of floats: ``"same"`` (fraction of same-class pairs that overlap), ``"different"`` (of
    different-class pairs), ``"same_share"`` (fraction of overlapping pairs that are same-class;
    nan if none overlaps) and ``"same_share_all"`` (fraction of all pairs that are same-class, the
    share expected if overlap ignored the classes). Every unordered pair of distinct images counts
    once.
    """
    mu, logvar = _mu_logvar(mu, logvar)
    labels = _labels(labels, mu.shape[0]).to(mu.device)
    if mu.shape[0] < 2:
        raise ValueError(f"mu must hold at least 2 balls, got {mu.shape[0]}")
    mu, std = mu.double(), torch.exp(0.5 * logvar.double())
    n = mu.shape[0]
    upper = torch.triu(torch.ones(n, n, dtype=torch.bool, device=mu.device), diagonal=1)
    same = (labels[:, None] == labels[None]) & upper
    diff = (labels[:, None] != labels[None]) & upper
    overlap = torch.zeros(n, n, dtype=torch.bool, device=mu.device)
    for s in range(0, n, 500):
        d = (mu[s : s + 500, None] - mu[None]) / (std[s : s + 500, None] + std[None])
        overlap[s : s + 500] = d.norm(dim=-1) < 1
    overlap &= upper
    n_over = int(overlap.sum())

    def frac(a, b):
        return float((a & b).sum()) / float(b.sum()) if int(b.sum()) else math.nan

    return {"same": frac(overlap, same), "different": frac(overlap, diff),
            "same_share": float((overlap & same).sum()) / n_over if n_over else math.nan,
            "same_share_all": float(same.sum()) / float(upper.sum())}  # fmt: skip


def nearest_class_shares(z, mu, labels, n_classes: int = 10) -> torch.Tensor:
    """For codes ``z`` (M, d) (e.g. samples of the prior), the share of them whose nearest ball
    centre among ``mu`` (N, d) has each class of ``labels`` (N,): shape (n_classes,), summing to 1.

    A class whose share is near 0 is one that decoding those codes (almost) never produces: its
    balls lie away from where the codes fall.
    """
    z = as_tensor("z", z, ndims=(2,), shape_doc="(M, d)")
    mu = as_tensor("mu", mu, ndims=(2,), shape_doc=f"(N, {z.shape[1]})")
    if mu.shape[1] != z.shape[1]:
        raise ValueError(
            f"mu must have shape (N, {z.shape[1]}) (the codes' d), got {tuple(mu.shape)}"
        )
    labels = _labels(labels, mu.shape[0])
    n_classes = positive_int("n_classes", n_classes)
    if int(labels.min()) < 0 or int(labels.max()) >= n_classes:
        raise ValueError(f"labels must lie in [0, {n_classes}), got [{int(labels.min())}, "
                         f"{int(labels.max())}]")  # fmt: skip
    nearest = torch.cdist(z.double(), mu.double().to(z.device)).argmin(1).cpu()
    counts = torch.bincount(labels.cpu()[nearest], minlength=n_classes)
    return counts.double() / z.shape[0]
