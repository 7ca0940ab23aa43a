"""Sealing backups, device push keys, and QR pictures."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from sim import crypto, qr
from sim.codes import TotpParams, secret_from_bytes
from sim.tenants import activation_text, parse_activation

AAD = b"ios|0123456789abcdef"


def _sealed(plaintext: bytes = b'{"accounts":[]}') -> tuple[bytes, bytes]:
    rng = random.Random(7)
    key = crypto.new_key(rng)
    return key, crypto.seal(key, plaintext, AAD, rng)


def test_seal_unseal_round_trip() -> None:
    key, blob = _sealed(b"secret payload")
    assert blob.startswith(crypto.MAGIC)
    assert b"secret payload" not in blob
    assert crypto.unseal(key, blob, AAD) == b"secret payload"


def test_sealing_twice_uses_fresh_nonces() -> None:
    rng = random.Random(1)
    key = crypto.new_key(rng)
    assert crypto.seal(key, b"x", AAD, rng) != crypto.seal(key, b"x", AAD, rng)


@pytest.mark.parametrize("where", [0, 4, 10, 16, 20, -17, -1])
def test_tampered_byte_is_damaged(where: int) -> None:
    key, blob = _sealed()
    tampered = bytearray(blob)
    tampered[where] ^= 0x01
    with pytest.raises(crypto.DamagedBlob):
        crypto.unseal(key, bytes(tampered), AAD)


@pytest.mark.parametrize("keep", [0, 3, 4 + 12 + 15, 4 + 12 + 16, -1])
def test_truncated_blob_is_damaged(keep: int) -> None:
    key, blob = _sealed()
    with pytest.raises(crypto.DamagedBlob):
        crypto.unseal(key, blob[:keep], AAD)


def test_wrong_key_is_damaged() -> None:
    _, blob = _sealed()
    with pytest.raises(crypto.DamagedBlob):
        crypto.unseal(crypto.new_key(random.Random(99)), blob, AAD)


def test_wrong_aad_is_damaged() -> None:
    key, blob = _sealed()
    with pytest.raises(crypto.DamagedBlob):
        crypto.unseal(key, blob, b"android|0123456789abcdef")


def test_ed25519_sign_verify() -> None:
    rng = random.Random(3)
    private, public = crypto.new_device_key(rng)
    other_private, other_public = crypto.new_device_key(rng)
    assert len(private) == len(public) == 32 and private != public
    signature = crypto.sign(private, b"nonce")
    assert crypto.verify(public, b"nonce", signature)
    assert not crypto.verify(public, b"other nonce", signature)
    assert not crypto.verify(other_public, b"nonce", signature)
    assert not crypto.verify(public, b"nonce", crypto.sign(other_private, b"nonce"))
    assert not crypto.verify(b"short", b"nonce", signature)  # malformed public key
    assert not crypto.verify(public, b"nonce", signature[:-1])


def test_device_keys_replay_from_the_seed() -> None:
    assert crypto.new_device_key(random.Random(5)) == crypto.new_device_key(random.Random(5))


# ---------------------------------------------------------------- QR pictures


@pytest.mark.parametrize("text", [
    TotpParams(secret_from_bytes(bytes(range(20))), 8, 60, "SHA256").uri(
        "jane.doe@example.com", "ACME Co"),
    activation_text("123456789", "https://mfa.contoso1.example/activate/tenant-1"),
])
def test_qr_render_decode_round_trip(text: str) -> None:
    png = qr.render(text)
    assert png.startswith(b"\x89PNG")
    assert qr.decode(png) == text


def test_activation_text_round_trip() -> None:
    url = "https://mfa.contoso1.example/activate/tenant-1"
    assert parse_activation(activation_text("000000042", url)) == ("000000042", url)
    assert parse_activation("otpauth://totp/x?secret=JBSWY3DP") is None
    assert parse_activation("phonefactor://activate?code=1") is None


def _blank_png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (64, 64), 255).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize("png", [
    b"", b"not a picture", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, _blank_png(),
    qr.render("otpauth://totp/x?secret=JBSWY3DP")[:200],
], ids=["empty", "text", "header-only", "blank", "truncated"])
def test_garbage_png_decodes_to_none(png: bytes) -> None:
    assert qr.decode(png) is None
