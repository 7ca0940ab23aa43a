"""Source passages: splitting, fingerprints, bindings and document coverage.

The documents here are small synthetic ones written for the test (our own words, laid
out like the two real ones: a Markdown file and a plain-text file with one paragraph
per line). One test checks the real catalogue against the real documents when they are
present beside the repository (``../shared/seeds`` or ``$AUTHCONFORM_SOURCES``).
"""

from __future__ import annotations

import io
import textwrap
from contextlib import redirect_stdout
from pathlib import Path
from types import SimpleNamespace

import pytest

from authconform import cli
from authconform.spec import sources, sources_cli
from authconform.spec.catalogue import load_catalogue

ROOT = Path(__file__).resolve().parent.parent

MARKDOWN = textwrap.dedent("""\
    ---
    title: Keeping a spare key
    ms.date: 01/02/2020
    ---

    # Keeping a spare key

    **Applies to:**

    - Garden sheds

    The shed app keeps a spare key in the cloud, such as the colour of your door.

    > [!NOTE]
    > You need one locker per shed.
    >
    > Only the key itself is kept.

    ## Make a spare key
    Before you start, have both:

    - A locker account.

    -\tA **ladder** for the roof.
     It must be a tall one.

    1.\tOpen the app and pick **Spare key**.

        ![a picture of the button](./img/button.png)

    ## Related topics

    - [Other things](other.md)
    """)

PLAIN = textwrap.dedent("""\
    spare keys
    Spare keys: this page is for sheds built in 2020 or later.
    The app keeps a spare key in the cloud.
    Make a spare key
    Before you start, you need:
    - A locker account.
    Notes:
    - The first time, the app asks to use the camera.
    Troubleshooting
    Symptom | What to do |
    Lost key | Ask the locker for a new one. |
    Key is old |
    You might need to sign in again to refresh it. |
    FAQs
    Can I have two keys?
    Yes, one per locker.
    2 comments on "spare keys"
    """)


def _loc(p: sources.Passage) -> tuple[str, int]:
    return (p.locator.section, p.locator.para)


# ---------------------------------------------------------------- splitting


def test_markdown_paragraphs_headings_front_matter_lists_and_quotes() -> None:
    passages = sources.split("md.txt", MARKDOWN)
    assert [_loc(p) for p in passages] == [
        ("", 1),                                   # front matter, one paragraph
        ("Keeping a spare key", 1), ("Keeping a spare key", 2), ("Keeping a spare key", 3),
        ("Keeping a spare key", 4),                # "[!NOTE]" + first quoted line
        ("Keeping a spare key", 5),                # the second quoted paragraph
        ("Make a spare key", 1), ("Make a spare key", 2),
        ("Make a spare key", 3),                   # list item and its wrapped line
        ("Make a spare key", 4), ("Make a spare key", 5),   # step, then its picture
        ("Related topics", 1)]
    assert passages[0].line == 1 and passages[0].text.startswith("---")
    assert "You need one locker" in passages[4].text and "Only the key" not in passages[4].text
    assert "It must be a tall one." in passages[8].text
    assert passages[8].line == 24
    # a bold line is a paragraph, not a heading, in a Markdown document
    assert passages[1].text == "**Applies to:**"


def test_plain_text_headings_labels_table_rows_and_trailing_line() -> None:
    passages = sources.split("plain.txt", PLAIN)
    sections = [p.locator.section for p in passages]
    assert sections == ["spare keys", "spare keys", "Make a spare key", "Make a spare key",
                        "Notes:", "Troubleshooting", "Troubleshooting", "Troubleshooting",
                        "Troubleshooting", "FAQs", "FAQs", "FAQs"]
    # a question is a paragraph; a table row split over two lines is two paragraphs;
    # a short last line is not a heading (nothing follows it)
    assert next(p.text for p in passages if p.locator.section == "FAQs") == \
        "Can I have two keys?"
    assert passages[-1].text.startswith("2 comments") and passages[-1].locator.para == 3
    assert _loc(passages[8]) == ("Troubleshooting", 4)


def test_a_heading_used_twice_gets_a_number() -> None:
    text = "# A\n\nfirst.\n\n# B\n\nsecond.\n\n# A\n\nthird.\n"
    assert [_loc(p) for p in sources.split("d", text)] == [("A", 1), ("B", 1), ("A (2)", 1)]


# ---------------------------------------------------------------- fingerprints


def test_fingerprint_ignores_layout_and_typography_but_not_wording() -> None:
    base = sources.fingerprint("Don't lose the key \u2013 keep it safe.")
    assert len(base) == 16 and sources.FINGERPRINT.match(base)
    same = ["don\u2019t   LOSE the key - keep it safe.",
            "- Don't lose the key - keep it safe.",
            "2.\tDon't lose the **key** - keep it safe.",
            "> Don't lose the key \u2014 keep it safe."]
    assert all(sources.fingerprint(t) == base for t in same)
    for other in ("Don't lose the key - keep it secret.", "Do lose the key - keep it safe.",
                  "Don't lose the key - keep it safe"):
        assert sources.fingerprint(other) != base, other


# ---------------------------------------------------------------- bindings


