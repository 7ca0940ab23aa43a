"""Sealing backups (AES-GCM) and device-bound push keys (Ed25519).

Keys and nonces come from the world's seeded random source, so a run replays exactly.
Only raw bytes are kept in state, which keeps the world picklable.
"""

from __future__ import annotations

import random

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"ACB1"  # authconform backup, format 1
NONCE_LEN = 12


class DamagedBlob(Exception):
    """Tampered, truncated or sealed under another key."""


def new_key(rng: random.Random) -> bytes:
    return rng.randbytes(32)


def seal(key: bytes, plaintext: bytes, aad: bytes, rng: random.Random) -> bytes:
    nonce = rng.randbytes(NONCE_LEN)
    return MAGIC + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def unseal(key: bytes, blob: bytes, aad: bytes) -> bytes:
    if len(blob) < len(MAGIC) + NONCE_LEN + 16 or not blob.startswith(MAGIC):
        raise DamagedBlob("not a backup blob, or truncated")
    nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_LEN]
    try:
        return AESGCM(key).decrypt(nonce, blob[len(MAGIC) + NONCE_LEN :], aad)
    except InvalidTag as exc:
        raise DamagedBlob("authentication tag does not match") from exc


def new_device_key(rng: random.Random) -> tuple[bytes, bytes]:
    """(private, public) raw bytes of a fresh Ed25519 key made on the device."""
    private = Ed25519PrivateKey.from_private_bytes(rng.randbytes(32))
    public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    ), public


def sign(private: bytes, message: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(private).sign(message)


def verify(public: bytes, message: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True
