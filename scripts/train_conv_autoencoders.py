"""Train the convolutional sparse auto-encoders of chapter 5 and save small checkpoints.

    nice .venv/bin/python scripts/train_conv_autoencoders.py            # all models
    nice .venv/bin/python scripts/train_conv_autoencoders.py --n-filters 4 8 --no-color

Writes lib/latentebm/checkpoints/conv_sae_grey_<m>.pt for every m, and conv_sae_color_<m>.pt for
the colour model (9x9x3 kernels); each holds float32 weights, the configuration and the training
history (see latentebm.conv.fit_natural_images). The notebook loads them with load_or_train.
"""

from __future__ import annotations

import argparse
import time

from latentebm import set_threads
from latentebm.checkpoints import path_of, save
from latentebm.conv import fit_natural_images, model_from_checkpoint, orientation_selectivity

GREY_FILTERS = (1, 2, 4, 8, 16, 32, 64)
COLOR_FILTERS = 32


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-filters", type=int, nargs="*", default=list(GREY_FILTERS))
    parser.add_argument("--no-color", action="store_true", help="skip the colour model")
    parser.add_argument(
        "--steps", type=int, default=None, help="override the number of training steps"
    )
    parser.add_argument("--progress", action="store_true")
    args = parser.parse_args()
    set_threads()
    jobs = [(m, False) for m in args.n_filters] + ([] if args.no_color else [(COLOR_FILTERS, True)])
    for m, color in jobs:
        kw = {}  # fit_natural_images' default steps (fewer in colour: three channels cost more)
        if args.steps is not None:
            kw["n_steps"] = args.steps
        t0 = time.perf_counter()
        ckpt = fit_natural_images(m, color=color, progress=args.progress, **kw)
        path = save(ckpt, path_of(f"conv_sae_{'color' if color else 'grey'}_{m}"))
        model = model_from_checkpoint(ckpt)
        osi = orientation_selectivity(model.decoder.detach()).mean().item()
        h = ckpt["history"]
        print(
            f"{path.name}: {time.perf_counter() - t0:.0f} s, recon/pixel {h['recon'][-1]:.3f}, "
            f"non-zeros {h['nonzero'][-1]:.3f}, mean OSI (decoder) {osi:.2f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
