#!/usr/bin/env python3
"""Check an archive package of the school journal (a BagIt bag signed with Ed25519).

    python3 verify_package.py PACKAGE_FOLDER --public-key school-public-key.pem

Needs only Python 3.9+ and the `cryptography` package. Reports every file whose SHA-256 differs
from the manifest, every file missing or not listed, and whether the signature of the manifests
was made by the key given — the school's public key as printed on the archive's acceptance act.
Exit status: 0 intact and signed by that key, 1 otherwise, 2 on bad usage.

This file is copied into every package (and used by `flask archive verify`), so that a package
can be checked years later without the school's software.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import os
import sys

SIGNATURE_FILE = "signature-ed25519.txt"
MANIFEST = "manifest-sha256.txt"
TAG_MANIFEST = "tagmanifest-sha256.txt"
# Tag files that the tag manifest cannot cover: itself and the signature over it.
UNLISTED_TAG_FILES = {TAG_MANIFEST, SIGNATURE_FILE}


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_manifest(path: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line:
                continue
            checksum, _, name = line.partition(" ")
            name = name.lstrip(" *").replace("%0D", "\r").replace("%0A", "\n").replace("%25", "%")
            entries[os.path.normpath(name)] = checksum.lower()
    return entries


def _all_files(root: str) -> set[str]:
    found = set()
    for folder, _dirs, files in os.walk(root):
        for name in files:
            found.add(os.path.normpath(os.path.relpath(os.path.join(folder, name), root)))
    return found


def verify(package: str, public_key_pem: bytes) -> tuple[bool, list[str]]:
    """(intact and signed by this key, the problems found, one line each)."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    problems: list[str] = []
    for required in (MANIFEST, TAG_MANIFEST, SIGNATURE_FILE):
        if not os.path.isfile(os.path.join(package, required)):
            problems.append(f"missing: {required}")
    if problems:
        return False, problems
    payload = _read_manifest(os.path.join(package, MANIFEST))
    tags = _read_manifest(os.path.join(package, TAG_MANIFEST))
    listed = set(payload) | set(tags)
    for name, expected in sorted({**payload, **tags}.items()):
        path = os.path.join(package, name)
        if not os.path.isfile(path):
            problems.append(f"missing: {name}")
        elif _sha256(path) != expected:
            problems.append(f"changed: {name}")
    present = _all_files(package)
    for name in sorted(present - listed - UNLISTED_TAG_FILES):
        problems.append(f"not in the manifest: {name}")
    try:
        key = load_pem_public_key(public_key_pem)
        with open(os.path.join(package, SIGNATURE_FILE), encoding="ascii") as f:
            signature = base64.b64decode(f.read().strip())
        with open(os.path.join(package, TAG_MANIFEST), "rb") as f:
            key.verify(signature, f.read())
    except (InvalidSignature, ValueError, TypeError):
        problems.append("signature: not made by the given public key (not the school's)")
    return not problems, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Check a signed archive package of the school journal.")
    parser.add_argument("package", help="the package folder")
    parser.add_argument("--public-key", required=True, help="the school's public key (PEM), from the acceptance act")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.package):
        print(f"not a folder: {args.package}", file=sys.stderr)
        return 2
    with open(args.public_key, "rb") as f:
        pem = f.read()
    ok, problems = verify(args.package, pem)
    for line in problems:
        print(line)
    print("OK: every file is intact and the signature is the school's" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
