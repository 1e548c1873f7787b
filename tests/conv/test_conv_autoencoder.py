import pytest
import torch
from latentebm.conv import ConvSparseAutoencoder, random_crops, train_conv_autoencoder


@pytest.mark.parametrize("nonlinearity", ["shrink", "relu", "tanh"])
@pytest.mark.parametrize("C", [1, 3])
def test_shapes_and_device(nonlinearity, C, device):
    model = ConvSparseAutoencoder(5, kernel_size=7, in_channels=C, nonlinearity=nonlinearity)
    model = model.to(device)
    Y = torch.randn(2, C, 16, 12, device=device)
    Y_hat, Z = model(Y)
    assert Y_hat.shape == Y.shape and Z.shape == (2, 5, 22, 18) and Z.device == Y.device
    assert model.energy(Y, 0.1).shape == (2,)


def test_shrink_code_is_sparse_and_decoder_is_linear():
    model = ConvSparseAutoencoder(4, kernel_size=5)
    Y = torch.randn(3, 1, 12, 12, generator=torch.Generator().manual_seed(0))
    U = torch.nn.functional.conv2d(Y, model.encoder, padding=4)  # before the shrinkage
    with torch.no_grad():
        model.threshold.fill_(U.abs().quantile(0.75).item())
    Z = model.encode(Y)
    assert 0.2 < (Z != 0).float().mean() < 0.3  # a quarter of |U| lies above the threshold
    torch.testing.assert_close(model.decode(2 * Z + Z), 3 * model.decode(Z))


def test_normalize_keeps_reconstruction():
    model = ConvSparseAutoencoder(3, kernel_size=5)
    with torch.no_grad():
        model.decoder.mul_(torch.tensor([2.0, 0.5, 3.0]).view(3, 1, 1, 1))
    Y = torch.randn(2, 1, 10, 10, generator=torch.Generator().manual_seed(1))
    before = model(Y)[0]
    model.normalize_()
    norms = model.decoder.flatten(1).norm(dim=1)
    torch.testing.assert_close(norms, torch.ones(3))
    torch.testing.assert_close(model(Y)[0], before, rtol=1e-5, atol=1e-5)


def test_training_lowers_the_energy():
    g = torch.Generator().manual_seed(0)
    images = [torch.randn(1, 40, 40, generator=g).cumsum(-1) * 0.2 for _ in range(3)]
    model = ConvSparseAutoencoder(2, kernel_size=5, generator=g)
    Y = random_crops(images, 32, 16, torch.Generator().manual_seed(5))
    before = model.energy(Y, 0.1).mean().item()
    hist = train_conv_autoencoder(
        model, images, 0.1, n_steps=100, batch_size=8, crop_size=16, generator=g, progress=False
    )
    assert len(hist["energy"]) == 2
    assert model.energy(Y, 0.1).mean().item() < 0.7 * before


def test_bad_inputs():
    with pytest.raises(ValueError, match="n_filters"):
        ConvSparseAutoencoder(0)
    with pytest.raises(ValueError, match="nonlinearity"):
        ConvSparseAutoencoder(2, nonlinearity="relu6")
    model = ConvSparseAutoencoder(2, kernel_size=3, in_channels=3)
    with pytest.raises(ValueError, match=r"Y must have shape \(N, 3, H, W\)"):
        model(torch.randn(2, 1, 8, 8))
    with pytest.raises(ValueError, match="at least 16x16"):
        random_crops([torch.randn(1, 8, 8)], 2, 16)


def test_relu_codes_are_non_negative():
    model = ConvSparseAutoencoder(3, kernel_size=5, nonlinearity="relu")
    with torch.no_grad():
        model.threshold.fill_(0.0)
    Z = model.encode(torch.randn(2, 1, 10, 10, generator=torch.Generator().manual_seed(2)))
    assert (Z >= 0).all() and (Z > 0).any()


@pytest.mark.parametrize("nonlinearity", ["shrink", "relu", "tanh"])
def test_checkpoint_round_trip_keeps_the_nonlinearity(nonlinearity, device):
    model = ConvSparseAutoencoder(3, kernel_size=5, nonlinearity=nonlinearity,
                                  generator=torch.Generator().manual_seed(3))  # fmt: skip
    ckpt = model.checkpoint(history={"energy": [1.0]})
    assert ckpt["config"]["nonlinearity"] == nonlinearity and ckpt["history"] == {"energy": [1.0]}
    back = ConvSparseAutoencoder.from_checkpoint(ckpt, device)
    assert back.nonlinearity == nonlinearity and back.decoder.device.type == device.type
    Y = torch.randn(2, 1, 12, 12, generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        torch.testing.assert_close(back.encode(Y.to(device)).cpu(), model.encode(Y))
    old_style = {**ckpt, "config": {k: v for k, v in ckpt["config"].items() if k != "nonlinearity"}}
    assert ConvSparseAutoencoder.from_checkpoint(old_style).nonlinearity == "shrink"
