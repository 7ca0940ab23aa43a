"""Drift between two copies of the source documents: changed, new, removed and moved
paragraphs, and the requirements each affects.

The core cases run on a synthetic document written by the test; the last ones edit
copies of the real documents (in tmp_path, never in place) when they are present beside
the repository: a changed sentence, an inserted paragraph, a deleted one, reordered
paragraphs and a reordered section.
"""

from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from authconform import cli
from authconform.spec import drift, sources, sources_cli
from authconform.spec.catalogue import load_catalogue

ROOT = Path(__file__).resolve().parent.parent

GUIDE = """\
# Spare keys

The app keeps a spare key for every door.

It never keeps the door itself.

## Making one

1. Open the app.

2. Pick the door.

3. Press Copy.

## Losing one

Ask the locker for another.

Tell the landlord.
"""


def _changes(old: str, new: str) -> list[drift.Change]:
    return drift.diff_passages("g.md", sources.split("g.md", old), sources.split("g.md", new))


def _summary(changes: list[drift.Change]) -> list[tuple[str, str | None, str | None]]:
    def loc(p: sources.Passage | None) -> str | None:
        return None if p is None else f"{p.locator.section}#{p.locator.para}"
    return [(c.kind, loc(c.old), loc(c.new)) for c in changes]


def test_no_change_no_drift() -> None:
    assert _changes(GUIDE, GUIDE) == []
    # re-numbering a list or re-spacing a line is not a change of wording
    assert _changes(GUIDE, GUIDE.replace("1. Open", "-   Open")) == []


def test_a_changed_sentence() -> None:
    changes = _changes(GUIDE, GUIDE.replace("Pick the door.", "Pick the window."))
    assert _summary(changes) == [("changed", "Making one#2", "Making one#2")]


def test_a_changed_passage_shows_its_old_and_new_wording_word_by_word() -> None:
    changes = _changes(GUIDE, GUIDE.replace("Pick the door.", "Pick the front window."))
    text = drift.render_text(changes, ["g.md"])
    assert "      old:   2. Pick the door." in text
    assert "      new:   2. Pick the front window." in text
    assert "      words: 2. Pick the [-door.-] {+front window.+}" in text
    said = changes[0].to_dict()
    assert said["word_diff"] == "2. Pick the [-door.-] {+front window.+}"
    # only a change of wording is quoted: a new or removed paragraph is one locator
    added = _changes(GUIDE, GUIDE + "\nCall a locksmith.\n")
    assert [c.kind for c in added] == ["new"] and drift.wording(added[0]) == []


def test_a_word_diff_marks_insertions_deletions_and_replacements() -> None:
    assert drift.word_diff("a b c", "a b c") == "a b c"
    assert drift.word_diff("a b c", "a c") == "a [-b-] c"
    assert drift.word_diff("a c", "a b c") == "a {+b+} c"
    assert drift.word_diff("keep the spare key", "keep two spare keys") == (
        "keep [-the-] {+two+} spare [-key-] {+keys+}")


def test_an_inserted_paragraph_is_new_and_shifts_its_section_only() -> None:
    changes = _changes(GUIDE, GUIDE.replace("2. Pick the door.\n",
                                            "2. Unlock your phone.\n\n2. Pick the door.\n"))
    assert _summary(changes) == [("new", None, "Making one#2"),
                                 ("moved", "Making one#2", "Making one#3"),
                                 ("moved", "Making one#3", "Making one#4")]
    assert "is new: uncovered" in changes[0].describe()
    assert "text unchanged" in changes[1].describe()


def test_a_deleted_paragraph() -> None:
    changes = _changes(GUIDE, GUIDE.replace("It never keeps the door itself.\n\n", ""))
    assert _summary(changes) == [("removed", "Spare keys#2", None)]


def test_paragraphs_reordered_within_a_section_are_moved() -> None:
    swapped = GUIDE.replace("Ask the locker for another.\n\nTell the landlord.",
                            "Tell the landlord.\n\nAsk the locker for another.")
    kinds = sorted(_summary(_changes(GUIDE, swapped)))
    assert kinds == [("moved", "Losing one#1", "Losing one#2"),
                     ("moved", "Losing one#2", "Losing one#1")]


