"""``python -m latentebm.data fetch [--root DIR] [--force]``: fill the data cache."""

import argparse
import sys

from .mnist import fetch_mnist


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m latentebm.data")
    sub = parser.add_subparsers(dest="cmd", required=True)
    fetch = sub.add_parser("fetch", help="download MNIST into the data cache")
    fetch.add_argument("--root", default=None, help="cache folder (default $LATENTEBM_DATA)")
    fetch.add_argument("--force", action="store_true", help="download even if cached")
    args = parser.parse_args(argv)
    if args.cmd == "fetch":
        try:
            fetch_mnist(args.root, force=args.force)
        except (RuntimeError, ValueError, TypeError, OSError) as e:  # one line, no traceback
            print(f"[latentebm.data] error: {e}", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
