"""Source passages: the documents split into paragraphs, each with a locator and a
fingerprint, and the check that every paragraph is bound to a requirement or reasoned
out. Pure: text in, passages and findings out; the CLI reads the files.

Paragraphs. Both documents put one paragraph on one line (000 has no blank lines at
all; 002 separates its lines with blank ones), so the line is the unit:

* every non-blank line is a paragraph, except that a line indented under a non-blank
  line with no blank line between continues it (002 wraps one list item so), and
  consecutive blockquote lines (``> ...``) are one paragraph until an empty quote line;
* a YAML front-matter block at the very top (between ``---`` lines) is one paragraph;
* headings are not paragraphs: they name the section of the paragraphs under them. In
  a document with Markdown headings (``# ...``) those lines are the headings; in a
  plain-text document (000), a heading is a short line (at most 12 words) that does not
  end like a sentence (``. ! ? , ;``), holds no table cell (``|``), is not a list item
  and has a paragraph after it -- or a one- or two-word label ending in ``:``
  (``Notes:``). A heading that occurs twice gets `` (2)`` after its second occurrence.

Locator: document file name, section heading (``""`` before the first heading) and the
paragraph's number within its section, from 1. Fingerprint: the first 16 hex digits of
the SHA-256 of the normalised text -- Unicode NFKC, typographic quotes and dashes made
plain, list and quote markers and ``**``/``__``/backtick emphasis dropped, case folded,
whitespace collapsed -- so that re-numbering a list or re-styling a word is not a change
but any change of wording is. The catalogue stores locators and fingerprints, never the
documents' text.

Binding. Each requirement's ``sources:`` entries are ``{doc, section, para, fp}``; the
paragraphs that carry no testable behaviour are listed in ``features/sources.yml``
(``no_behaviour:``, same locator and fingerprint plus a ``reason``). A binding holds when
the paragraph at its locator still has its fingerprint. ``check`` reports, per document,
how many paragraphs are bound / reasoned out / uncovered; the requirements whose
bindings no longer hold (``review``, with what changed: text changed, moved, gone); the
reasons that no longer hold; and catalogue problems (a requirement with no bound
passage, a malformed binding, a document missing from the folder).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

FINGERPRINT_LENGTH = 16
FINGERPRINT = re.compile(r"^[0-9a-f]{16}$")
MAX_HEADING_WORDS = 12

_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2039": "'", "\u203a": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
})
_LIST_MARKER = re.compile(r"^(?:[-*+\u2022]|\d+[.)])(?:\s+|$)")
_QUOTE_MARKER = re.compile(r"^\s*>\s?")
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_EMPHASIS = re.compile(r"\*\*|__|`")


def normalise(text: str) -> str:
    """The text a fingerprint is taken of (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    lines = []
    for line in text.splitlines():
        line = line.strip()
        while _QUOTE_MARKER.match(line):
            line = _QUOTE_MARKER.sub("", line, count=1).strip()
        line = _LIST_MARKER.sub("", line)
        lines.append(line)
    text = _EMPHASIS.sub("", " ".join(lines))
    return " ".join(text.casefold().split())


def fingerprint(text: str) -> str:
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


@dataclass(frozen=True)
class Locator:
    doc: str
    section: str
    para: int

    def __str__(self) -> str:
        return f"{self.doc} {self.short(None)}"

    def short(self, base: Locator | None) -> str:
        """Without the parts it shares with ``base``: ``'Section' ¶3`` or ``¶3``."""
        if base is not None and base.doc == self.doc and base.section == self.section:
            return f"\u00b6{self.para}"
        section = f"'{self.section}'" if self.section else "(before the first heading)"
        text = f"{section} \u00b6{self.para}"
        return text if base is None or base.doc == self.doc else f"{self.doc} {text}"


@dataclass(frozen=True)
class Passage:
    """One paragraph of a document (never a heading)."""
    locator: Locator
    line: int  # 1-based line of the file where it starts
    text: str

    @property
    def fp(self) -> str:
        return fingerprint(self.text)

    @property
    def where(self) -> str:
        return f"{self.locator} (line {self.line})"


# ---------------------------------------------------------------- splitting


def _is_plain_heading(line: str) -> bool:
    text = line.strip()
    words = text.split()
    if not words or "|" in text or _LIST_MARKER.match(text):
        return False
    if text.endswith(":"):
        return len(words) <= 2
    return len(words) <= MAX_HEADING_WORDS and not text.endswith((".", "!", "?", ",", ";"))


def _blocks(lines: Sequence[str]) -> list[tuple[int, str, bool]]:
    """(first line number, text, is a blockquote) of every line group, before headings
    are told apart: continuation lines and quote runs joined, front matter one block."""
    blocks: list[tuple[int, str, bool]] = []
    start = 0
    if lines and lines[0].strip() == "---":
        for end in range(1, len(lines)):
            if lines[end].strip() == "---":
                blocks.append((1, "\n".join(lines[: end + 1]), False))
                start = end + 1
                break
    previous_blank = True
    for index in range(start, len(lines)):
        raw = lines[index]
        quoted = bool(_QUOTE_MARKER.match(raw))
        content = _QUOTE_MARKER.sub("", raw, count=1) if quoted else raw
        if not content.strip():
            previous_blank = True
            continue
        last = blocks[-1] if blocks else None
        joins = last is not None and not previous_blank and (
            (quoted and last[2]) or (not quoted and raw[:1].isspace() and not last[2]))
        if joins and last is not None:
            blocks[-1] = (last[0], last[1] + "\n" + raw, last[2])
        else:
            blocks.append((index + 1, raw, quoted))
        previous_blank = False
    return blocks


def split(doc: str, text: str) -> list[Passage]:
    """The paragraphs of one document, in order, with their locators."""
    lines = text.splitlines()
    blocks = _blocks(lines)
    markdown = any(_MD_HEADING.match(line) for line in lines)
    headings: list[str | None] = []
    for i, (_, body, quoted) in enumerate(blocks):
        heading = None
        if not quoted and "\n" not in body:
            m = _MD_HEADING.match(body)
            if markdown:
                heading = m.group(2).strip() if m else None
            elif _is_plain_heading(body) and i + 1 < len(blocks):
                heading = body.strip()
        headings.append(heading)
    # a heading directly followed by another heading still names a section
    passages: list[Passage] = []
    section, para = "", 0
    seen: dict[str, int] = {}
    for (line, body, _), heading in zip(blocks, headings, strict=True):
        if heading is not None:
            seen[heading] = seen.get(heading, 0) + 1
            section = heading if seen[heading] == 1 else f"{heading} ({seen[heading]})"
            para = 0
            continue
        para += 1
        passages.append(Passage(Locator(doc, section, para), line, body))
    return passages


def read_documents(folder: str | Path, names: Iterable[str]) -> tuple[
        dict[str, list[Passage]], list[str]]:
    """The named documents of a folder, split; and the names that are missing."""
    base = Path(folder)
    found: dict[str, list[Passage]] = {}
    missing: list[str] = []
    for name in names:
        path = base / name
        if not path.is_file():
            missing.append(name)
            continue
        found[name] = split(name, path.read_text(encoding="utf-8"))
    return found, missing


# ---------------------------------------------------------------- bindings


@dataclass(frozen=True)
class Binding:
    locator: Locator
    fp: str
    owner: str  # a requirement id, or "no behaviour"
    reason: str | None = None


class BindingError(ValueError):
    pass


def binding_of(entry: Mapping[str, Any], owner: str) -> Binding:
    """A ``{doc, section, para, fp}`` mapping as a binding; ``BindingError`` says what is
    missing or malformed."""
    missing = [k for k in ("doc", "section", "para", "fp") if entry.get(k) in (None, "")
               and not (k == "section" and entry.get(k) == "")]
    if missing:
        raise BindingError(f"missing {', '.join(missing)}")
    try:
        para = int(entry["para"])
    except (TypeError, ValueError):
        raise BindingError(f"para {entry['para']!r} is not a number") from None
    fp = str(entry["fp"])
    if not FINGERPRINT.match(fp):
        raise BindingError(f"fp {fp!r} is not {FINGERPRINT_LENGTH} lowercase hex digits")
    reason = entry.get("reason")
    return Binding(Locator(str(entry["doc"]), str(entry["section"]), para), fp, owner,
                   None if reason is None else str(reason))


@dataclass
class SourcesFile:
    """``features/sources.yml``: the documents and the paragraphs with no behaviour."""
    documents: list[str]
    no_behaviour: list[Binding]


def parse_sources_file(data: Any, origin: str = "sources file") -> SourcesFile:
    if not isinstance(data, Mapping) or not isinstance(data.get("documents"), list):
        raise BindingError(f"{origin}: expected a 'documents:' list")
    problems = []
    reasons = []
    for index, entry in enumerate(data.get("no_behaviour") or []):
        where = f"{origin}: no_behaviour #{index + 1}"
        if not isinstance(entry, Mapping):
            problems.append(f"{where}: expected a mapping")
            continue
        try:
            b = binding_of(entry, "no behaviour")
        except BindingError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if not (b.reason or "").strip():
            problems.append(f"{where} ({b.locator}): a reason is required")
            continue
        reasons.append(b)
    if problems:
        raise BindingError("; ".join(problems))
    return SourcesFile([str(d) for d in data["documents"]], reasons)


def load_sources_file(path: str | Path) -> SourcesFile:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BindingError(f"sources file {path} does not exist") from None
    except yaml.YAMLError as exc:
        raise BindingError(f"sources file {path}: {exc}") from exc
    return parse_sources_file(data, str(path))


# ---------------------------------------------------------------- the check


@dataclass
class DocumentCoverage:
    doc: str
    paragraphs: int
    bound: int
    no_behaviour: int
    uncovered: list[Passage] = field(default_factory=list)

    @property
    def accounted(self) -> int:
        return self.paragraphs - len(self.uncovered)

    def to_dict(self) -> dict[str, Any]:
        return {"doc": self.doc, "paragraphs": self.paragraphs, "bound": self.bound,
                "no_behaviour": self.no_behaviour,
                "uncovered": [p.where for p in self.uncovered]}


@dataclass
class SourceCheck:
    documents: list[DocumentCoverage]
    review: dict[str, list[str]]  # requirement id -> what changed in its passages
    stale_reasons: list[str]  # no-behaviour entries whose paragraph changed
    problems: list[str]  # the catalogue's own problems (no sources, malformed, missing doc)

    @property
    def changed(self) -> list[str]:
        """Every passage change once, whoever it affects."""
        return sorted({c for changes in self.review.values() for c in changes}
                      | set(self.stale_reasons))

    @property
    def drifted(self) -> bool:
        return bool(self.review or self.stale_reasons
                    or any(d.uncovered for d in self.documents))

    @property
    def ok(self) -> bool:
        return not self.problems and not self.drifted

    def findings(self) -> list[str]:
        """Everything that fails ``requirements --sources``, one line each."""
        out = list(self.problems)
        out += [f"{rid} needs review: {'; '.join(changes)}"
                for rid, changes in sorted(self.review.items())]
        out += [f"no-behaviour reason no longer holds: {s}" for s in self.stale_reasons]
        out += [f"uncovered paragraph: {p.where}" for d in self.documents for p in d.uncovered]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"status": "current" if not self.drifted else "drifted",
                "documents": [d.to_dict() for d in self.documents],
                "changed": self.changed,
                "review": {rid: list(c) for rid, c in sorted(self.review.items())},
                "problems": list(self.problems)}