def test_a_reordered_section_keeps_its_locators() -> None:
    head, making = GUIDE.split("## Making one")
    making, losing = making.split("## Losing one")
    reordered = head + "## Losing one" + losing.rstrip("\n") + "\n\n## Making one" + making
    old, new = sources.split("g.md", GUIDE), sources.split("g.md", reordered)
    assert drift.diff_passages("g.md", old, new) == []
    assert drift.reordered_sections(old, new) in (["Making one"], ["Losing one"])


def test_a_renamed_heading_moves_its_paragraphs() -> None:
    changes = _changes(GUIDE, GUIDE.replace("## Losing one", "## Lost keys"))
    assert _summary(changes) == [("moved", "Losing one#1", "Lost keys#1"),
                                 ("moved", "Losing one#2", "Lost keys#2")]


def test_changes_name_the_requirements_bound_to_the_old_passage() -> None:
    old = sources.split("g.md", GUIDE)
    bindings = [sources.Binding(old[3].locator, old[3].fp, "REQ-KEY-02"),
                sources.Binding(old[3].locator, old[3].fp, "REQ-KEY-01"),
                sources.Binding(old[0].locator, old[0].fp, "no behaviour", "intro")]
    new = sources.split("g.md", GUIDE.replace("Pick the door.", "Pick the window.").replace(
        "The app keeps", "This app keeps"))
    changes = drift.affected(drift.diff_passages("g.md", old, new), bindings)
    assert [c.affects for c in changes] == [("(no behaviour)",), ("REQ-KEY-01", "REQ-KEY-02")]
    assert changes[1].describe().endswith("-> REQ-KEY-01, REQ-KEY-02")


# ---------------------------------------------------------------- the real documents

SEEDS = sources_cli.default_sources_dir(ROOT)
needs_seeds = pytest.mark.skipif(
    SEEDS is None or not SEEDS.is_dir(),
    reason="the source documents are not beside the repository (../shared/seeds); set "
           "AUTHCONFORM_SOURCES to their folder")
D000, D002 = "000_95d2045858eeac78.txt", "002_7c4b4cc3792598fb.txt"


def _copy_seeds(tmp_path: Path) -> tuple[Path, Path]:
    assert SEEDS is not None
    old, new = tmp_path / "old", tmp_path / "new"
    for folder in (old, new):
        folder.mkdir()
        for name in (D000, D002):
            shutil.copyfile(SEEDS / name, folder / name)
    return old, new


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines(keepends=True)


def _edit(tmp_path: Path) -> tuple[Path, Path, dict[str, sources.Passage]]:
    """Four edits of the new copies: in 000 a sentence of the Android section changed,
    a paragraph inserted into the FAQs and two troubleshooting rows swapped; in 002 the
    'Next steps' paragraph deleted and the two verification sections swapped."""
    old, new = _copy_seeds(tmp_path)
    before = {f"{p.locator.doc[:3]} {p.locator.section} {p.locator.para}": p
              for name in (D000, D002)
              for p in sources.split(name, (old / name).read_text(encoding="utf-8"))}
    lines = _lines(new / D000)
    android = before["000 Turn on cloud backup for Android devices 1"].line - 1
    lines[android] = lines[android].rstrip("\n") + " It may take a minute.\n"
    network = before["000 Troubleshoot backup and recovery problems 4"].line - 1
    lines[network], lines[network + 1] = lines[network + 1], lines[network]
    faq = before["000 FAQs 3"].line - 1
    lines.insert(faq, "Can I keep two backups? Each needs its own recovery account.\n")
    (new / D000).write_text("".join(lines), encoding="utf-8")
    text = (new / D002).read_text(encoding="utf-8")
    personal = text.index("### To provide additional verification for personal")
    work = text.index("### To provide additional verification for work")
    trouble = text.index("## Troubleshooting backup")
    text = text[:personal] + text[work:trouble] + text[personal:work] + text[trouble:]
    nxt = before["002 Next steps 1"].line - 1
    lines = text.splitlines(keepends=True)
    assert lines[nxt].startswith("Now that")
    del lines[nxt]
    (new / D002).write_text("".join(lines), encoding="utf-8")
    return old, new, before


