r"""Few labels: filters learned without labels on natural images vs a convnet trained from scratch.

The lecture's side remark: plugged into a convnet, the filters of a convolutional sparse
auto-encoder do not beat training from scratch in general, but help when labelled samples (or
categories) are few. Every classifier here has one architecture::

    digit (N, 1, 28, 28) -> encoder: conv (m filters k x k) -> shrink -> diagonal    (N, m, 28+k-1, 28+k-1)
                         -> |.| -> average pool to p x p -> standardize             (N, m p^2)
                         -> linear                                                  (N, 10) logits

and the variants differ only in where the encoder comes from and whether it learns:

- ``"sparse"``: the encoder of a :class:`ConvSparseAutoencoder` trained *without labels* on
  natural images, frozen; only the linear layer sees the labels;
- ``"random"``: the same architecture with the encoder at its random initialization, frozen (the
  control: is it the learned filters, or would any filters do?);
- ``"scratch"``: the whole network (encoder included, from the random initialization) trained on
  the labelled digits alone;
- ``"sparse+finetune"``: the pretrained encoder as the initialization, then the whole network
  trained on the labelled digits (unsupervised pre-training, supervised fine-tuning).

Training is full-batch Adam on the cross-entropy (the labelled sets are small), the standardization
uses the statistics of the labelled set, and accuracy is measured on held-out digits.
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn
from torch.nn import functional as F

from .._checks import (
    as_tensor,
    int_list,
    module,
    nonneg,
    nonneg_int,
    optimizer_step,
    positive,
    positive_int,
    same_device_dtype,
)
from .autoencoder import ConvSparseAutoencoder

VARIANTS = ("sparse", "random", "scratch", "sparse+finetune")


class DigitClassifier(nn.Module):
    """Encoder of a :class:`ConvSparseAutoencoder`, pooled magnitudes, standardization, linear layer."""

    def __init__(self, encoder: ConvSparseAutoencoder, *, pool: int = 4, n_classes: int = 10):
        super().__init__()
        module("encoder", encoder, ConvSparseAutoencoder)
        self.encoder = encoder
        self.pool = positive_int("pool", pool)
        d = encoder.n_filters * self.pool**2
        self.standardize = nn.BatchNorm1d(d, affine=False, momentum=1.0)  # full batch: exact
        self.head = nn.Linear(d, positive_int("n_classes", n_classes))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """Pooled code magnitudes, shape (N, m * pool^2), before standardization."""
        return self.features_unchecked(self.check_inputs(x))

    def check_inputs(self, x) -> torch.Tensor:
        """``x`` if it is a batch of images (N, C, H, W) the encoder can take, else a clear error."""
        C = self.encoder.in_channels
        x = as_tensor("x", x, ndims=(4,), shape_doc=f"(N, {C}, H, W)")
        if x.shape[1] != C:
            raise ValueError(f"x must have shape (N, {C}, H, W), got {tuple(x.shape)}")
        same_device_dtype("the encoder's filters", self.encoder.encoder, x=x)
        return x

    def features_unchecked(self, x: torch.Tensor) -> torch.Tensor:
        """:meth:`features` of checked digits, for the training loop."""
        Z = self.encoder.encode_unchecked(x)  # (N, m, H+k-1, W+k-1)
        return F.adaptive_avg_pool2d(Z.abs(), self.pool).flatten(1)

    def classify(self, f: torch.Tensor) -> torch.Tensor:
        """Logits of shape (N, n_classes) from features f of shape (N, m * pool^2)."""
        return self.head(self.standardize(f))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of shape (N, n_classes) for digits x of shape (N, 1, H, W)."""
        return self.classify(self.features(x))

    def checkpoint(self, **extra) -> dict:
        """``{"config", "encoder", "state"}``: the settings, the encoder's own checkpoint and the
        float32 CPU weights of the standardization and the linear layer, as a dict for
        :func:`latentebm.checkpoints.save`; :meth:`from_checkpoint` rebuilds the classifier."""
        state = {
            k: v.detach().float().cpu() if v.is_floating_point() else v.detach().cpu()
            for k, v in self.state_dict().items()
            if not k.startswith("encoder.")
        }
        config = {"pool": self.pool, "n_classes": self.head.out_features}
        return {"config": config, "encoder": self.encoder.checkpoint(), "state": state, **extra}

    @classmethod
    def from_checkpoint(cls, ckpt: dict, device=None) -> DigitClassifier:
        """Rebuild a classifier (in eval mode, on ``device``) from :meth:`checkpoint`'s dict."""
        if not isinstance(ckpt, dict):
            raise TypeError(
                f"ckpt must be a dict from DigitClassifier.checkpoint(), got {type(ckpt).__name__}"
            )
        missing = {"config", "encoder", "state"} - set(ckpt)
        if missing:
            raise ValueError(
                f"ckpt is not a digit classifier checkpoint: missing {sorted(missing)}"
            )
        encoder = ConvSparseAutoencoder.from_checkpoint(ckpt["encoder"])
        model = cls(encoder, **ckpt["config"])
        model.load_state_dict(ckpt["state"], strict=False)
        return model.to(device).eval()


