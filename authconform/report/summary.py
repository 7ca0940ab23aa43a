"""``summary.md``: the verdict, what it covers, the requirements and the scenarios that
did not pass, as Markdown for a CI job summary or a pull-request comment. Made from the
conformance document alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from authconform.gate import verdict
from authconform.spec.catalogue import ROBUSTNESS

_ICON = {"conformant": "✅", "non-conformant": "❌", "error": "💥", "review": "🔎",
         "passed": "✅", "failed": "❌", "error-status": "💥", "waived": "🟡", "blocked": "⛔",
         "not-applicable": "⬜", "uncovered": "⚠️", "skipped": "⏭️"}


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def summary_grades(doc: Mapping[str, Any]) -> list[str]:
    """What the verdict covers and the robustness grade beside it."""
    scope = verdict.scope_prefix(doc)
    lines = [f"**Coverage:** {_md(scope + verdict.coverage_line(doc))}", ""]
    c = doc["coverage"]
    partly = c.get("partly", [])
    if c["unverified"] or partly:
        by_reason: dict[str, list[str]] = {}
        for req in doc["requirements"]:
            if req["id"] in c["unverified"]:
                for because in req.get("unverified_because", ["unverified"]):
                    by_reason.setdefault(because, []).append(req["id"])
            elif req["id"] in partly:  # what ran passed; the rest needs these
                because = f"partly: {', '.join(req['missing_capabilities'])}"
                by_reason.setdefault(because, []).append(req["id"])
        lines += ["| Unverified because | Documented MUST requirements |", "|---|---|"]
        lines += [f"| {_md(because)} | {', '.join(ids)} |"
                  for because, ids in sorted(by_reason.items(), key=lambda kv: -len(kv[1]))]
        lines.append("")
    lines += [f"**Robustness** (harness-added faults and attacks): "
              f"{_md(verdict.robustness_line(doc).removeprefix('robustness '))}", ""]
    return lines


def summary_sources(doc: Mapping[str, Any]) -> list[str]:
    """The source documents' coverage, what changed and the requirements to review."""
    check = doc["sources"]
    lines = ["### Source documents", "",
             "| Document | Paragraphs | Bound | No behaviour | Uncovered |",
             "|---|---:|---:|---:|---:|"]
    lines += [f"| {_md(d['doc'])} | {d['paragraphs']} | {d['bound']} | {d['no_behaviour']} "
              f"| {len(d['uncovered'])} |" for d in check["documents"]]
    lines.append("")
    if check["review"]:
        lines += ["| Requirement to review | What changed in its passages |", "|---|---|"]
        lines += [f"| {rid} | {'<br>'.join(_md(c) for c in changes)} |"
                  for rid, changes in sorted(check["review"].items())]
        lines.append("")
    others = [f"- uncovered: {_md(u)}" for d in check["documents"] for u in d["uncovered"]]
    others += [f"- {_md(p)}" for p in check["problems"]]
    if others:
        lines += [*others, ""]
    if check["status"] == "current" and not check["problems"]:
        lines += ["Every bound passage still matches its fingerprint.", ""]
    return lines