def _resolve(binding: Binding, passages: Mapping[str, Sequence[Passage]]) -> str | None:
    """``None`` when the binding holds, else what happened to its passage."""
    doc_passages = passages.get(binding.locator.doc, ())
    here = next((p for p in doc_passages if p.locator == binding.locator), None)
    if here is not None and here.fp == binding.fp:
        return None
    elsewhere = [p for p in doc_passages if p.fp == binding.fp]
    if elsewhere:
        there = elsewhere[0]
        return (f"{binding.locator}: moved to {there.locator.short(binding.locator)} "
                f"(line {there.line}), text unchanged")
    if here is not None:
        return f"{binding.locator}: text changed (line {here.line})"
    return f"{binding.locator}: no longer in the document"


def requirement_bindings(requirements: Iterable[Any]) -> tuple[list[Binding], list[str]]:
    """The bindings of catalogue requirements (``Requirement``: ``id`` and
    ``sources``), and a problem for every requirement with no usable binding."""
    bindings: list[Binding] = []
    problems: list[str] = []
    for r in requirements:
        usable = 0
        for index, entry in enumerate(r.sources):
            try:
                bindings.append(binding_of(entry, r.id))
                usable += 1
            except BindingError as exc:
                problems.append(f"{r.id}: source #{index + 1} ({entry.get('doc', '?')}): {exc}")
        if not r.sources:
            problems.append(f"{r.id}: no source passage (add sources: with doc, section, "
                            "para and fp; `authconform requirements --sources DIR "
                            "--passages` lists them)")
        elif not usable:
            pass  # each malformed entry is already a problem
    return bindings, problems