def _req(rid: str, *passages: sources.Passage) -> SimpleNamespace:
    return SimpleNamespace(id=rid, sources=tuple(
        {"doc": p.locator.doc, "section": p.locator.section, "para": str(p.locator.para),
         "fp": p.fp} for p in passages))


def _reason(p: sources.Passage, why: str = "no behaviour here") -> sources.Binding:
    return sources.Binding(p.locator, p.fp, "no behaviour", why)


def _plain_setup() -> tuple[list[sources.Passage], list[SimpleNamespace], sources.SourcesFile]:
    ps = sources.split("plain.txt", PLAIN)
    reqs = [_req("REQ-A-01", ps[0]), _req("REQ-A-02", ps[1], ps[2], ps[3]),
            _req("REQ-B-01", *ps[4:5]), _req("REQ-C-01", ps[6], ps[7], ps[8]),
            _req("REQ-D-01", ps[9], ps[10])]
    file = sources.SourcesFile(["plain.txt"], [_reason(ps[5], "column headings"),
                                               _reason(ps[11], "page residue")])
    return ps, reqs, file


def test_every_paragraph_accounted_for() -> None:
    ps, reqs, file = _plain_setup()
    result = sources.check(reqs, file, {"plain.txt": ps})
    assert result.ok, result.findings()
    [cov] = result.documents
    assert (cov.paragraphs, cov.bound, cov.no_behaviour, cov.uncovered) == (12, 10, 2, [])
    assert sources.coverage_lines(result) == [
        "plain.txt: 12 of 12 paragraphs accounted for (10 bound, 2 no behaviour), 0 uncovered"]


def test_a_requirement_without_sources_or_with_a_bare_citation_is_a_problem() -> None:
    ps, reqs, file = _plain_setup()
    reqs.append(SimpleNamespace(id="REQ-NEW-01", sources=()))
    reqs.append(SimpleNamespace(id="REQ-NEW-02", sources=(
        {"doc": "plain.txt", "section": "FAQs"},)))
    reqs.append(SimpleNamespace(id="REQ-NEW-03", sources=(
        {"doc": "plain.txt", "section": "FAQs", "para": "1", "fp": "XYZ"},)))
    result = sources.check(reqs, file, {"plain.txt": ps})
    assert not result.ok
    assert any(p.startswith("REQ-NEW-01: no source passage") for p in result.problems)
    assert any(p.startswith("REQ-NEW-02: source #1") and "missing para, fp" in p
               for p in result.problems)
    assert any("REQ-NEW-03" in p and "16 lowercase hex" in p for p in result.problems)


def test_an_unbound_paragraph_is_uncovered() -> None:
    ps, reqs, file = _plain_setup()
    file = sources.SourcesFile(file.documents, file.no_behaviour[:1])
    result = sources.check(reqs, file, {"plain.txt": ps})
    [cov] = result.documents
    assert [p.where for p in cov.uncovered] == ["plain.txt 'FAQs' \u00b63 (line 17)"]
    assert not result.ok and "uncovered paragraph: plain.txt 'FAQs' \u00b63 (line 17)" in \
        result.findings()


def test_changed_text_puts_its_requirements_under_review() -> None:
    _, reqs, file = _plain_setup()
    edited = sources.split("plain.txt", PLAIN.replace("Ask the locker", "Ask the shop"))
    result = sources.check(reqs, file, {"plain.txt": edited})
    assert result.review == {"REQ-C-01": ["plain.txt 'Troubleshooting' \u00b62: text changed "
                                          "(line 11)"]}
    assert [p.where for p in result.documents[0].uncovered] == [
        "plain.txt 'Troubleshooting' \u00b62 (line 11)"]
    assert result.to_dict()["status"] == "drifted"
    assert result.changed == ["plain.txt 'Troubleshooting' \u00b62: text changed (line 11)"]


def test_a_moved_paragraph_is_reviewed_and_uncovered_where_it_went() -> None:
    _, reqs, file = _plain_setup()
    edited = sources.split("plain.txt", PLAIN.replace(
        "Before you start, you need:\n", "Read this first.\nBefore you start, you need:\n"))
    result = sources.check(reqs, file, {"plain.txt": edited})
    assert result.review == {"REQ-A-02": [
        "plain.txt 'Make a spare key' \u00b61: moved to \u00b62 (line 6), text unchanged",
        "plain.txt 'Make a spare key' \u00b62: moved to \u00b63 (line 7), text unchanged"]}
    uncovered = [p.where for p in result.documents[0].uncovered]
    assert uncovered == ["plain.txt 'Make a spare key' \u00b61 (line 5)",
                         "plain.txt 'Make a spare key' \u00b62 (line 6)",
                         "plain.txt 'Make a spare key' \u00b63 (line 7)"]


def test_a_reason_for_a_changed_paragraph_no_longer_holds() -> None:
    _, reqs, file = _plain_setup()
    edited = sources.split("plain.txt", PLAIN.replace("What to do", "Fix"))
    result = sources.check(reqs, file, {"plain.txt": edited})
    assert result.stale_reasons == ["plain.txt 'Troubleshooting' \u00b61: text changed (line 10)"]
    assert not result.review and not result.ok


