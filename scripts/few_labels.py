"""The few-labels experiment of chapter 5: sparse features vs a convnet from scratch on MNIST.

    python scripts/few_labels.py [--device cuda] [--seeds 0 1 2 3 4]

Writes lib/latentebm/checkpoints/conv_few_labels.pt (latentebm.conv.transfer.book_few_labels): the
test accuracy on the 10 000 MNIST test digits of every variant (frozen sparse encoder, frozen random
encoder, convnet from scratch, sparse encoder fine-tuned) for each number of labelled digits and
each random subset. About 90 s on an H200; the scratch and fine-tuned runs on 1000 and 3000 labels
take hours on one CPU core.
"""

from __future__ import annotations

import argparse
import time

from latentebm import set_threads
from latentebm.checkpoints import path_of, save
from latentebm.conv.transfer import book_few_labels


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--device", default=None)
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    a = p.parse_args()
    set_threads()
    t0 = time.perf_counter()
    res = book_few_labels(a.device, tuple(a.seeds))
    path = save(res, path_of("conv_few_labels"))
    acc = res["accuracy"]  # (variants, n_labels, seeds)
    print(f"{path.name}: {time.perf_counter() - t0:.0f} s on {res['config']['device']}")
    print("| labelled digits | " + " | ".join(res["variants"]) + " |")
    print("|---:|" + "---:|" * len(res["variants"]))
    for j, n in enumerate(res["n_labels"]):
        cells = [
            f"{100 * acc[v, j].mean():.1f} ± {100 * acc[v, j].std():.1f}"
            for v in range(acc.shape[0])
        ]
        print(f"| {n} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
