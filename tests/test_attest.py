"""Signed verdicts: the in-toto attestation written by ``run --sign``, checked by
``verify``; any edit of the verdict, a feature file or the envelope is refused."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import stat
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from authconform import cli
from authconform.gate import attest, verdict
from authconform.report.summary import render_summary
from authconform.spec.catalogue import Requirement
from tests.test_bad_input import run_gate, said

NOW = dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)


def _cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out), redirect_stderr(out):
        code = cli.main(list(argv))
    return code, out.getvalue()


@pytest.fixture
def signed(tmp_path: Path) -> dict[str, Path]:
    """A repository with a catalogue and two feature files, a report folder with a
    conformance document, a key pair and the signed attestation."""
    root = tmp_path / "repo"
    (root / "features" / "more").mkdir(parents=True)
    (root / "steps").mkdir()
    (root / "features" / "requirements.yml").write_text("requirements: []\n", encoding="utf-8")
    (root / "features" / "keys.feature").write_text(
        "Feature: Keys\n  @REQ-KEY-01\n  Scenario: A door opens\n", encoding="utf-8")
    (root / "features" / "more" / "spare.feature").write_text(
        "Feature: Spare\n  @REQ-KEY-02\n  Scenario: A spare is kept\n", encoding="utf-8")
    reports = tmp_path / "reports"
    reports.mkdir()
    catalogue = [Requirement("REQ-KEY-01", "KEY", "MUST", ("current",), "Doors open.", ()),
                 Requirement("REQ-KEY-02", "KEY", "MUST", ("current",), "Spares.", ())]
    scenarios = [verdict.ScenarioResult("keys.feature::a", "Keys", "a", verdict.PASSED,
                                        ("REQ-KEY-01",)),
                 verdict.ScenarioResult("more/spare.feature::b", "Spare", "b", verdict.FAILED,
                                        ("REQ-KEY-02",), message="no spare")]
    doc = verdict.build_document(
        catalogue, scenarios, verdict.RunInfo(target_name="sim", target_version="1.2.3",
                                              capabilities=("clock",), seed=42),
        today=NOW.date(), generated_at=NOW)
    (reports / "conformance.json").write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    (reports / "summary.md").write_text(render_summary(doc), encoding="utf-8")
    private, public = attest.keygen(tmp_path / "keys" / "ci")
    where = attest.sign_report(reports, attest.load_private_key(private), root)
    return {"root": root, "reports": reports, "private": private, "public": public,
            "attestation": where}


def _verify(s: dict[str, Path], key: Path | None = None) -> tuple[int, str]:
    return _cli("verify", str(s["attestation"]), "--key", str(key or s["public"]),
                "--root", str(s["root"]))


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_pae_follows_the_dsse_spec() -> None:
    # the example of the DSSE protocol description
    assert attest.pae("http://example.com/HelloWorld", b"hello world") == \
        b"DSSEv1 29 http://example.com/HelloWorld 11 hello world"


def test_keygen_writes_a_secret_private_key_and_never_overwrites(tmp_path: Path) -> None:
    code, out = _cli("keygen", "--out", str(tmp_path / "k"))
    assert code == 0, out
    assert stat.S_IMODE((tmp_path / "k.key").stat().st_mode) == 0o600
    assert (tmp_path / "k.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    code, out = _cli("keygen", "--out", str(tmp_path / "k"))
    assert code == 2 and "exists" in out


def test_the_statement_is_an_in_toto_test_result(signed: dict[str, Path]) -> None:
    env = json.loads(signed["attestation"].read_text())
    assert env["payloadType"] == "application/vnd.in-toto+json"
    st = json.loads(base64.b64decode(env["payload"]))
    assert st["_type"] == "https://in-toto.io/Statement/v1"
    assert st["predicateType"] == "https://in-toto.io/attestation/test-result/v0.1"
    assert [s["name"] for s in st["subject"]] == ["conformance.json", "summary.md"]
    p = st["predicate"]
    assert p["result"] == "FAILED"  # the document is non-conformant
    assert (p["passedTests"], p["failedTests"], p["warnedTests"]) == (
        ["REQ-KEY-01"], ["REQ-KEY-02"], [])
    names = [c["name"] for c in p["configuration"]]
    assert names == ["features/requirements.yml", "features/keys.feature",
                     "features/more/spare.feature", "authconform run"]
    run = p["configuration"][-1]
    assert run["uri"].startswith("pkg:pypi/authconform@")
    facts = run["annotations"]
    assert facts["target"] == {"name": "sim", "version": "1.2.3", "capabilities": ["clock"]}
    assert (facts["profile"], facts["seed"], facts["harness"]["name"]) == ("current", 42,
                                                                           "authconform")


def test_a_valid_attestation_verifies(signed: dict[str, Path]) -> None:
    code, out = _verify(signed)
    assert code == 0, out
    assert "ok: signature" in out and "ok: features/more/spare.feature" in out
    assert out.strip().endswith("verified (5 digests and the signature)")


def test_one_byte_of_the_verdict_edited_is_refused(signed: dict[str, Path]) -> None:
    path = signed["reports"] / "conformance.json"
    _flip(path, path.read_bytes().index(b'"non-conformant"') + 1)
    code, out = _verify(signed)
    assert code == 1
    assert "MISMATCH: conformance.json: sha256" in out and "NOT verified" in out


def test_one_byte_of_a_feature_file_edited_is_refused(signed: dict[str, Path]) -> None:
    _flip(signed["root"] / "features" / "more" / "spare.feature", 5)
    code, out = _verify(signed)
    assert code == 1 and "MISMATCH: features/more/spare.feature: sha256" in out


def test_a_feature_file_added_or_removed_after_signing_is_refused(
        signed: dict[str, Path]) -> None:
    extra = signed["root"] / "features" / "extra.feature"
    extra.write_text("Feature: Extra\n", encoding="utf-8")
    code, out = _verify(signed)
    assert code == 1 and "features/extra.feature: not in the attestation" in out
    extra.unlink()
    (signed["root"] / "features" / "keys.feature").unlink()
    code, out = _verify(signed)
    assert code == 1 and "MISMATCH: features/keys.feature: missing" in out


def test_every_one_byte_edit_of_the_envelope_is_refused(signed: dict[str, Path]) -> None:
    path, original = signed["attestation"], signed["attestation"].read_bytes()
    key = attest.load_public_key(signed["public"])
    for offset in range(len(original)):
        _flip(path, offset)
        _, problems = attest.verify(path, key, signed["reports"], signed["root"])
        assert problems, f"an edit at byte {offset} was accepted"
        path.write_bytes(original)
    _, problems = attest.verify(path, key, signed["reports"], signed["root"])
    assert problems == []


def test_a_re_signed_payload_or_the_wrong_key_is_refused(signed: dict[str, Path],
                                                         tmp_path: Path) -> None:
    _, other_public = attest.keygen(tmp_path / "other")
    code, out = _verify(signed, other_public)
    assert code == 1 and "no signature verifies with this public key" in out
    # a forger edits the statement (result FAILED -> PASSED) and re-signs with their key
    env = json.loads(signed["attestation"].read_text())
    st = json.loads(base64.b64decode(env["payload"]))
    st["predicate"]["result"] = "PASSED"
    forger = attest.load_private_key(tmp_path / "other.key")
    signed["attestation"].write_bytes(attest.envelope_bytes(attest.envelope(st, forger)))
    code, out = _verify(signed)
    assert code == 1 and "no signature verifies" in out
    code, out = _verify(signed, other_public)  # the forger's own key: the facts disagree
    assert code == 1 and "does not match the verdict 'non-conformant'" in out


def test_bad_input_is_exit_2(signed: dict[str, Path], tmp_path: Path) -> None:
    code, out = _cli("verify", str(tmp_path / "none.json"), "--key", str(signed["public"]))
    assert code == 2 and "does not exist" in out
    code, out = _verify(signed, tmp_path / "no.pub")
    assert code == 2 and "cannot read the public key" in out
    code, out = _verify(signed, signed["private"])
    assert code == 2
    code, out = _cli("run", "--no-html", "--sign", str(tmp_path / "no.key"))
    assert code == 2 and "cannot read the signing key" in out


def test_run_sign_writes_an_attestation_that_verifies(tmp_path: Path) -> None:
    private, public = attest.keygen(tmp_path / "ci")
    done = run_gate(tmp_path, "-k", "turns_on_backup", "--seed", "3", "--sign", str(private))
    assert done.returncode == 0, said(done)[-3000:]
    where = tmp_path / "reports" / "conformance.intoto.json"
    assert f"attestation {where}" in said(done)
    code, out = _cli("verify", str(where), "--key", str(public))
    assert code == 0, out
    assert "ok: conformance.json" in out and "ok: junit.xml" in out
    assert "ok: features/requirements.yml" in out and "ok: features/sources.yml" in out