def _cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main(list(argv))
    return code, out.getvalue()


@needs_seeds
def test_drift_of_edited_copies_of_the_documents(tmp_path: Path) -> None:
    old, new, _ = _edit(tmp_path)
    code, out = _cli("drift", str(old), str(new), "--format", "json")
    assert code == 1
    report = json.loads(out)
    seen = {(c["kind"], c["doc"][:3], (c["old"] or c["new"])["section"],
             (c["old"] or c["new"])["para"])
            for c in report["changes"] if c["kind"] != "reordered"}
    assert seen == {
        ("changed", "000", "Turn on cloud backup for Android devices", 1),
        ("moved", "000", "Troubleshoot backup and recovery problems", 4),
        ("moved", "000", "Troubleshoot backup and recovery problems", 5),
        ("new", "000", "FAQs", 3),
        ("moved", "000", "FAQs", 3), ("moved", "000", "FAQs", 4), ("moved", "000", "FAQs", 5),
        ("removed", "002", "Next steps", 1)}
    reordered = [c for c in report["changes"] if c["kind"] == "reordered"]
    assert [c["doc"] for c in reordered] == [D002]
    by_kind = {(c["kind"], c["doc"][:3], (c["old"] or c["new"])["para"],
                (c["old"] or c["new"])["section"][:12]): c["affects"]
               for c in report["changes"] if c["kind"] != "reordered"}
    assert by_kind[("changed", "000", 1, "Turn on clou")] == ["REQ-BACKUP-03", "REQ-BACKUP-05"]
    assert "REQ-TROUBLE-02" in by_kind[("moved", "000", 4, "Troubleshoot")]
    assert by_kind[("removed", "002", 1, "Next steps")] == ["REQ-RECOVERY-06"]
    assert by_kind[("new", "000", 3, "FAQs")] == []
    assert by_kind[("moved", "000", 5, "FAQs")] == ["(no behaviour)"]
    # the text view says the same, with the requirements to review, and quotes the
    # changed passage from the two copies, old and new, as a word diff
    code, text = _cli("drift", str(old), str(new))
    assert code == 1 and "requirements to review:" in text and "REQ-RECOVERY-06" in text
    assert "{+It may take a minute.+}" in text
    android = next(c for c in report["changes"] if c["kind"] == "changed")
    assert android["new_text"] == android["old_text"] + " It may take a minute."
    # and the catalogue check against the edited copy fails, naming them
    catalogue = load_catalogue(ROOT / "features" / "requirements.yml")
    result = sources.check_folder(catalogue, ROOT / "features" / "sources.yml", new)
    assert not result.ok
    assert {"REQ-BACKUP-03", "REQ-BACKUP-05", "REQ-TROUBLE-02", "REQ-RECOVERY-04",
            "REQ-RECOVERY-06", "REQ-LOST-01"} <= set(result.review)
    assert "REQ-VERIFY-03" not in result.review  # its section moved as a whole
    uncovered = {(p.locator.doc[:3], p.locator.section[:12], p.locator.para)
                 for d in result.documents for p in d.uncovered}
    assert ("000", "FAQs", 3) in uncovered and ("000", "Troubleshoot", 5) in uncovered
    assert result.stale_reasons  # the page-residue line moved down the FAQs


@needs_seeds
def test_drift_of_identical_copies_is_exit_0(tmp_path: Path) -> None:
    old, new = _copy_seeds(tmp_path)
    code, out = _cli("drift", str(old), str(new))
    assert code == 0 and "requirements to review: 0" in out


def test_drift_bad_input_is_exit_2(tmp_path: Path) -> None:
    code, _ = _cli("drift", str(tmp_path / "a"), str(tmp_path / "b"))
    assert code == 2
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    code, _ = _cli("drift", str(tmp_path / "a"), str(tmp_path / "b"))
    assert code == 2  # the documents the catalogue names are not there
