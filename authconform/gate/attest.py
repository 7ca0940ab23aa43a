"""Signed verdicts: an in-toto attestation of a conformance run that anyone holding the
public key can check.

``authconform run --sign KEY`` writes ``conformance.intoto.json`` next to
conformance.json: a DSSE envelope (payload type ``application/vnd.in-toto+json``,
Ed25519 signature over the DSSE pre-authentication encoding) around an in-toto Statement
v1 whose predicate is the in-toto *test-result* v0.1 predicate:

* ``subject``: the report files (conformance.json, and junit.xml and summary.md when
  written) with their SHA-256 digests;
* ``predicate.result``: ``PASSED`` (conformant), ``WARNED`` (review: the source
  documents changed under the catalogue) or ``FAILED`` (non-conformant, error);
  ``passedTests`` / ``warnedTests`` / ``failedTests``: requirement ids by status;
* ``predicate.configuration``: the requirement catalogue, the sources file and every
  feature file with their SHA-256 digests (paths relative to the repository), and one
  descriptor for the run itself (``pkg:pypi/authconform@VERSION``) whose annotations
  carry the harness version, the target's name, version and capabilities, profile,
  seed, selection, gate options and verdict;
* ``predicate.url``: the CI run, when the GitHub Actions variables say which.

``authconform verify ATTESTATION --key PUB [--report-dir DIR]`` checks the signature,
that the envelope is byte for byte the canonical one that was signed, every digest
(report files in DIR, default the attestation's folder; configuration files in the
repository), that no feature file was added, and that the run facts agree with
conformance.json. It exits 0 when all hold, 1 on any mismatch, 2 on bad input.
``authconform keygen [--out PREFIX]`` writes PREFIX.key (PKCS#8 PEM, mode 0600) and
PREFIX.pub.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from authconform import __version__
from authconform.spec.suite import find_root

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://in-toto.io/attestation/test-result/v0.1"
PAYLOAD_TYPE = "application/vnd.in-toto+json"
ATTESTATION_NAME = "conformance.intoto.json"
REPORT_SUBJECTS = ("conformance.json", "junit.xml", "summary.md")
RUN_DESCRIPTOR = "authconform run"
RESULTS = {"conformant": "PASSED", "review": "WARNED", "non-conformant": "FAILED",
           "error": "FAILED"}

EXIT_OK, EXIT_MISMATCH, EXIT_USAGE = 0, 1, 2


class AttestError(Exception):
    """A key or file that cannot be used (exit code 2)."""


# ---------------------------------------------------------------- keys


def keygen(prefix: str | Path) -> tuple[Path, Path]:
    """A new Ed25519 key pair as PREFIX.key and PREFIX.pub; never overwrites."""
    private_path, public_path = Path(f"{prefix}.key"), Path(f"{prefix}.pub")
    for path in (private_path, public_path):
        if path.exists():
            raise AttestError(f"{path} exists; choose another --out or remove it")
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    private_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(private)
    public_path.write_bytes(public)
    return private_path, public_path


def load_private_key(path: str | Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise AttestError(f"cannot read the signing key {path}: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise AttestError(f"{path} is not an Ed25519 private key")
    return key


def load_public_key(path: str | Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError, TypeError) as exc:
        raise AttestError(f"cannot read the public key {path}: {exc}") from exc
    if not isinstance(key, Ed25519PublicKey):
        raise AttestError(f"{path} is not an Ed25519 public key")
    return key


def keyid(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


# ---------------------------------------------------------------- DSSE


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: what is signed."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %b %d %b" % (len(kind), kind, len(payload), payload)


def canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def envelope(statement: Mapping[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    payload = canonical(statement)
    signature = key.sign(pae(PAYLOAD_TYPE, payload))
    return {"payloadType": PAYLOAD_TYPE,
            "payload": base64.b64encode(payload).decode("ascii"),
            "signatures": [{"keyid": keyid(key.public_key()),
                            "sig": base64.b64encode(signature).decode("ascii")}]}


def envelope_bytes(env: Mapping[str, Any]) -> bytes:
    """The file's exact bytes: canonical JSON and a newline, so that any edit shows."""
    return canonical(env) + b"\n"


def _b64(text: Any, what: str) -> bytes:
    """Strict base64: a string whose re-encoding is itself (no ignored bits or junk)."""
    if not isinstance(text, str):
        raise ValueError(f"{what} is not a string")
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"{what} is not base64: {exc}") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise ValueError(f"{what} is not canonical base64")
    return raw


