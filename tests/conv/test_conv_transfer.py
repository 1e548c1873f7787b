import pytest
import torch
from latentebm.conv import ConvSparseAutoencoder
from latentebm.conv.transfer import DigitClassifier, accuracy, few_labels, fit_classifier


def bars(n, g):
    """Images (n, 1, 12, 12) of a horizontal (class 0) or vertical (class 1) bar, plus noise."""
    labels = torch.randint(0, 2, (n,), generator=g)
    x = 0.1 * torch.rand(n, 1, 12, 12, generator=g)
    pos = torch.randint(2, 10, (n,), generator=g)
    for i in range(n):
        if labels[i] == 0:
            x[i, 0, pos[i], :] = 1.0
        else:
            x[i, 0, :, pos[i]] = 1.0
    return x, labels


def test_frozen_head_learns_and_the_encoder_stays_put():
    g = torch.Generator().manual_seed(0)
    x, y = bars(200, g)
    enc = ConvSparseAutoencoder(4, kernel_size=5, generator=g)
    before = enc.encoder.detach().clone()
    model = DigitClassifier(enc, pool=2, n_classes=2)
    losses = fit_classifier(model, x[:100], y[:100], train_encoder=False, n_steps=100)["loss"]
    assert losses[-1] < 0.5 * losses[0]
    assert torch.equal(enc.encoder, before)
    assert accuracy(model, x[100:], y[100:]) > 0.9


def test_scratch_trains_the_encoder():
    g = torch.Generator().manual_seed(1)
    x, y = bars(100, g)
    enc = ConvSparseAutoencoder(4, kernel_size=5, generator=g)
    before = enc.encoder.detach().clone()
    fit_classifier(DigitClassifier(enc, pool=2, n_classes=2), x, y, train_encoder=True, n_steps=20)
    assert not torch.equal(enc.encoder, before)


def test_few_labels_table_and_the_pretrained_model_is_not_modified():
    g = torch.Generator().manual_seed(2)
    x, y = bars(300, g)
    pre = ConvSparseAutoencoder(4, kernel_size=5, generator=g)
    state = {k: v.clone() for k, v in pre.state_dict().items()}
    res = few_labels(pre, x[:200], y[:200], x[200:], y[200:], n_labels=(10, 40), seeds=(0, 1),
                     pool=2, n_steps=30)  # fmt: skip
    assert res["accuracy"].shape == (4, 2, 2) and res["variants"][0] == "sparse"
    assert ((res["accuracy"] >= 0) & (res["accuracy"] <= 1)).all()
    assert res["accuracy"][:, 1].mean() > 0.8  # 40 labels separate the bars
    assert all(torch.equal(state[k], v) for k, v in pre.state_dict().items())


def test_bad_inputs():
    g = torch.Generator().manual_seed(3)
    x, y = bars(20, g)
    pre = ConvSparseAutoencoder(2, kernel_size=3)
    with pytest.raises(ValueError, match="variants must be among"):
        few_labels(pre, x, y, x, y, n_labels=(5,), variants=("sparse", "pca"))
    with pytest.raises(ValueError, match="n_labels must be <= 20"):
        few_labels(pre, x, y, x, y, n_labels=(50,))
    with pytest.raises(TypeError, match="in_channels = 1"):
        few_labels(ConvSparseAutoencoder(2, kernel_size=3, in_channels=3), x, y, x, y)
    with pytest.raises(ValueError, match=r"labels must have shape \(20,\)"):
        fit_classifier(DigitClassifier(pre, pool=2), x, y[:5], train_encoder=False)
    with pytest.raises(ValueError, match=r"x must"):
        fit_classifier(DigitClassifier(pre, pool=2), x[:, 0], y, train_encoder=False)
    with pytest.raises(ValueError, match=r"y_test must have shape \(20,\)"):
        few_labels(pre, x, y, x, y[:3], n_labels=(5,))


def test_digit_classifier_checkpoint_round_trip():
    """checkpoint() / from_checkpoint() as every model of the library: same logits after the trip."""
    torch.manual_seed(0)
    clf = DigitClassifier(ConvSparseAutoencoder(4, kernel_size=5), pool=2)
    x = torch.randn(6, 1, 12, 12)
    clf.train()
    clf(x)  # fills the standardization's running statistics
    clf.eval()
    ckpt = clf.checkpoint(note="kept")
    assert ckpt["note"] == "kept" and ckpt["config"] == {"pool": 2, "n_classes": 10}
    again = DigitClassifier.from_checkpoint(ckpt)
    assert not again.training
    torch.testing.assert_close(again(x), clf(x))
    with pytest.raises(ValueError, match="missing"):
        DigitClassifier.from_checkpoint({"config": {}})
    with pytest.raises(TypeError, match="ckpt must be a dict"):
        DigitClassifier.from_checkpoint([ckpt])