def standardize_digits(x: torch.Tensor) -> torch.Tensor:
    """Digits in [0, 1] to zero mean and unit variance over the image (the encoders' input scale)."""
    x = as_tensor("x", x, ndims=(4,), shape_doc="(N, 1, H, W)")
    mu = x.mean((1, 2, 3), keepdim=True)
    sd = x.std((1, 2, 3), keepdim=True).clamp_min(1e-6)
    return (x - mu) / sd


def _check_labels(name: str, labels, n: int, n_classes: int) -> torch.Tensor:
    """Integer class labels of shape (n,) with values in [0, n_classes)."""
    if (
        not isinstance(labels, torch.Tensor)
        or labels.dtype.is_floating_point
        or labels.dtype
        in (
            torch.bool,
            torch.complex64,
            torch.complex128,
        )
    ):
        raise TypeError(f"{name} must be an integer tensor of classes, got "
                        f"{getattr(labels, 'dtype', type(labels).__name__)}")  # fmt: skip
    if tuple(labels.shape) != (n,):
        raise ValueError(f"{name} must have shape ({n},), got {tuple(labels.shape)}")
    if n and (int(labels.min()) < 0 or int(labels.max()) >= n_classes):
        raise ValueError(f"{name} must be classes in [0, {n_classes}), got values "
                         f"{int(labels.min())}..{int(labels.max())}")  # fmt: skip
    return labels


