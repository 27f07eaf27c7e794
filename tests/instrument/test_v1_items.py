"""The item-writing rules of MODEL.md, checked by code on the released version 1.

MODEL.md "Facets": each facet gets 4 behavioural items rated by others ("This person …") and by
the subject ("I …"); observable behaviour, one idea each, no negations, 8–20 words, written
fresh (the seeds give ideas, never sentences). Words are counted here with a regex of their own,
independently of the loader.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from leadwell.instrument import RELEASED, Instrument, Item

# The scoring contract of MODEL.md, written out by hand.
FACET_NAMES = {
    "M1": "Planning & organizing",
    "M2": "Execution & delivery",
    "M3": "Process improvement",
    "M4": "Performance tracking",
    "M5": "Clear expectations",
    "M6": "Operational reliability",
    "L1": "Influence",
    "L2": "Inspiration",
    "L3": "Vision & courage",
    "L4": "Innovation",
    "L5": "Trust",
    "L6": "Empowerment",
    "L7": "Enterprise perspective",
    "C1": "Command & control",
}
NEGATIONS = {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without"}
NEGATIONS |= {"cannot", "nowhere"}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "instrument.md"
SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9’'-]+", text)


def _facet_items(v1: Instrument) -> list[Item]:
    return [item for item in v1.items if item.facet is not None]


def _wordings(v1: Instrument) -> list[tuple[str, str]]:
    """(where, wording) for every rated wording: facet items both ways, outcomes by others."""
    pairs = [(f"{item.id} rater", item.rater) for item in v1.items]
    return pairs + [(f"{item.id} self", item.self) for item in v1.items if item.self is not None]


def test_v1_has_the_facets_of_model_md_with_their_names(v1: Instrument) -> None:
    assert {facet.id: facet.name for facet in v1.facets} == FACET_NAMES
    assert all(facet.description.strip() for facet in v1.facets)


def test_every_facet_has_four_items_numbered_facet_dot_1_to_4(v1: Instrument) -> None:
    for facet in v1.facets:
        assert facet.items == tuple(f"{facet.id}.{n}" for n in range(1, 5))
        assert all(v1.items[v1.item_index[i]].facet == facet.id for i in facet.items)


def test_m_facets_are_managing_l_facets_are_leading_and_c1_is_the_caution_scale(
    v1: Instrument,
) -> None:
    axes = {facet.id: facet.axis for facet in v1.facets}
    assert axes == {f: "managing" if f[0] == "M" else "leading" if f[0] == "L" else None
                    for f in FACET_NAMES}  # fmt: skip


def test_outcome_items_are_o1_to_o3_for_others_only(v1: Instrument) -> None:
    outcomes = [item for item in v1.items if item.facet is None]
    assert [item.id for item in outcomes] == ["O1", "O2", "O3"]
    assert all(item.self is None for item in outcomes)
    for item in outcomes:  # written from the rater's point of view, about this person
        assert "I" in _words(item.rater)
        assert "this person" in item.rater


def test_open_questions_are_keep_start_stop_intent(v1: Instrument) -> None:
    assert v1.question_ids == ("keep", "start", "stop", "intent")
    for question in v1.questions:
        assert "this person" in question.rater
        assert {"I", "my", "me"} & set(_words(question.self))
    intent = v1.questions[3]
    assert "improve what exists" in intent.rater
    assert "something new" in intent.rater


@pytest.mark.parametrize("role", ["rater", "self"])
def test_every_wording_has_8_to_20_words(v1: Instrument, role: str) -> None:
    counts = {where: len(_words(text)) for where, text in _wordings(v1) if role in where}
    assert counts
    assert {where: n for where, n in counts.items() if not 8 <= n <= 20} == {}


def test_no_wording_contains_a_negation(v1: Instrument) -> None:
    found = {}
    for where, text in _wordings(v1):
        tokens = [word.lower().replace("’", "'") for word in _words(text)]
        bad = [t for t in tokens if t in NEGATIONS or t.endswith("n't")]
        if bad:
            found[where] = bad
    assert found == {}


def test_each_wording_holds_one_idea_without_and(v1: Instrument) -> None:
    joined = {where: text for where, text in _wordings(v1) if "and" in _words(text.lower())}
    assert joined == {}
    # "or" only where an item asks whether the aim is one thing or the other (M5.4).
    with_or = {where for where, text in _wordings(v1) if "or" in _words(text.lower())}
    assert with_or == {"M5.4 rater", "M5.4 self"}
    assert "whether" in v1.items[v1.item_index["M5.4"]].rater


def test_facet_items_start_with_this_person_and_i(v1: Instrument) -> None:
    for item in _facet_items(v1):
        assert item.rater.startswith("This person "), item.id
        assert item.self is not None
        assert item.self.startswith("I "), item.id


def test_facet_items_are_in_the_present_tense(v1: Instrument) -> None:
    # The word after "This person" is a verb in the third person present ("sets", "is").
    verbs = {item.id: item.rater.split()[2] for item in _facet_items(v1)}
    assert {i: verb for i, verb in verbs.items() if not verb.endswith("s")} == {}


def _stems(text: str) -> set[str]:
    stop = {"this", "person", "i", "they", "their", "them", "my", "me", "myself", "personally"}
    stop |= {"the", "a", "that", "was", "is", "am"}
    stems = set()
    for word in (w.lower() for w in _words(text)):
        if word in stop:
            continue
        if word.endswith("ies"):
            word = word[:-3] + "y"
        elif word.endswith(("ches", "shes")):
            word = word[:-2]
        elif word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        stems.add(word)
    return stems


def test_self_wording_asks_about_the_same_behaviour_as_the_rater_wording(v1: Instrument) -> None:
    overlap = {}
    for item in _facet_items(v1):
        rater, self_ = _stems(item.rater), _stems(item.self or "")
        overlap[item.id] = len(rater & self_) / len(rater | self_)
    assert {i: round(j, 2) for i, j in overlap.items() if j < 0.8} == {}


def test_no_two_items_share_a_wording(v1: Instrument) -> None:
    wordings = [text.lower() for _, text in _wordings(v1)]
    assert len(set(wordings)) == len(wordings)


def test_c1_items_describe_controlling_behaviour_positively(v1: Instrument) -> None:
    c1 = [v1.items[v1.item_index[i]] for i in v1.facet_by_id["C1"].items]
    keywords = ["position", "deadlines", "decisions alone", "one fixed way"]
    assert [any(k in item.rater for k in keywords) for item in c1] == [True] * 4


@pytest.mark.skipif(not SEEDS.is_dir(), reason="shared/seeds is not beside the repository")
def test_no_wording_copies_five_words_in_a_row_from_the_seeds(v1: Instrument) -> None:
    def grams(text: str) -> set[tuple[str, ...]]:
        words = [w.lower().replace("’", "'") for w in _words(text)]
        return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}

    seeds = set().union(*(grams(p.read_text("utf-8")) for p in SEEDS.glob("*.txt")))
    texts = [text for _, text in _wordings(v1)]
    texts += [facet.description for facet in v1.facets] + [a.description for a in v1.axes]
    assert {t for t in texts if grams(t) & seeds} == set()


# docs/instrument.md cannot drift from the file ------------------------------------------------


def _doc_rows(v1: Instrument) -> list[str]:
    rows = [f"| {i.id} | {i.rater} | {i.self} |" for i in _facet_items(v1)]
    rows += [f"| {i.id} | {i.rater} |" for i in v1.items if i.facet is None]
    return rows + [f"| {q.id} | {q.rater} | {q.self} |" for q in v1.questions]


def test_docs_list_every_item_and_question_of_v1_word_for_word(v1: Instrument) -> None:
    lines = set(DOCS.read_text("utf-8").splitlines())
    missing = [row for row in _doc_rows(v1) if row not in lines]
    assert missing == [], "docs/instrument.md is missing these table rows:\n" + "\n".join(missing)


def test_docs_name_every_facet_axis_and_released_version(v1: Instrument) -> None:
    text = DOCS.read_text("utf-8")
    for facet in v1.facets:
        assert f"#### {facet.id} {facet.name}" in text
        assert facet.description in text
    for axis in v1.axes:
        assert axis.description in text
    for version, digest in RELEASED.items():
        assert f"| {version} | `v{version}.toml` | `{digest}` |" in text
