"""Verification codes: RFC 6238 TOTP, computed by pyotp."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from functools import cached_property

import pyotp

_DIGESTS = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256, "SHA512": hashlib.sha512}

# The simulator's personal Microsoft account codes have 8 digits by default (the
# documents name no length; sim.rules.Rules.msa_digits, declared to the suite);
# third-party sites usually use 6.
MSA_DIGITS = 8
DEFAULT_PERIOD = 30


class _Totp(pyotp.TOTP):
    """pyotp's TOTP, decoding its base32 secret once: pyotp decodes it for every code,
    and the simulator computes thousands of codes from a few hundred secrets."""

    def byte_secret(self) -> bytes:
        key: bytes | None = self.__dict__.get("_key")
        if key is None:
            key = self.__dict__["_key"] = super().byte_secret()
        return key


@dataclass(frozen=True)
class TotpParams:
    secret: str  # base32, no padding
    digits: int = 6
    period: int = DEFAULT_PERIOD
    algorithm: str = "SHA1"

    def __post_init__(self) -> None:
        if self.algorithm not in _DIGESTS:
            raise ValueError(f"unknown TOTP algorithm {self.algorithm!r}")
        if not 6 <= self.digits <= 8:  # what an otpauth URI (and so a QR code) can carry
            raise ValueError(f"TOTP digits must be 6..8, not {self.digits}")
        if self.period <= 0:
            raise ValueError("TOTP period must be positive")
        if not self._totp.byte_secret():  # raises on malformed base32
            raise ValueError("a TOTP secret cannot be empty")

    @cached_property
    def _totp(self) -> pyotp.TOTP:
        # Made once per secret (cached_property writes the instance's __dict__, which a
        # frozen dataclass allows); not a field, so equality and hashing ignore it.
        return _Totp(
            self.secret, digits=self.digits, digest=_DIGESTS[self.algorithm],
            interval=self.period,
        )

    def code_at(self, at: float) -> str:
        return self._totp.at(int(at))

    def accepts(self, code: str, at: float, drift_steps: int = 0) -> bool:
        # drift_steps time steps either side of now (0 by default: the simulated phone
        # and provider share one clock).
        return self._totp.verify(code, for_time=int(at), valid_window=drift_steps)

    def uri(self, username: str, issuer: str) -> str:
        return self._totp.provisioning_uri(name=username, issuer_name=issuer)


def secret_from_bytes(raw: bytes) -> str:
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def params_from_uri(uri: str) -> tuple[str, str, TotpParams]:
    """(issuer, username, params) from an otpauth:// URI; ValueError if it is not one."""
    totp = pyotp.parse_uri(uri)
    if not isinstance(totp, pyotp.TOTP):
        raise ValueError("not a TOTP provisioning URI")
    algorithm = {v: k for k, v in _DIGESTS.items()}.get(totp.digest, "SHA1")
    params = TotpParams(totp.secret, totp.digits, totp.interval, algorithm)
    return totp.issuer or "", totp.name or "", params