# ---------------------------------------------------------------- the statement


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def configuration_files(root: Path) -> list[str]:
    """The suite's inputs, relative to the repository: catalogue, sources file, every
    feature file."""
    names = [n for n in ("features/requirements.yml", "features/sources.yml")
             if (root / n).is_file()]
    names += sorted(p.relative_to(root).as_posix() for p in (root / "features").rglob("*.feature"))
    return names


def run_facts(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {"harness": {"name": "authconform", "version": __version__},
            "target": dict(doc["target"]), "profile": doc["profile"], "seed": doc["seed"],
            "selection": doc["selection"], "gate": dict(doc["gate"]),
            "verdict": doc["verdict"], "schema_version": doc["schema_version"]}


def ci_url() -> str | None:
    server, repo, run = (os.environ.get(k) for k in
                         ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    return f"{server}/{repo}/actions/runs/{run}" if server and repo and run else None


def statement(report_dir: Path, root: Path) -> dict[str, Any]:
    """The in-toto Statement for the run whose reports are in ``report_dir``."""
    path = report_dir / "conformance.json"
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise AttestError(f"cannot read {path}: {exc}") from exc
    subject = [{"name": name, "digest": {"sha256": sha256_file(report_dir / name)}}
               for name in REPORT_SUBJECTS if (report_dir / name).is_file()]
    configuration: list[dict[str, Any]] = [
        {"name": name, "digest": {"sha256": sha256_file(root / name)}}
        for name in configuration_files(root)]
    configuration.append({"name": RUN_DESCRIPTOR, "uri": f"pkg:pypi/authconform@{__version__}",
                          "annotations": run_facts(doc)})
    by_status: dict[str, list[str]] = {}
    for r in doc["requirements"]:
        status = "review" if r.get("review") else r["status"]
        by_status.setdefault(status, []).append(r["id"])
    predicate: dict[str, Any] = {
        "result": RESULTS.get(doc["verdict"], "FAILED"),
        "configuration": configuration,
        "passedTests": by_status.get("passed", []),
        # blocked: not verified, because a waived or failing requirement's behaviour broke
        "warnedTests": sorted(by_status.get("review", []) + by_status.get("waived", [])
                              + by_status.get("blocked", [])),
        "failedTests": sorted(by_status.get("failed", []) + by_status.get("error", [])),
    }
    url = ci_url()
    if url:
        predicate["url"] = url
    return {"_type": STATEMENT_TYPE, "subject": subject, "predicateType": PREDICATE_TYPE,
            "predicate": predicate}


def sign_report(report_dir: str | Path, key: Ed25519PrivateKey, root: Path) -> Path:
    """Write the signed attestation next to conformance.json."""
    report_dir = Path(report_dir)
    out = report_dir / ATTESTATION_NAME
    out.write_bytes(envelope_bytes(envelope(statement(report_dir, root), key)))
    return out


# ---------------------------------------------------------------- verification


def verify(attestation: Path, public_key: Ed25519PublicKey, report_dir: Path,
           root: Path) -> tuple[list[str], list[str]]:
    """``(checked, problems)``: what was checked and held, and every mismatch."""
    checked: list[str] = []
    raw = attestation.read_bytes()
    try:
        env = json.loads(raw)
        if not isinstance(env, dict):
            raise ValueError("not a JSON object")
    except ValueError as exc:
        return checked, [f"envelope: not valid JSON ({exc})"]
    problems: list[str] = []
    if envelope_bytes(env) != raw:
        problems.append("envelope: not the canonical bytes that were written (edited?)")
    if set(env) != {"payloadType", "payload", "signatures"}:
        problems.append(f"envelope: fields {sorted(env)} are not payloadType, payload and "
                        "signatures")
    if env.get("payloadType") != PAYLOAD_TYPE:
        problems.append(f"envelope: payloadType {env.get('payloadType')!r} is not "
                        f"{PAYLOAD_TYPE}")
    try:
        payload = _b64(env.get("payload"), "payload")
    except ValueError as exc:
        return checked, [*problems, f"envelope: {exc}"]
    signatures = env.get("signatures")
    valid = False
    for sig in signatures if isinstance(signatures, list) else []:
        try:
            public_key.verify(_b64(sig.get("sig"), "signature"),
                              pae(str(env.get("payloadType")), payload))
        except (InvalidSignature, ValueError, AttributeError):
            continue
        valid = True
        # the keyid is not signed (DSSE): it must still name this key, not another
        if set(sig) != {"keyid", "sig"} or sig["keyid"] != keyid(public_key):
            problems.append("signature: its keyid does not name this public key")
    if not valid:
        return checked, [*problems, "signature: no signature verifies with this public key"]
    checked.append(f"signature (Ed25519, keyid {keyid(public_key)[:16]})")
    try:
        st = json.loads(payload)
        predicate = st["predicate"]
        subjects, configuration = st["subject"], predicate["configuration"]
    except (ValueError, KeyError, TypeError) as exc:
        return checked, [*problems, f"statement: malformed ({exc})"]
    if st.get("_type") != STATEMENT_TYPE or st.get("predicateType") != PREDICATE_TYPE:
        problems.append("statement: not an in-toto Statement v1 with the test-result "
                        "predicate")
    for item in subjects:
        problems += _check_digest(report_dir, item, checked)
    if not any(s.get("name") == "conformance.json" for s in subjects):
        problems.append("subject: conformance.json is not attested")
    named = set()
    for item in configuration:
        if "digest" in item:
            named.add(item.get("name"))
            problems += _check_digest(root, item, checked)
    extra = [n for n in configuration_files(root) if n not in named]
    problems += [f"{n}: not in the attestation (added after signing)" for n in extra]
    problems += _check_facts(report_dir, configuration, predicate)
    return checked, problems


def _check_digest(base: Path, item: Mapping[str, Any], checked: list[str]) -> list[str]:
    name = str(item.get("name", ""))
    want = (item.get("digest") or {}).get("sha256")
    path = base / name
    if not name or Path(name).is_absolute() or ".." in Path(name).parts:
        return [f"{name or '(no name)'}: not a relative path"]
    if not path.is_file():
        return [f"{name}: missing ({path})"]
    got = sha256_file(path)
    if got != want:
        return [f"{name}: sha256 {got[:16]}... differs from the attested {str(want)[:16]}..."]
    checked.append(f"{name} sha256 {got[:16]}...")
    return []


def _check_facts(report_dir: Path, configuration: Sequence[Mapping[str, Any]],
                 predicate: Mapping[str, Any]) -> list[str]:
    run = next((c for c in configuration if c.get("name") == RUN_DESCRIPTOR), None)
    if run is None:
        return ["configuration: the run descriptor is missing"]
    try:
        doc = json.loads((report_dir / "conformance.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []  # already reported as a digest problem
    facts = run.get("annotations", {})
    want = run_facts(doc)
    problems = [f"run facts: {k} is {facts.get(k)!r} in the attestation but {want[k]!r} in "
                "conformance.json" for k in want if k != "harness" and facts.get(k) != want[k]]
    if predicate.get("result") != RESULTS.get(doc["verdict"], "FAILED"):
        problems.append(f"result {predicate.get('result')!r} does not match the verdict "
                        f"{doc['verdict']!r}")
    return problems


# ---------------------------------------------------------------- commands


def verify_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="authconform verify",
        description="Check a signed conformance attestation: the signature, every digest "
                    "(report files, catalogue, feature files) and the run facts. Exit 0: "
                    "verified; 1: a mismatch; 2: bad input.")
    parser.add_argument("attestation", help=f"the envelope ({ATTESTATION_NAME})")
    parser.add_argument("--key", required=True, metavar="PUB", help="the Ed25519 public key")
    parser.add_argument("--report-dir", default=None, metavar="DIR",
                        help="where conformance.json is (default: the attestation's folder)")
    parser.add_argument("--root", default=None, help="the repository (default: found)")
    args = parser.parse_args(argv)
    attestation = Path(args.attestation)
    root = Path(args.root).resolve() if args.root else find_root()
    try:
        if not attestation.is_file():
            raise AttestError(f"{attestation} does not exist")
        if root is None:
            raise AttestError("cannot find the repository (features/ and steps/); pass --root")
        key = load_public_key(args.key)
    except AttestError as exc:
        print(f"authconform verify: {exc}", file=sys.stderr)
        return EXIT_USAGE
    report_dir = Path(args.report_dir) if args.report_dir else attestation.parent
    checked, problems = verify(attestation, key, report_dir, root)
    for line in checked:
        print(f"ok: {line}")
    for line in problems:
        print(f"MISMATCH: {line}")
    if problems:
        print(f"authconform verify: NOT verified: {len(problems)} problem(s)")
        return EXIT_MISMATCH
    print(f"authconform verify: verified ({len(checked) - 1} digests and the signature)")
    return EXIT_OK


def keygen_main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="authconform keygen",
        description="Make an Ed25519 key pair for `run --sign` (PREFIX.key, kept secret) "
                    "and `verify --key` (PREFIX.pub, shared).")
    parser.add_argument("--out", default="authconform-signing", metavar="PREFIX",
                        help="writes PREFIX.key and PREFIX.pub (default: authconform-signing)")
    args = parser.parse_args(argv)
    try:
        private, public = keygen(args.out)
    except (AttestError, OSError) as exc:
        print(f"authconform keygen: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"authconform keygen: private key {private} (keep it secret: a CI secret), "
          f"public key {public}")
    return EXIT_OK