def fit_classifier(
    model: DigitClassifier,
    x: torch.Tensor,
    labels: torch.Tensor,
    *,
    train_encoder: bool,
    n_steps: int = 300,
    lr: float = 1e-2,
    encoder_lr: float = 1e-3,
    weight_decay: float = 1e-3,
) -> dict:
    """Full-batch Adam on the cross-entropy; the encoder learns only if ``train_encoder``.

    Parameters
    ----------
    model : DigitClassifier (trained in place, on its own device)
    x : Tensor of shape (N, 1, H, W), standardized digits
    labels : Tensor of shape (N,), integer classes

    Returns
    -------
    history : dict with ``"loss"``, the training loss at every step (a list of floats).
    """
    module("model", model, DigitClassifier)
    x = model.check_inputs(x)
    _check_labels("labels", labels, x.shape[0], model.head.out_features)
    if not isinstance(train_encoder, bool):
        raise TypeError(f"train_encoder must be a bool, got {type(train_encoder).__name__}")
    n_steps = positive_int("n_steps", n_steps)
    lr, encoder_lr = positive("lr", lr), positive("encoder_lr", encoder_lr)
    weight_decay = nonneg("weight_decay", weight_decay)
    model.encoder.requires_grad_(train_encoder)
    groups = [{"params": model.head.parameters(), "lr": lr, "weight_decay": weight_decay}]
    if train_encoder:
        groups.append({"params": model.encoder.parameters(), "lr": encoder_lr, "weight_decay": 0.0})
    opt = torch.optim.Adam(groups)
    model.train()
    if not train_encoder:  # a frozen encoder gives the same features at every step
        with torch.no_grad():
            f = model.features_unchecked(x)  # (N, d)
    losses = []
    for _ in range(n_steps):
        logits = model.classify(model.features_unchecked(x) if train_encoder else f)
        loss = F.cross_entropy(logits, labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        optimizer_step(opt, lambda why: ValueError(f"fit_classifier diverged ({why}): lower lr"))
        losses.append(float(loss.detach()))
        if not math.isfinite(losses[-1]):
            raise ValueError(
                f"fit_classifier diverged at step {len(losses)} (loss {losses[-1]}): "
                f"lower lr={lr:g}" + (f" or encoder_lr={encoder_lr:g}" if train_encoder else "")
            )
    model.eval()
    return {"loss": losses}


@torch.no_grad()
def accuracy(
    model: DigitClassifier, x: torch.Tensor, labels: torch.Tensor, *, batch_size: int = 2000
) -> float:
    """Fraction of the digits ``x`` (N, 1, H, W) whose predicted class equals ``labels`` (N,)."""
    module("model", model, DigitClassifier)
    x = model.check_inputs(x)
    _check_labels("labels", labels, x.shape[0], model.head.out_features)
    batch_size = positive_int("batch_size", batch_size)
    model.eval()
    right = 0
    for s in range(0, x.shape[0], batch_size):
        logits = model.classify(model.features_unchecked(x[s : s + batch_size]))
        right += int((logits.argmax(1) == labels[s : s + batch_size]).sum())
    return right / x.shape[0]


def few_labels(
    pretrained: ConvSparseAutoencoder,
    x_train: torch.Tensor,
    y_train: torch.Tensor,
    x_test: torch.Tensor,
    y_test: torch.Tensor,
    *,
    n_labels=(100, 300, 1000),
    seeds=(0, 1, 2),
    variants=VARIANTS,
    pool: int = 4,
    n_steps: int = 300,
) -> dict:
    """Test accuracy of each variant, for each number of labelled digits and each random subset.

    Parameters
    ----------
    pretrained : ConvSparseAutoencoder
        Trained without labels (e.g. on natural images); its encoder is the ``"sparse"`` variant.
        Must have one input channel. Never modified (copied per run).
    x_train, x_test : Tensors of shape (N, 1, 28, 28) in [0, 1]; y_train, y_test : (N,) classes
    n_labels : numbers of labelled training digits (random subsets of ``x_train``)
    seeds : one subset (and one random initialization) per seed

    Returns
    -------
    dict with ``"n_labels"``, ``"seeds"``, ``"variants"`` and ``"accuracy"``: Tensor of shape
    (len(variants), len(n_labels), len(seeds)).
    """
    if not isinstance(pretrained, ConvSparseAutoencoder) or pretrained.in_channels != 1:
        raise TypeError("pretrained must be a ConvSparseAutoencoder with in_channels = 1")
    if isinstance(variants, str) or not hasattr(variants, "__iter__"):
        raise TypeError(f"variants must be a list of names among {VARIANTS}, got {variants!r}")
    variants = list(variants)
    unknown = [v for v in variants if v not in VARIANTS]
    if unknown or not variants:
        raise ValueError(f"variants must be among {VARIANTS} (a non-empty list), got {variants}")
    n_labels = int_list("n_labels", n_labels)
    seeds = int_list("seeds", seeds, nonneg_int)
    pool, n_steps = positive_int("pool", pool), positive_int("n_steps", n_steps)
    for name, xs, ys in (("train", x_train, y_train), ("test", x_test, y_test)):
        xs = as_tensor(f"x_{name}", xs, ndims=(4,), shape_doc="(N, 1, 28, 28)")
        _check_labels(f"y_{name}", ys, xs.shape[0], 10)
    device = pretrained.decoder.device
    x_train = standardize_digits(x_train).to(device)
    x_test = standardize_digits(x_test).to(device)
    y_train, y_test = y_train.to(device), y_test.to(device)
    if max(n_labels) > x_train.shape[0]:
        raise ValueError(
            f"n_labels must be <= {x_train.shape[0]} (the training digits), got {max(n_labels)}"
        )
    acc = torch.zeros(len(variants), len(n_labels), len(seeds))
    for j, n in enumerate(n_labels):
        for s, seed in enumerate(seeds):
            g = torch.Generator().manual_seed(seed)
            idx = torch.randperm(x_train.shape[0], generator=g)[:n].to(device)
            for v, name in enumerate(variants):
                if name.startswith("sparse"):
                    enc = copy.deepcopy(pretrained)
                else:  # random init, same shapes and non-linearity as the pretrained encoder
                    enc = ConvSparseAutoencoder(
                        pretrained.n_filters, kernel_size=pretrained.kernel_size, in_channels=1,
                        nonlinearity=pretrained.nonlinearity,
                        generator=torch.Generator().manual_seed(1000 + seed),
                    ).to(device)  # fmt: skip
                torch.manual_seed(seed)  # the linear layer's initialization
                model = DigitClassifier(enc, pool=pool).to(device)
                fit_classifier(model, x_train[idx], y_train[idx], train_encoder=name in ("scratch", "sparse+finetune"),
                               n_steps=n_steps)  # fmt: skip
                acc[v, j, s] = accuracy(model, x_test, y_test)
    return {
        "n_labels": list(n_labels),
        "seeds": list(seeds),
        "variants": list(variants),
        "accuracy": acc,
    }
