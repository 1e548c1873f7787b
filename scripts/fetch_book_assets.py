"""Fetch the book's third-party JavaScript from the npm registry, pinned and checksummed.

The rendered book must show math and run its widgets with no network. Jupyter Book's defaults load
MathJax, RequireJS and the ipywidgets HTML manager from public CDNs; instead we serve

* ``@jupyter-widgets/html-manager@1.0.15`` ``dist/embed.js`` (+ its fonts): renders the widget state
  stored in the notebooks and runs ``jslink`` in the browser; matches ipywidgets 8.1; no RequireJS;
* ``mathjax@3.2.2`` ``es5/tex-mml-chtml.js`` (+ the CHTML fonts and the components it loads lazily),

from ``book/_assets/`` (gitignored, registered with ``html_static_path`` in ``_config.yml``). Nothing
third-party is committed. Each tarball is checked against the sha512 "integrity" pinned below
(the value the registry publishes, ``npm view <pkg>@<version> dist.integrity``).

If the registry cannot be reached the script prints a warning and exits 0: ``book/_ext/book_assets.py``
then falls back to the CDN defaults (the book builds, but needs a network to show math and widgets).
``--strict`` makes that an error instead.

Usage: python scripts/fetch_book_assets.py [--dest book/_assets] [--strict]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = "https://registry.npmjs.org"


@dataclass(frozen=True)
class Asset:
    name: str  # npm package
    version: str
    integrity: str  # sha512-<base64>, as published by the registry
    folder: str  # destination under book/_assets/
    keep: tuple[str, ...]  # member prefixes (under package/) to extract
    drop: tuple[str, ...] = ()  # suffixes to skip

    @property
    def tarball_url(self) -> str:
        base = self.name.split("/")[-1]
        return f"{REGISTRY}/{self.name}/-/{base}-{self.version}.tgz"


ASSETS = (
    Asset(
        name="@jupyter-widgets/html-manager",
        version="1.0.15",
        integrity="sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
        folder="html-manager",
        keep=("dist/", "LICENSE"),
        drop=(".map", "-amd.js"),
    ),
    Asset(
        name="mathjax",
        version="3.2.2",
        integrity="sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw==",
        folder="mathjax",
        keep=(
            "es5/tex-mml-chtml.js",
            "es5/output/chtml",  # the CHTML fonts (woff-v2)
            "es5/input/",  # TeX extensions loaded on demand (\require, autoload)
            "es5/a11y/",  # accessibility components the menu can switch on
            "es5/sre/",
            "es5/ui/",
            "es5/adaptors/",
            "LICENSE",
        ),
    ),
)


def check_integrity(data: bytes, integrity: str) -> None:
    algo, _, expected = integrity.partition("-")
    if algo != "sha512":
        raise ValueError(f"unsupported integrity algorithm {algo!r}")
    got = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if got != expected:
        raise ValueError(f"checksum mismatch: expected sha512-{expected}, got sha512-{got}")


def download(asset: Asset) -> bytes:
    """The tarball: through `npm pack` (honours the user's npm registry config), else HTTPS."""
    spec = f"{asset.name}@{asset.version}"
    if shutil.which("npm"):
        with tempfile.TemporaryDirectory() as tmp:
            done = subprocess.run(
                ["npm", "pack", "--silent", "--pack-destination", tmp, spec],
                capture_output=True,
                text=True,
                timeout=300,
            )
            tgz = list(Path(tmp).glob("*.tgz"))
            if done.returncode == 0 and len(tgz) == 1:
                return tgz[0].read_bytes()
            print(
                f"npm pack {spec} failed ({done.stderr.strip()[-200:]}); trying HTTPS",
                file=sys.stderr,
            )
    with urllib.request.urlopen(asset.tarball_url, timeout=60) as response:
        return response.read()


def extract(asset: Asset, data: bytes, dest: Path) -> int:
    n = 0
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        for member in tar.getmembers():
            name = member.name.removeprefix("package/")
            if not member.isfile() or not name.startswith(asset.keep) or name.endswith(asset.drop):
                continue
            target = (dest / name).resolve()
            if dest.resolve() not in target.parents:  # no absolute paths, no ".."
                raise ValueError(f"unsafe path in {asset.name} tarball: {member.name}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(tar.extractfile(member).read())
            n += 1
    return n


def fetch(asset: Asset, root: Path) -> None:
    dest = root / asset.folder
    stamp = dest / ".integrity"
    if stamp.is_file() and stamp.read_text().strip() == asset.integrity:
        print(f"{asset.name}@{asset.version}: up to date in {dest.relative_to(ROOT)}")
        return
    data = download(asset)
    check_integrity(data, asset.integrity)
    shutil.rmtree(dest, ignore_errors=True)
    n = extract(asset, data, dest)
    stamp.write_text(asset.integrity + "\n")
    print(f"{asset.name}@{asset.version}: {n} files, sha512 verified -> {dest.relative_to(ROOT)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dest", type=Path, default=ROOT / "book" / "_assets")
    parser.add_argument(
        "--strict", action="store_true", help="fail instead of falling back to CDNs"
    )
    args = parser.parse_args(argv)
    args.dest.mkdir(parents=True, exist_ok=True)
    failed = []
    for asset in ASSETS:
        try:
            fetch(asset, args.dest.resolve())
        except Exception as err:  # network down, registry unreachable, checksum mismatch
            shutil.rmtree(args.dest / asset.folder, ignore_errors=True)
            failed.append(f"{asset.name}@{asset.version}: {err}")
    if failed:
        print(
            "WARNING: could not fetch the book's offline assets:\n  "
            + "\n  ".join(failed)
            + "\nThe book will load them from public CDNs instead: math and widgets need a network.",
            file=sys.stderr,
        )
        return 1 if args.strict else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
