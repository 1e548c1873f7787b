"""``python -m latentebm.data fetch [--root DIR] [--force]``: fill the data cache."""

import argparse

from .mnist import fetch_mnist


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m latentebm.data")
    sub = parser.add_subparsers(dest="cmd", required=True)
    fetch = sub.add_parser("fetch", help="download MNIST into the data cache")
    fetch.add_argument("--root", default=None, help="cache folder (default $LATENTEBM_DATA)")
    fetch.add_argument("--force", action="store_true", help="download even if cached")
    args = parser.parse_args(argv)
    if args.cmd == "fetch":
        fetch_mnist(args.root, force=args.force)


if __name__ == "__main__":
    main()
