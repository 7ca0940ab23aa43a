"""authconform/spec/mentions.py: when a text names one of a person's private identifiers.
User names are chosen by people and nest inside one another; only a whole word outside
every text the reader may see anyway counts."""

from __future__ import annotations

from authconform.spec.mentions import mentions, organisation_knows
from authconform.spec.wording import same_words


def test_a_private_name_inside_a_known_text_is_no_mention() -> None:
    texts = ["alex@contoso.example enrolled Alex's old iPhone"]
    assert mentions(texts, ["alex"], ["alex@contoso.example", "Alex's old iPhone"]) == []


def test_a_private_name_standing_alone_is_a_mention_whatever_its_case() -> None:
    texts = ["Device of ALEX registered", "nothing here"]
    assert mentions(texts, ["alex"], ["contoso"]) == [("alex", "Device of ALEX registered")]


def test_only_whole_words_count() -> None:
    assert mentions(["alexander signed in"], ["alex"]) == []
    assert mentions(["user 7alex7"], ["alex"]) == []
    assert mentions(["(alex)"], ["alex"]) == [("alex", "(alex)")]


def test_a_leak_that_contains_a_known_text_is_still_found() -> None:
    # the person's name is known to the administrator; their private address is not
    leak = "sign-in by ryan.gallagher@gmail.example"
    assert mentions([leak], ["ryan.gallagher@gmail.example"], ["Ryan Gallagher", "ryan"]) == [
        ("ryan.gallagher@gmail.example", leak)]


def test_a_private_name_that_is_itself_known_is_not_looked_for() -> None:
    assert mentions(["Contoso"], ["contoso"], ["Contoso"]) == []


def test_what_an_organisation_knows_is_its_names_its_members_and_the_phones() -> None:
    known = organisation_knows("Contoso", "contoso.example", ["Alex's old iPhone"],
                               [("alex.smith@contoso.example", "Dr. Alex Smith")])
    assert {"contoso", "contoso.example", "alex's old iphone", "alex.smith@contoso.example",
            "alex.smith", "dr. alex smith", "alex", "smith", "dr"} == known


def test_a_label_reads_the_same_whatever_its_case_and_spacing() -> None:
    assert same_words("  iCloud   Backup ", "iCloud backup")
    assert not same_words("iCloud backups", "iCloud backup")
    # how two words are joined is the app's: a hyphen reads as a space
    assert same_words("Sign-in to recover", "Sign in to recover")
    assert not same_words("Signin to recover", "Sign in to recover")
