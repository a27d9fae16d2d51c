"""Signed archive packages (ARC-1, ARC-3): a BagIt bag (the `bagit` library) of a class's year —
printed journal pages and summary sheets, the data as CSV/JSON, personal-file extracts and a
description — whose tag manifest (which covers the payload manifest and bag-info.txt) is signed
with the school's Ed25519 key. The stand-alone verifier (utils/archive_verifier.py) is copied into
each package as `verify_package.py`, so that anyone with Python, `cryptography` and the school's
public key (printed on the acceptance act) can check the package years later.

The signing key is created once and kept outside the database, at ARCHIVE_SIGNING_KEY_PATH (the
instance folder by default), readable by the service account only.
"""
from __future__ import annotations

import base64
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import bagit
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from utils import archive_verifier

VERIFIER_NAME = "verify_package.py"
PUBLIC_KEY_NAME = "school-public-key.pem"


def load_or_create_signing_key(path: str | os.PathLike) -> Ed25519PrivateKey:
    """The school's signing key from `path`, created there (mode 0600) the first time."""
    path = Path(path)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def public_key_pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def fingerprint(key: Ed25519PrivateKey) -> str:
    """The public key's raw 32 bytes in hex groups, short enough to print on an act."""
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    hexed = raw.hex().upper()
    return " ".join(hexed[i : i + 4] for i in range(0, len(hexed), 4))


def sign_package(folder: str | os.PathLike, key: Ed25519PrivateKey) -> None:
    """(Re)write the signature of the package's tag manifest."""
    folder = Path(folder)
    signature = key.sign((folder / archive_verifier.TAG_MANIFEST).read_bytes())
    (folder / archive_verifier.SIGNATURE_FILE).write_text(base64.b64encode(signature).decode("ascii") + "\n")


@dataclass(frozen=True)
class Package:
    path: Path
    files: int
    bytes: int


def create_package(
    destination: str | os.PathLike,
    payload: Mapping[str, bytes],
    info: Mapping[str, str],
    key: Ed25519PrivateKey,
) -> Package:
    """Write a signed bag at `destination` (which must not exist) from `payload` (relative
    path inside data/ -> content) with `info` in bag-info.txt. Written in a temporary folder
    beside the destination and renamed at the end: a package is either complete or absent."""
    destination = Path(destination)
    if destination.exists():
        raise FileExistsError(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".incomplete-", dir=destination.parent))
    try:
        total = 0
        for name, content in payload.items():
            relative = Path(name)
            if relative.is_absolute() or ".." in relative.parts:
                raise ValueError(f"unsafe path in a package: {name}")
            target = staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
            total += len(content)
        bag = bagit.make_bag(str(staging), dict(info), checksums=["sha256"])
        # The verifier and the public key travel with the package, covered by the tag manifest.
        shutil.copyfile(archive_verifier.__file__, staging / VERIFIER_NAME)
        (staging / PUBLIC_KEY_NAME).write_bytes(public_key_pem(key))
        bag.save(manifests=True)
        sign_package(staging, key)
        os.replace(staging, destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Package(destination, len(payload), total)


def verify_package(folder: str | os.PathLike, public_key: bytes) -> tuple[bool, list[str]]:
    """The same check as the shipped verifier: (intact and the school's signature, problems)."""
    return archive_verifier.verify(str(folder), public_key)
