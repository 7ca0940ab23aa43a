"""The verdict as the first thing the HTML report shows.

Allure's overview leads with a pass-rate ring: 99 % green for a run whose one failure
makes the target non-conformant. Allure's quality gates judge Allure's own counts (and
only under ``allure run``), not the gate's decision, so the report would still headline
the ring. ``with_banner`` puts a section above Allure's app in ``index.html``: the
verdict word, the exit code it means, the coverage line and the requirements the gate
names, each linked to its page. It is plain HTML in the page itself, so it shows
before the app starts and whatever the app scrolls to (``position: sticky``).

The render check (``authconform.report.render_check``) reads it back from the DOM Chromium
builds and compares it with ``conformance.json``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from authconform.gate import verdict

BANNER_ID = "authconform-verdict"
EXIT_OF = {verdict.CONFORMANT: 0, verdict.NON_CONFORMANT: 1, verdict.REVIEW: 1,
           verdict.ERROR: 3}
HEADLINE = {verdict.CONFORMANT: "Conformant", verdict.NON_CONFORMANT: "Non-conformant",
            verdict.REVIEW: "Review: the documents changed",
            verdict.ERROR: "Error: no verdict on the target"}
# background of each verdict: never green unless conformant
COLOUR = {verdict.CONFORMANT: "#1e7b3a", verdict.NON_CONFORMANT: "#b3261e",
          verdict.REVIEW: "#8a5300", verdict.ERROR: "#4a3b8f"}
_REQ = re.compile(r"REQ-[A-Z0-9]+(?:-[A-Z0-9]+)*-\d{2,}")
SHOWN = 12  # requirements listed on the banner; the rest are one click away

_STYLE = f"""
#{BANNER_ID}{{position:sticky;top:0;z-index:1000;color:#fff;padding:14px 24px 12px;
font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;box-shadow:0 2px 6px #0004}}
#{BANNER_ID} h1{{font-size:30px;line-height:1.15;margin:0 0 4px;font-weight:700}}
#{BANNER_ID} h1 small{{font-size:15px;font-weight:400;opacity:.85;margin-left:12px}}
#{BANNER_ID} p{{margin:2px 0}}#{BANNER_ID} a{{color:#fff;text-decoration:underline}}
#{BANNER_ID} ul{{margin:4px 0;padding-left:20px;max-height:9.5em;overflow:auto}}
#{BANNER_ID} .id{{font-family:ui-monospace,monospace;font-weight:600}}
"""


def failed_requirements(doc: Mapping[str, Any]) -> list[str]:
    """The requirement ids the gate's reasons name, in their order, once each."""
    seen: list[str] = []
    for reason in doc.get("reasons", []):
        for rid in _REQ.findall(reason):
            if rid not in seen:
                seen.append(rid)
    return seen


def banner_facts(doc: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the banner says, as data (the render check compares the page with it)."""
    if doc is None:
        return {"verdict": verdict.ERROR, "coverage": "",
                "why": "no valid conformance.json: the run did not reach a verdict",
                "requirements": []}
    v = str(doc.get("verdict", verdict.ERROR))
    coverage = verdict.coverage_line(doc) if "coverage" in doc else ""
    why = verdict.scope_prefix(doc) + (verdict.reasons_line(doc) if v != verdict.CONFORMANT
                                       else "every gated MUST requirement passed")
    return {"verdict": v, "coverage": coverage, "why": why,
            "requirements": failed_requirements(doc)}


def render_banner(doc: Mapping[str, Any] | None) -> str:
    facts = banner_facts(doc)
    v = facts["verdict"]
    summaries = {r["id"]: (r.get("summary", ""), r.get("status", ""))
                 for r in (doc or {}).get("requirements", [])}
    items = []
    for rid in facts["requirements"][:SHOWN]:
        summary, status = summaries.get(rid, ("", ""))
        items.append(f'<li><a class="id" href="requirements/{html.escape(rid)}.html">'
                     f"{html.escape(rid)}</a> {html.escape(status)}"
                     f"{': ' + html.escape(summary) if summary else ''}</li>")
    more = len(facts["requirements"]) - SHOWN
    if more > 0:
        items.append(f'<li><a href="requirements/index.html">and {more} more</a></li>')
    listed = (f'<ul data-testid="{BANNER_ID}-requirements">{"".join(items)}</ul>'
              if items else "")
    coverage = (f'<p data-testid="{BANNER_ID}-coverage">{html.escape(facts["coverage"])}</p>'
                if facts["coverage"] else "")
    return (f'<style>{_STYLE}</style><section id="{BANNER_ID}" data-testid="{BANNER_ID}" '
            f'data-verdict="{html.escape(v)}" role="status" '
            f'style="background:{COLOUR.get(v, COLOUR[verdict.ERROR])}">'
            f'<h1 data-testid="{BANNER_ID}-headline">{html.escape(HEADLINE.get(v, v))}'
            f"<small>verdict {html.escape(v)}, exit {EXIT_OF.get(v, 3)}</small></h1>"
            f"{coverage}"
            f'<p data-testid="{BANNER_ID}-why">{html.escape(facts["why"])}</p>{listed}'
            '<p><a href="requirements/index.html">All requirements and their status</a></p>'
            "</section>")


_BODY = re.compile(r"<body[^>]*>")


def with_banner(page: str, doc: Mapping[str, Any] | None) -> str:
    """``index.html`` with the verdict section first in its body (a page with no body
    tag is returned unchanged: the render check then reports the banner missing)."""
    body = _BODY.search(page, max(page.find("</head>"), 0))
    if body is None:
        return page
    return page[:body.end()] + render_banner(doc) + page[body.end():]
