"""The reference VAE, ours against pytorch/examples' own training loop, over several seeds.

    python benchmarks/vae_reference.py [--seeds 0 1 2 ...] [--epochs 10] [--device cuda]

Both sides train the 784-400-20 VAE of pytorch/examples `vae/main.py` (Adam 1e-3, batch 128,
shuffled, summed BCE + KL, 10 epochs on the 60k MNIST training digits) and report the test loss
after every epoch, in nats per image (one code sampled per test image, as pytorch/examples does).

- "ours": ``latentebm.vae.train_mnist_vae`` (the function behind the book's checkpoint).
- "peer": pytorch/examples' model, loss and loops, transcribed below (``PeerVAE``, ``peer_run``);
  the only change is the data: the same MNIST tensors as ours, batched by a shuffled permutation
  (what ``DataLoader(shuffle=True)`` does) instead of torchvision's download, which fails offline.

Each seed seeds torch's global generator for the peer (as ``torch.manual_seed(args.seed)`` in
main.py) and ``seed_everything`` for ours; the two sides do not share random streams, so their
per-seed numbers are independent draws: compare the distributions, not seed by seed.
Prints one table per epoch (mean, standard deviation, min, max over seeds) and writes a JSON file
with every number when ``--json`` is given.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import torch
from torch import nn
from torch.nn import functional as F


class PeerVAE(nn.Module):
    """pytorch/examples vae/main.py, ``class VAE``."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 784))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


def peer_loss(recon_x, x, mu, logvar):
    """pytorch/examples vae/main.py, ``loss_function``: summed BCE + KL over the batch."""
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 784), reduction="sum")
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


def peer_run(seed, x_train, x_test, epochs, device):
    """main.py's ``train``/``test`` loops; returns the test loss (nats per image) per epoch."""
    torch.manual_seed(seed)
    model = PeerVAE().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    N, history = x_train.shape[0], []
    for _ in range(epochs):
        model.train()
        perm = torch.randperm(N)
        for start in range(0, N, 128):
            data = x_train[perm[start : start + 128]].to(device)
            optimizer.zero_grad()
            recon_batch, mu, logvar = model(data)
            loss = peer_loss(recon_batch, data, mu, logvar)
            loss.backward()
            optimizer.step()
        model.eval()
        test_loss = 0.0
        with torch.no_grad():
            for start in range(0, x_test.shape[0], 128):
                data = x_test[start : start + 128].to(device)
                recon_batch, mu, logvar = model(data)
                test_loss += peer_loss(recon_batch, data, mu, logvar).item()
        history.append(test_loss / x_test.shape[0])
    return history


def ours_run(seed, epochs, device, n_train=None):
    from latentebm.chapters import settings
    from latentebm.chapters.ch6_vae import train_mnist_vae

    kw = {**settings("vae_reference"), "n_epochs": epochs, "seed": seed, "n_train": n_train}
    ckpt = train_mnist_vae(**kw, device=device, progress=False)
    return list(ckpt["history"]["test_loss"])


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--n-train", type=int, default=None, help="first N training digits (smoke runs)")
    p.add_argument("--json", default=None, help="write every per-seed number here")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    from latentebm.data import mnist

    dev = torch.device(a.device)
    x_train, _ = mnist("train")
    x_train = x_train[: a.n_train]
    x_test, _ = mnist("test")
    runs = {"ours": {}, "peer": {}}
    for seed in a.seeds:  # interleaved, so a change of machine load hits both sides alike
        for side in ("ours", "peer"):
            t0 = time.perf_counter()
            if side == "ours":
                h = ours_run(seed, a.epochs, dev, a.n_train)
            else:
                h = peer_run(seed, x_train.flatten(1), x_test.flatten(1), a.epochs, dev)
            runs[side][seed] = h
            print(f"{side} seed {seed}: {h[-1]:.2f} after {a.epochs} epochs "
                  f"({time.perf_counter() - t0:.0f} s)", flush=True)  # fmt: skip

    print(
        f"\nTest loss (nats per image) over seeds {a.seeds}, device {dev}, torch {torch.__version__}"
    )
    print("| epoch | ours mean ± sd | ours min-max | peer mean ± sd | peer min-max |")
    print("|---:|---:|---:|---:|---:|")
    for e in range(a.epochs):
        cells = []
        for side in ("ours", "peer"):
            v = [runs[side][s][e] for s in a.seeds]
            sd = statistics.stdev(v) if len(v) > 1 else 0.0
            cells += [f"{statistics.mean(v):.2f} ± {sd:.2f}", f"{min(v):.2f}-{max(v):.2f}"]
        print(f"| {e + 1} | " + " | ".join(cells) + " |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"device": str(dev), "torch": torch.__version__, "runs": runs}, f, indent=1)


if __name__ == "__main__":
    main()
