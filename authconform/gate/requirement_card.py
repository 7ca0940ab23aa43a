"""The HTML card of one requirement: what the catalogue says of it (id, paraphrase,
level, area, bound passages, interpretation). The live Allure plugin attaches it to each
scenario that checks the requirement, and the requirement pages (``authconform.report``)
reuse its page frame and style, so both look the same.
"""

from __future__ import annotations

import html

from authconform.spec.catalogue import Requirement

STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1.5rem;
color:#1d1d1f}
h1{font-size:1.4rem;margin-bottom:.2rem}.id{font-family:monospace;white-space:nowrap}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.35rem;
text-align:left;vertical-align:top}th{width:11rem;color:#555;font-weight:600}
.s{display:inline-block;padding:0 .5rem;border-radius:.6rem;color:#fff;font-weight:600;
white-space:nowrap}
.passed{background:#2e9d4f}.failed{background:#d1343d}.error{background:#b35c00}
.waived{background:#a38a00}.blocked{background:#7a4fb3}.not-applicable,.skipped{background:#777}
.uncovered{background:#6b4fbb}.none{background:#aaa}
nav{margin-bottom:1rem}.summary{font-size:1.05rem}
.side{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1.5rem}
blockquote{margin:.3rem 0 1rem;padding:.4rem .8rem;border-left:4px solid #8a8fa0;
background:#f4f5f8}blockquote footer{font-size:.85rem;color:#555;margin-top:.3rem}
.changed{color:#8a5300;font-weight:600}
ul.scenarios{padding-left:1.1rem}ul.scenarios li{margin-bottom:.25rem}
table.index th{width:auto}table.index td.sum{font-size:.9rem;color:#333}
table.index col.c1{width:13rem}table.index col.c2{width:5rem}table.index col.c3{width:9rem}
h2.area{font-size:1.05rem;margin:1.4rem 0 .3rem}
"""


def page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
            f"<body>{body}</body></html>\n")


def sources_list(req: Requirement) -> str:
    return "".join(
        f"<li>{html.escape(str(s.get('doc', '')))}, section "
        f"&ldquo;{html.escape(str(s.get('section', '')))}&rdquo;"
        f"{', paragraph ' + html.escape(str(s['para'])) if s.get('para') else ''}</li>"
        for s in req.sources)


def requirement_card(req: Requirement) -> str:
    """What the catalogue says about one requirement, as an HTML attachment of each
    scenario that checks it (the run's status is on the page in requirements/)."""
    sources_ = sources_list(req)
    rows = [("Requirement", html.escape(req.id)),
            ("Summary (paraphrase)", html.escape(req.summary)),
            ("Level", html.escape(f"{req.level} ({req.kind})")),
            ("Area", html.escape(req.area)),
            ("Sources", f"<ul>{sources_}</ul>" if sources_ else "none named"),
            ("Interpretation", html.escape(req.interpretation) if req.interpretation
             else "none: the documents are unambiguous here")]
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    return page(f"{req.id}: {req.summary}", f"<h1>{html.escape(req.id)}</h1>"
                 f"<table>{table}</table>")
