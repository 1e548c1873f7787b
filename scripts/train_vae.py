"""Train the VAE chapter's models and write small checkpoints to lib/latentebm/checkpoints/.

    nice python scripts/train_vae.py                 # every missing checkpoint (~25 min, 1 CPU thread)
    nice python scripts/train_vae.py --only reference --retrain

The table of models (names and settings) is ``latentebm.vae.chapter.CHAPTER_MODELS``:
vae_reference   784-400-20, beta = 1, 10 epochs: the pytorch/examples configuration
vae2d_beta{b}   784-256-2, 8 epochs (15 for b = 0), b in BETAS: the balls, reconstructions, samples
vae20d_beta{b}  784-256-20, 5 epochs, b in BETAS: active latent dimensions
"""

from __future__ import annotations

import argparse
import time

from latentebm import set_threads
from latentebm.device import default_device
from latentebm.vae.chapter import CHAPTER_MODELS, load_chapter_model


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--only", help="substring of the checkpoint names to train")
    ap.add_argument("--retrain", action="store_true")
    ap.add_argument("--progress", action="store_true")
    args = ap.parse_args()
    set_threads()
    device = default_device()
    for name in CHAPTER_MODELS:
        if args.only and args.only not in name:
            continue
        t = time.time()
        _, ckpt = load_chapter_model(name, device, retrain=args.retrain, progress=args.progress)
        h = ckpt["history"]
        losses = " ".join(f"{v:.2f}" for v in h["test_loss"])
        print(
            f"{name}: test loss per epoch {losses} | KL {h['test_kl'][-1]:.2f} "
            f"| ({time.time() - t:.0f} s)",
            flush=True,
        )


if __name__ == "__main__":
    main()
