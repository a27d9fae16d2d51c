"""Encryption at rest of the most sensitive personal data (PD-6, 000:5.4, 001:5.4).

SNILS, medical and family notes, document numbers and home addresses are stored as AES-GCM
ciphertexts (`EncryptedText` columns); a copy of the database without the keys reveals none of
them. Where a field must be found by its value (a SNILS), a keyed hash of the normalised value
(`blind_index`) is stored beside it: equal values give equal hashes, and without the key the hash
tells nothing.

Keys come from the configuration (`PD_ENCRYPTION_KEYS`: "id:base64key" entries separated by
commas, the first one encrypts, all of them decrypt; `PD_INDEX_KEY` for the keyed hashes). A fresh
installation without them keeps generated keys in the instance folder, outside the database and
its backups (app.py). A stored value reads "enc1:<key id>:<base64 of nonce + ciphertext>", so that
key rotation (`flask pd rotate-key`) can find what is still under an old key.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import current_app
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

PREFIX = "enc1"
NONCE_BYTES = 12


class UnreadableValue(Exception):
    """A stored value whose key is not configured, or that does not decrypt with it."""


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]  # key id -> 32-byte key
    current: str
    index_key: bytes

    @classmethod
    def parse(cls, spec: str, index_key: str) -> KeyRing:
        keys: dict[str, bytes] = {}
        current = ""
        for entry in (e.strip() for e in spec.split(",")):
            if not entry:
                continue
            key_id, _, encoded = entry.partition(":")
            raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            if len(raw) != 32 or not key_id.isalnum():
                raise ValueError("PD_ENCRYPTION_KEYS: each entry is id:base64 of 32 bytes")
            keys[key_id] = raw
            current = current or key_id
        if not keys:
            raise ValueError("PD_ENCRYPTION_KEYS is empty")
        index_raw = base64.urlsafe_b64decode(index_key + "=" * (-len(index_key) % 4))
        if len(index_raw) < 32:
            raise ValueError("PD_INDEX_KEY: base64 of at least 32 bytes")
        return cls(keys, current, index_raw)

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.current]).encrypt(nonce, plaintext.encode("utf-8"), PREFIX.encode())
        return f"{PREFIX}:{self.current}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, stored: str) -> str:
        prefix, key_id, payload = (stored.split(":", 2) + ["", ""])[:3]
        if prefix != PREFIX:
            return stored  # written before encryption was switched on: plain text
        key = self.keys.get(key_id)
        if key is None:
            raise UnreadableValue(f"no key {key_id!r} configured")
        raw = base64.b64decode(payload)
        try:
            return AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], PREFIX.encode()).decode("utf-8")
        except InvalidTag as exc:
            raise UnreadableValue(f"value does not decrypt with key {key_id!r}") from exc

    def key_id_of(self, stored: str | None) -> str | None:
        if not stored or not stored.startswith(PREFIX + ":"):
            return None
        return stored.split(":", 2)[1]

    def blind_index(self, value: str | None) -> str:
        normalised = "".join(ch for ch in (value or "").casefold() if ch.isalnum())
        if not normalised:
            return ""
        return hmac.new(self.index_key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()


def new_key_entry(key_id: str) -> str:
    return f"{key_id}:{base64.urlsafe_b64encode(secrets.token_bytes(32)).decode('ascii').rstrip('=')}"


def new_index_key() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii").rstrip("=")


_rings: dict[tuple[str, str], KeyRing] = {}


def keyring() -> KeyRing:
    spec = current_app.config["PD_ENCRYPTION_KEYS"]
    index_key = current_app.config["PD_INDEX_KEY"]
    ring = _rings.get((spec, index_key))
    if ring is None:
        ring = _rings[(spec, index_key)] = KeyRing.parse(spec, index_key)
    return ring


def blind_index(value: str | None) -> str:
    return keyring().blind_index(value)


class EncryptedText(TypeDecorator):
    """A text column stored encrypted; reads and writes plain text in Python. Empty stays empty
    (an empty field is not a secret), None stays None."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if not value:
            return value
        return keyring().encrypt(value)

    def process_result_value(self, value, dialect):
        if not value:
            return value
        return keyring().decrypt(value)