def test_sources_file_needs_documents_and_a_reason_for_every_entry() -> None:
    with pytest.raises(sources.BindingError, match="documents"):
        sources.parse_sources_file({"no_behaviour": []})
    entry = {"doc": "d", "section": "s", "para": 1, "fp": "0" * 16}
    with pytest.raises(sources.BindingError, match="a reason is required"):
        sources.parse_sources_file({"documents": ["d"], "no_behaviour": [entry]})
    parsed = sources.parse_sources_file(
        {"documents": ["d"], "no_behaviour": [{**entry, "reason": "heading row"}]})
    assert parsed.no_behaviour[0].reason == "heading row"


# ---------------------------------------------------------------- the command


def _repo(tmp_path: Path) -> tuple[Path, Path]:
    """A repository with a two-requirement catalogue bound to one synthetic document,
    and the folder holding that document."""
    root = tmp_path / "repo"
    (root / "features").mkdir(parents=True)
    (root / "steps").mkdir()
    docs = tmp_path / "docs"
    docs.mkdir()
    text = "guide\nKeys open doors.\nKeep one spare key.\nPage footer\n"
    (docs / "guide.txt").write_text(text, encoding="utf-8")
    ps = sources.split("guide.txt", text)

    def yaml_entry(p: sources.Passage) -> str:
        return (f'{{doc: guide.txt, section: "{p.locator.section}", para: {p.locator.para}, '
                f"fp: {p.fp}}}")
    (root / "features" / "requirements.yml").write_text(textwrap.dedent(f"""\
        requirements:
          - id: REQ-KEY-01
            level: MUST
            profiles: [current]
            summary: "Doors open with keys."
            sources:
              - {yaml_entry(ps[0])}
          - id: REQ-KEY-02
            level: MUST
            profiles: [current]
            summary: "A spare is kept."
            sources:
              - {yaml_entry(ps[1])}
        """), encoding="utf-8")
    (root / "features" / "sources.yml").write_text(textwrap.dedent(f"""\
        documents: [guide.txt]
        no_behaviour:
          - {yaml_entry(ps[2])[:-1]}, reason: "footer"}}
        """), encoding="utf-8")
    return root, docs


def _cli(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main(list(argv))
    return code, out.getvalue()


def test_requirements_sources_prints_coverage_and_fails_on_drift(tmp_path: Path) -> None:
    root, docs = _repo(tmp_path)
    code, out = _cli("requirements", "--sources", str(docs), "--root", str(root))
    assert code == 0, out
    assert ("guide.txt: 3 of 3 paragraphs accounted for (2 bound, 1 no behaviour), "
            "0 uncovered") in out
    (docs / "guide.txt").write_text(
        "guide\nKeys open every door.\nKeep one spare key.\nPage footer\n", encoding="utf-8")
    code, out = _cli("requirements", "--sources", str(docs), "--root", str(root))
    assert code == 1
    assert "problem: REQ-KEY-01 needs review: guide.txt 'guide' \u00b61: text changed" in out
    assert "guide.txt: 2 of 3 paragraphs accounted for" in out
    code, out = _cli("requirements", "--sources", str(docs), "--root", str(root), "--passages")
    assert code == 1 and "UNCOVERED" in out and "REQ-KEY-02" in out


def test_requirements_sources_bad_input_is_exit_2(tmp_path: Path) -> None:
    root, docs = _repo(tmp_path)
    code, out = _cli("requirements", "--sources", str(tmp_path / "nowhere"), "--root", str(root))
    assert code == 2 and "does not exist" in out
    (root / "features" / "sources.yml").write_text("no_behaviour: []\n", encoding="utf-8")
    code, out = _cli("requirements", "--sources", str(docs), "--root", str(root))
    assert code == 2 and "documents" in out


def test_a_document_missing_from_the_folder_is_a_problem(tmp_path: Path) -> None:
    root, docs = _repo(tmp_path)
    (docs / "guide.txt").unlink()
    code, out = _cli("requirements", "--sources", str(docs), "--root", str(root))
    assert code == 1 and "document guide.txt is not in the sources folder" in out


# ---------------------------------------------------------------- the real documents

SEEDS = sources_cli.default_sources_dir(ROOT)
needs_seeds = pytest.mark.skipif(
    SEEDS is None or not SEEDS.is_dir(),
    reason="the source documents are not beside the repository (../shared/seeds); set "
           "AUTHCONFORM_SOURCES to their folder")


@needs_seeds
def test_the_catalogue_accounts_for_every_paragraph_of_both_documents() -> None:
    assert SEEDS is not None
    catalogue = load_catalogue(ROOT / "features" / "requirements.yml")
    result = sources.check_folder(catalogue, ROOT / "features" / "sources.yml", SEEDS)
    assert result.ok, "\n".join(result.findings())
    assert {d.doc for d in result.documents} == {"000_95d2045858eeac78.txt",
                                                 "002_7c4b4cc3792598fb.txt"}
    for d in result.documents:
        assert d.accounted == d.paragraphs and d.bound > d.no_behaviour
