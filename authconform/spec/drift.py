"""``authconform drift OLD_DIR NEW_DIR``: what changed between two copies of the source
documents, and which requirements each change affects.

The paragraphs of each document (``authconform.spec.sources.split``) are aligned by their
fingerprints in document order (``difflib``), so an inserted paragraph is one *new*
passage, not a change of every paragraph after it:

* ``changed``  -- a paragraph replaced in place (its wording differs);
* ``new``      -- a paragraph with no counterpart in the old copy: uncovered until bound
                  or reasoned out;
* ``removed``  -- a paragraph with no counterpart in the new copy;
* ``moved``    -- the same text at another locator (a paragraph inserted or deleted
                  before it in its section, paragraphs reordered within a section or
                  moved to another, a renamed heading): its bindings no longer hold, so
                  its requirements are reviewed and the paragraph at its new place is
                  uncovered;
* ``reordered`` -- a whole section moved among the others: reported, but locators are
                  relative to their section, so no binding breaks and nothing is
                  reviewed.

A change affects the requirements (and no-behaviour entries) bound to the *old*
passage. Exit code 0 when nothing changed, 1 when something did, 2 on bad input.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from authconform.spec import sources
from authconform.spec.catalogue import ConfigurationError, load_catalogue
from authconform.spec.suite import find_root

CHANGED, NEW, REMOVED, MOVED = "changed", "new", "removed", "moved"
REORDERED = "reordered"  # a whole section moved: reported, no binding breaks
KINDS = (CHANGED, NEW, REMOVED, MOVED, REORDERED)


@dataclass(frozen=True)
class Change:
    kind: str
    doc: str
    old: sources.Passage | None
    new: sources.Passage | None
    affects: tuple[str, ...] = ()  # requirement ids, or "no behaviour" entries
    section: str | None = None  # the section, for REORDERED

    def describe(self) -> str:
        if self.kind == CHANGED and self.old and self.new:
            text = f"{self.old.where} text changed"
            if self.new.locator != self.old.locator:
                text += f" (now {self.new.locator.short(self.old.locator)})"
        elif self.kind == MOVED and self.old and self.new:
            text = (f"{self.old.where} moved to {self.new.locator.short(self.old.locator)} "
                    f"(line {self.new.line}), text unchanged")
        elif self.kind == NEW and self.new:
            text = f"{self.new.where} is new: uncovered"
        elif self.kind == REORDERED:
            text = (f"{self.doc} section '{self.section}' moved among the sections; its "
                    "paragraphs keep their locators")
        elif self.old:
            text = f"{self.old.where} removed"
        else:  # pragma: no cover - every change has a side
            text = self.kind
        return text + (f" -> {', '.join(self.affects)}" if self.affects else "")

    def to_dict(self) -> dict[str, Any]:
        def side(p: sources.Passage | None) -> dict[str, Any] | None:
            return None if p is None else {
                "section": p.locator.section, "para": p.locator.para, "line": p.line,
                "fp": p.fp}
        out = {"kind": self.kind, "doc": self.doc, "old": side(self.old),
               "new": side(self.new), "affects": list(self.affects)}
        if self.kind == CHANGED and self.old and self.new:  # the user's copies' words
            out["old_text"], out["new_text"] = self.old.text, self.new.text
            out["word_diff"] = word_diff(self.old.text, self.new.text)
        if self.section is not None:
            out["section"] = self.section
        return out


def diff_passages(doc: str, old: Sequence[sources.Passage],
                  new: Sequence[sources.Passage]) -> list[Change]:
    """The changes of one document, in the new copy's order (removed ones where they
    were)."""
    # a paragraph with the same locator and text in both copies is unchanged, even when
    # the same text also occurs elsewhere (two sections may share a sentence)
    both = {(p.locator, p.fp) for p in old} & {(q.locator, q.fp) for q in new}
    old = [p for p in old if (p.locator, p.fp) not in both]
    new = [q for q in new if (q.locator, q.fp) not in both]
    changes: list[Change] = []
    unmatched_old: list[sources.Passage] = []
    unmatched_new: list[sources.Passage] = []
    matcher = difflib.SequenceMatcher(a=[p.fp for p in old], b=[q.fp for q in new],
                                      autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            changes += [Change(MOVED, doc, p, q)
                        for p, q in zip(old[i1:i2], new[j1:j2], strict=True)]
            continue
        olds, news = list(old[i1:i2]), list(new[j1:j2])
        if tag == "replace":
            # replaced in place: paired in order within one section; the rest is
            # removed or new
            for p in list(olds):
                q = next((q for q in news if q.locator.section == p.locator.section), None)
                if q is not None:
                    changes.append(Change(CHANGED, doc, p, q))
                    olds.remove(p)
                    news.remove(q)
        unmatched_old += olds
        unmatched_new += news
    # the same text removed in one place and new in another: a move (reordering)
    by_fp: dict[str, list[sources.Passage]] = {}
    for q in unmatched_new:
        by_fp.setdefault(q.fp, []).append(q)
    for p in unmatched_old:
        twins = by_fp.get(p.fp)
        if twins:
            changes.append(Change(MOVED, doc, p, twins.pop(0)))
        else:
            changes.append(Change(REMOVED, doc, p, None))
    changes += [Change(NEW, doc, None, q) for qs in by_fp.values() for q in qs]
    return sorted(changes, key=_order)


def _order(c: Change) -> tuple[int, int]:
    side = c.new or c.old
    return (side.line if side else sys.maxsize, KINDS.index(c.kind))


def affected(changes: Iterable[Change], bindings: Sequence[sources.Binding]) -> list[Change]:
    """The changes with ``affects`` filled in: who is bound to each old passage."""
    owners: dict[tuple[sources.Locator, str], list[str]] = {}
    for b in bindings:
        owners.setdefault((b.locator, b.fp), []).append(
            b.owner if b.owner != "no behaviour" else "(no behaviour)")
    out = []
    for c in changes:
        who: tuple[str, ...] = ()
        if c.old is not None:
            who = tuple(sorted(set(owners.get((c.old.locator, c.old.fp), []))))
        out.append(Change(c.kind, c.doc, c.old, c.new, who, c.section))
    return out


def section_order(passages: Sequence[sources.Passage]) -> list[str]:
    return list(dict.fromkeys(p.locator.section for p in passages))


def reordered_sections(old: Sequence[sources.Passage],
                       new: Sequence[sources.Passage]) -> list[str]:
    """The sections (present in both copies) whose order changed: reported, but their
    paragraphs keep their locators, so no binding breaks."""
    a, b = section_order(old), section_order(new)
    common_a = [s for s in a if s in b]
    common_b = [s for s in b if s in a]
    if common_a == common_b:
        return []
    matcher = difflib.SequenceMatcher(a=common_a, b=common_b, autojunk=False)
    kept = {s for block in matcher.get_matching_blocks()
            for s in common_a[block.a:block.a + block.size]}
    return [s for s in common_b if s not in kept]


def diff_folders(old_dir: Path, new_dir: Path, documents: Sequence[str],
                 bindings: Sequence[sources.Binding]) -> tuple[list[Change], list[str]]:
    """The changes of every document, and the documents missing from either folder."""
    old, old_missing = sources.read_documents(old_dir, documents)
    new, new_missing = sources.read_documents(new_dir, documents)
    missing = [f"{name} is not in {old_dir}" for name in old_missing]
    missing += [f"{name} is not in {new_dir}" for name in new_missing]
    changes: list[Change] = []
    for name in documents:
        if name in old and name in new:
            changes += diff_passages(name, old[name], new[name])
            changes += [Change(REORDERED, name, None, None, section=s)
                        for s in reordered_sections(old[name], new[name])]
    return affected(changes, bindings), missing


def word_diff(old: str, new: str) -> str:
    """The new wording with what went ``[-in brackets-]`` and what came ``{+in
    braces+}`` (git's word-diff notation), word by word."""
    a, b = old.split(), new.split()
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out += a[i1:i2]
            continue
        if i2 > i1:
            out.append("[-" + " ".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + " ".join(b[j1:j2]) + "+}")
    return " ".join(out)


def wording(change: Change) -> list[str]:
    """The old and new wording of a changed passage and their word diff, read from the
    two copies given on the command line (the project keeps no copy)."""
    if change.kind != CHANGED or change.old is None or change.new is None:
        return []
    return [f"      old:   {' '.join(change.old.text.split())}",
            f"      new:   {' '.join(change.new.text.split())}",
            f"      words: {word_diff(change.old.text, change.new.text)}"]


def render_text(changes: Sequence[Change], documents: Sequence[str]) -> str:
    lines = []
    for name in documents:
        mine = [c for c in changes if c.doc == name]
        counts = ", ".join(f"{sum(c.kind == k for c in mine)} {k}" for k in KINDS)
        lines.append(f"{name}: {counts}")
        for c in mine:
            lines.append(f"  {c.kind:<8} {c.describe()}")
            lines += wording(c)
    reqs = sorted({r for c in changes for r in c.affects if r.startswith("REQ-")})
    lines.append(f"requirements to review: {len(reqs)}" + (f" ({', '.join(reqs)})"
                                                           if reqs else ""))
    return "\n".join(lines)


EXIT_USAGE = 2  # the exit code of bad input, as every authconform command


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="authconform drift",
        description="Changed, new, removed and moved paragraphs between two copies of the "
                    "source documents, and the requirements each affects. Exit 0: no "
                    "change; 1: changes; 2: bad input.")
    parser.add_argument("old_dir", help="folder of the earlier copy of the documents")
    parser.add_argument("new_dir", help="folder of the later copy")
    parser.add_argument("--format", choices=["text", "json"], default="text",
                        help="output format (default: text)")
    parser.add_argument("--root", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root = Path(args.root).resolve() if args.root else find_root()
    if root is None:
        print("authconform drift: cannot find the repository (features/ and steps/)",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        catalogue = load_catalogue(root / "features" / "requirements.yml")
        sources_file = sources.load_sources_file(root / "features" / "sources.yml")
    except (ConfigurationError, sources.BindingError) as exc:
        print(f"authconform drift: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for folder in (args.old_dir, args.new_dir):
        if not Path(folder).is_dir():
            print(f"authconform drift: {folder} is not a folder", file=sys.stderr)
            return EXIT_USAGE
    bindings, _ = sources.requirement_bindings(catalogue)
    changes, missing = diff_folders(Path(args.old_dir), Path(args.new_dir),
                                    sources_file.documents,
                                    [*bindings, *sources_file.no_behaviour])
    if missing:
        print(f"authconform drift: {'; '.join(missing)}", file=sys.stderr)
        return EXIT_USAGE
    if args.format == "json":
        print(json.dumps({"changes": [c.to_dict() for c in changes],
                          "requirements": sorted({r for c in changes for r in c.affects
                                                  if r.startswith("REQ-")})}, indent=2))
    else:
        print(render_text(changes, sources_file.documents))
    return 1 if changes else 0