def check(requirements: Iterable[Any], sources_file: SourcesFile,
          passages: Mapping[str, Sequence[Passage]],
          missing_documents: Sequence[str] = ()) -> SourceCheck:
    """Bind the catalogue and the no-behaviour list to the documents' paragraphs. A
    user catalogue's requirements are bound to the user's own documents, not these."""
    requirements = [r for r in requirements if not getattr(r, "catalogue", "")]
    bindings, problems = requirement_bindings(requirements)
    problems += [f"document {name} is not in the sources folder" for name in missing_documents]
    known = set(sources_file.documents)
    problems += sorted({f"{b.owner}: document {b.locator.doc} is not listed in the sources "
                        "file's documents" for b in bindings if b.locator.doc not in known})
    review: dict[str, list[str]] = {}
    stale: list[str] = []
    holding: set[tuple[Locator, str]] = set()
    reasoned: set[tuple[Locator, str]] = set()
    for b in bindings:
        if b.locator.doc not in passages:
            continue  # missing document: already a problem
        what = _resolve(b, passages)
        if what is None:
            holding.add((b.locator, b.fp))
        else:
            review.setdefault(b.owner, []).append(what)
    for b in sources_file.no_behaviour:
        if b.locator.doc not in passages:
            continue
        what = _resolve(b, passages)
        if what is None:
            reasoned.add((b.locator, b.fp))
        else:
            stale.append(what)
    documents = []
    for name in sources_file.documents:
        if name not in passages:
            continue
        doc_passages = passages[name]
        keys = [(p.locator, p.fp) for p in doc_passages]
        documents.append(DocumentCoverage(
            doc=name, paragraphs=len(doc_passages),
            bound=sum(k in holding for k in keys),
            no_behaviour=sum(k in reasoned and k not in holding for k in keys),
            uncovered=[p for p, k in zip(doc_passages, keys, strict=True)
                       if k not in holding and k not in reasoned]))
    return SourceCheck(documents, review, stale, problems)