def render_summary(doc: Mapping[str, Any]) -> str:
    """A Markdown summary for a CI job page ($GITHUB_STEP_SUMMARY)."""
    v = doc["verdict"]
    target = doc["target"]
    mutant = f", mutant `{target['mutant']}`" if target.get("mutant") else ""
    lines = [
        f"## {_ICON.get(v, '')} Conformance: **{v}**", "",
        f"Target `{target['name']}` {target['version']}{mutant} · profile `{doc['profile']}` · "
        f"seed `{doc['seed']}` · selection `{doc['selection']}`", "",
    ]
    if target.get("port_note"):
        lines += [f"**Port version:** {_md(target['port_note'])}", ""]
    lines += summary_grades(doc)
    if doc.get("readings"):
        lines += ["**Readings** (documented ambiguities; an undeclared one is found from the "
                  "run):", ""]
        lines += [f"- {_md(verdict.reading_words(name, e))}"
                  for name, e in doc["readings"].items()] + [""]
    if doc["reasons"]:
        lines += ["**Why:**", ""] + [f"- {_md(r)}" for r in doc["reasons"]] + [""]
    ts, tr = doc["totals"]["scenarios"], doc["totals"]["requirements"]
    lines += ["| Scenarios | passed | failed | blocked | error | not-applicable | skipped "
              "| total |",
              "|---|---:|---:|---:|---:|---:|---:|---:|",
              f"| | {ts['passed']} | {ts['failed']} | {ts['blocked']} | {ts['error']} "
              f"| {ts['not-applicable']} | {ts['skipped']} | {ts['total']} |", ""]
    if doc["totals"].get("exploratory"):
        lines += [f"{doc['totals']['exploratory']} of these scenarios are exploratory "
                  "(tagged @exploratory): they check no catalogued requirement and count "
                  "towards no coverage.", ""]
    lines += ["| Requirements | passed | failed | error | blocked | waived | not-applicable "
              "| uncovered | total |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
              f"| | {tr['passed']} | {tr['failed']} | {tr['error']} | {tr['blocked']} "
              f"| {tr['waived']} | {tr['not-applicable']} | {tr['uncovered']} "
              f"| {tr['total']} |", ""]
    if doc["requirements"]:
        lines += ["### Requirements", "",
                  "| Requirement | Level | Status | Scenarios | Summary |",
                  "|---|---|---|---:|---|"]
        for r in doc["requirements"]:
            icon = _ICON["error-status"] if r["status"] == "error" else _ICON.get(r["status"], "")
            notes = []
            if r.get("waiver"):
                w = r["waiver"]
                notes.append(f"(waiver {w['state']}, {w['owner']}, until {w['expires']})")
            if r.get("missing_capabilities"):
                notes.append(f"(needs {', '.join(r['missing_capabilities'])})")
            if r.get("blocked_by") and r["status"] == verdict.BLOCKED:
                notes.append(f"by {', '.join(r['blocked_by'])}")
            if r.get("precondition_failures"):
                count = len(r["precondition_failures"])
                notes.append(f"(also in {count} precondition{'s' if count > 1 else ''} "
                             "of other scenarios)")
            if r.get("review"):
                notes.append(f"{_ICON['review']} review: source changed")
            status = _md(" ".join([icon, r["status"], *notes]))
            level = r["level"] + (" (robustness)" if r.get("kind") == ROBUSTNESS else "")
            lines.append(f"| {r['id']} | {level} | {status} | "
                         f"{len(r['scenarios'])} | {_md(r['summary'])} |")
        lines.append("")
    bad = [s for s in doc["scenarios"] if s["status"] in verdict.NOT_PASSING]
    if bad:
        lines += ["### Failing scenarios", "", "| Scenario | Status | Requirements | Message |",
                  "|---|---|---|---|"]
        for s in bad:  # the user-facing record keeps its lines (step, where, answer)
            msg = "<br>".join(_md(line) for line in s.get("message", "").splitlines())
            if len(msg) > 600:
                msg = msg[:599] + "…"
            title = s.get("title") or s["name"]
            lines.append(f"| {_md(title)} ({_md(s['id'].split('::', 1)[0])}) "
                         f"| {verdict.status_words(s)} "
                         f"| {', '.join(s['requirements'])} | {msg} |")
        lines.append("")
    if "sources" in doc:
        lines += summary_sources(doc)
    w = doc["waivers"]
    if w["expired"] or w["stale"]:
        lines += ["### Waivers to fix", ""]
        lines += [f"- expired: {x['requirement']} ({x['owner']}, {x['expires']})"
                  for x in w["expired"]]
        lines += [f"- stale (requirement passes): {x['requirement']} ({x['owner']})"
                  for x in w["stale"]]
        lines.append("")
    if doc["unverified"]:
        lines += [f"Unverified for missing capabilities: {', '.join(doc['unverified'])}", ""]
    if doc["harness"]["collection_errors"]:
        lines += ["### Collection errors", ""]
        lines += [f"- `{_md(e)[:300]}`" for e in doc["harness"]["collection_errors"]] + [""]
    return "\n".join(lines)
