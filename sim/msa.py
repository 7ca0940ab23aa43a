"""Personal Microsoft accounts: passwords, alternate email and phone, sign-in sessions,
per-device credentials and push keys.

000/002 "Recover your account credentials on your new device": after recovery each phone
has its own credential, so the codes differ, and both are valid for their own phone.
000/002 "Recover accounts requiring more verification": the password plus a code sent
to an alternate email or phone proves the person before a push credential is made.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from sim.codes import MSA_DIGITS, TotpParams, secret_from_bytes
from sim.refusals import Code, Refusal


@dataclass
class Session:
    username: str
    signed_in_at: float
    revoked: bool = False


@dataclass
class PendingCode:
    code: str
    expires_at: float
    used: bool = False


@dataclass
class Msa:
    id: str
    person_id: str
    username: str
    password: str
    alternate_email: str | None
    alternate_phone: str | None
    # Long-lived enrolment token the app keeps; the backup carries it so a new phone can
    # be enrolled without the password (push accounts excepted).
    account_token: str = ""
    credentials: dict[str, TotpParams] = field(default_factory=dict)  # by device id
    push_keys: dict[str, bytes] = field(default_factory=dict)  # public keys by device id
    pending: PendingCode | None = None
    sessions: list[Session] = field(default_factory=list)
    # What else the account holds (000/002: mail and files are never backed up), as
    # (kind, text) pairs, and whether it has a problem of its own (blocked, locked).
    data: list[tuple[str, str]] = field(default_factory=list)
    problem: bool = False


@dataclass
class MicrosoftAccounts:
    accounts: dict[str, Msa] = field(default_factory=dict)  # by lower-case user name

    def add(self, account: Msa) -> None:
        self.accounts[account.username.lower()] = account

    def find(self, username: str) -> Msa | None:
        return self.accounts.get(username.strip().lower())

    def by_id(self, msa_id: str) -> Msa | None:
        return next((a for a in self.accounts.values() if a.id == msa_id), None)

    def sign_in(self, username: str, password: str, now: float) -> Session:
        account = self.find(username)
        if account is None or account.password != password:
            raise Refusal(Code.SIGN_IN_FAILED)
        if account.problem:  # 000 troubleshooting, account problems
            raise Refusal(Code.SIGN_IN_FAILED, "There is a problem with this Microsoft "
                          "account; fix it at the account's website, then try again.")
        session = Session(account.username, now)
        account.sessions.append(session)
        return session

    def session_valid(self, session: Session | None, now: float, lifetime: float) -> bool:
        return (
            session is not None
            and not session.revoked
            and now - session.signed_in_at < lifetime
        )

    def revoke_sessions(self, username: str) -> None:
        account = self.find(username)
        if account is not None:
            for session in account.sessions:
                session.revoked = True

    # -- per-device credentials
    def enroll_device(self, username: str, token: str, device_id: str,
                      rng: random.Random, digits: int = MSA_DIGITS) -> TotpParams:
        """A new credential for ``device_id``; other devices keep theirs."""
        account = self.find(username)
        if account is None or token != account.account_token:
            raise Refusal(Code.SIGN_IN_FAILED)
        params = TotpParams(secret_from_bytes(rng.randbytes(20)), digits=digits)
        account.credentials[device_id] = params
        return params

    def accepts_code(self, msa_id: str, device_id: str, code: str, now: float,
                     drift_steps: int = 0, any_phone: bool = False) -> bool:
        """A code typed as coming from ``device_id``; with ``any_phone``, a current code
        of any phone the account is enrolled on is taken too."""
        account = self.by_id(msa_id)
        if account is None:
            return False
        params = account.credentials.get(device_id)
        if any_phone and params is not None:
            return any(p.accepts(code, now, drift_steps) for p in account.credentials.values())
        return params is not None and params.accepts(code, now, drift_steps)

    # -- additional verification
    def send_code(self, username: str, password: str, channel: str, now: float,
                  ttl: float, rng: random.Random) -> tuple[str, str]:
        """Check the password, then make a one-time code for the alternate ``channel``.
        Returns (address, code); the caller delivers it."""
        account = self.find(username)
        if account is None or account.password != password:
            raise Refusal(Code.SIGN_IN_FAILED)
        address = {"email": account.alternate_email, "phone": account.alternate_phone}.get(
            channel
        )
        if address is None:
            raise Refusal(Code.NO_SUCH_CHANNEL)
        code = f"{rng.randrange(10**6):06d}"
        account.pending = PendingCode(code, now + ttl)
        return address, code

    def confirm_code(self, username: str, code: str, now: float) -> None:
        account = self.find(username)
        pending = account.pending if account else None
        if (pending is None or pending.used or now >= pending.expires_at
                or pending.code != code.strip()):
            raise Refusal(Code.WRONG_CODE)
        pending.used = True