def check_folder(requirements: Iterable[Any], sources_path: str | Path,
                 folder: str | Path) -> SourceCheck:
    """``check`` against the documents in ``folder``; ``BindingError`` when the sources
    file is malformed or the folder does not exist."""
    if not Path(folder).is_dir():
        raise BindingError(f"sources folder {folder} does not exist")
    sources_file = load_sources_file(sources_path)
    passages, missing = read_documents(folder, sources_file.documents)
    return check(requirements, sources_file, passages, missing)


# ---------------------------------------------------------------- rendering


def coverage_lines(result: SourceCheck) -> list[str]:
    """``000_x.txt: 40 of 47 paragraphs accounted for (33 bound, 7 no behaviour), 0
    uncovered``, per document."""
    return [f"{d.doc}: {d.accounted} of {d.paragraphs} paragraphs accounted for "
            f"({d.bound} bound, {d.no_behaviour} no behaviour), {len(d.uncovered)} uncovered"
            for d in result.documents]


def passages_table(passages: Mapping[str, Sequence[Passage]], result: SourceCheck,
                   requirements: Iterable[Any], sources_file: SourcesFile) -> list[str]:
    """Every paragraph with its binding YAML and who holds it, for writing bindings."""
    bindings, _ = requirement_bindings(requirements)
    by_key: dict[tuple[Locator, str], list[str]] = {}
    for b in [*bindings, *sources_file.no_behaviour]:
        by_key.setdefault((b.locator, b.fp), []).append(b.owner)
    lines = []
    for name, doc_passages in passages.items():
        for p in doc_passages:
            owners = by_key.get((p.locator, p.fp)) or ["UNCOVERED"]
            lines.append(f"- {{doc: {name}, section: \"{p.locator.section}\", "
                         f"para: {p.locator.para}, fp: {p.fp}}}  # line {p.line}: "
                         f"{', '.join(owners)}")
    return lines
