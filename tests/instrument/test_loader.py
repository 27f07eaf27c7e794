"""The loader: every validation rule, immutability of released versions, and the v1 shape.

Each broken file is the real v1 text with one small edit, re-versioned as "test" so that the
release check stays out of the way of the rule under test.
"""

from __future__ import annotations

import hashlib
import pickle
import re
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pytest

from leadwell.instrument import (
    AXES,
    RELEASED,
    Instrument,
    InstrumentError,
    default_instrument,
    load_instrument,
    parse_instrument,
)

Edit = Callable[[str], str]

# The scoring contract of MODEL.md, written out independently of the file.
M_FACETS = [f"M{n}" for n in range(1, 7)]
L_FACETS = [f"L{n}" for n in range(1, 8)]
FACETS = [*M_FACETS, *L_FACETS, "C1"]
ITEMS = [f"{facet}.{n}" for facet in FACETS for n in range(1, 5)] + ["O1", "O2", "O3"]


def _replace(old: str, new: str) -> Edit:
    """An edit that replaces ``old``, which must occur exactly once in the text."""

    def edit(text: str) -> str:
        if text.count(old) != 1:
            raise LookupError(f"the test's anchor must occur once in v1.toml: {old!r}")
        return text.replace(old, new)

    return edit


def _replace_all(old: str, new: str) -> Edit:
    return lambda text: text.replace(old, new)


def _drop_items(*item_ids: str) -> Edit:
    def edit(text: str) -> str:
        for item_id in item_ids:
            block = rf'\[\[facets\.items\]\]\nid = "{re.escape(item_id)}"\n[^\[]*'
            text, count = re.subn(block, "", text)
            if count != 1:
                raise LookupError(f"item {item_id} not found in v1.toml")
        return text

    return edit


def _unreleased(text: str) -> str:
    return _replace('version = "1"', 'version = "test"')(text)


def _refusal(text: str) -> InstrumentError:
    with pytest.raises(InstrumentError) as info:
        parse_instrument(text, source="broken.toml")
    return info.value


def _line_naming(error: InstrumentError, *parts: str) -> str:
    """The one problem line that contains every part (so the id and the problem go together)."""
    lines = [line for line in error.problems if all(part in line for part in parts)]
    assert lines, f"no problem line contains {parts}; problems were:\n{error}"
    return lines[0]


M1_1_RATER = "This person sets concrete goals for the team at the start of each piece of work."
O1_RATER = (
    "I would willingly follow this person toward a new goal whose outcome is still uncertain."
)

RULES: dict[str, tuple[Edit, tuple[str, ...]]] = {
    "missing_required_key": (
        _replace('name = "Planning & organizing"\n', ""),
        ("facet M1", "missing required key 'name'"),
    ),
    "duplicate_item_id": (
        _replace('id = "M1.2"', 'id = "M1.1"'),
        (
            "item M1.1",
            "duplicate id 'M1.1'",
            "facet M1, item #2 repeats the id of facet M1, item #1",
        ),
    ),
    "duplicate_facet_id": (
        _replace('id = "M2"\n', 'id = "M1"\n'),
        ("facet M1", "duplicate id 'M1'", "facet #2 repeats the id of facet #1"),
    ),
    "duplicate_question_id": (
        _replace('id = "stop"', 'id = "start"'),
        ("question start", "duplicate id 'start'", "question #3 repeats the id of question #2"),
    ),
    "duplicate_id_across_the_file": (
        _replace('id = "O3"', 'id = "C1"'),
        ("outcome C1", "duplicate id 'C1'", "outcome #3 repeats the id of facet #14"),
    ),
    "item_id_of_another_facet": (
        _replace('id = "M1.3"', 'id = "M2.9"'),
        ("item M2.9", "M1.<n>", "facet M1"),
    ),
    "item_id_without_a_number": (
        _replace('id = "M1.3"', 'id = "M1-3"'),
        ("item M1-3", "M1.<n>"),
    ),
    "facet_with_too_few_items": (
        _drop_items("M1.3", "M1.4"),
        ("facet M1", "has 2 item(s)", "at least 3"),
    ),
    "unknown_axis_on_a_facet": (
        _replace('name = "Planning & organizing"\naxis = "managing"', 'name = "P"\naxis = "foo"'),
        ("facet M1", "unknown axis 'foo'", "the axes are managing, leading"),
    ),
    "unknown_axis_declared": (
        _replace('id = "leading"', 'id = "strategy"'),
        ("axis strategy", "unknown axis", "managing, leading"),
    ),
    "caution_facet_with_an_axis": (
        _replace("caution = true\n", 'caution = true\naxis = "leading"\n'),
        ("facet C1", "caution scale", "has axis 'leading'"),
    ),
    "axis_facet_without_an_axis": (
        _replace('name = "Planning & organizing"\naxis = "managing"\n', 'name = "Planning"\n'),
        ("facet M1", "has no axis", "caution = true"),
    ),
    "caution_that_is_not_true_or_false": (
        _replace("caution = true", 'caution = "yes"'),
        ("facet C1", "caution must be true or false"),
    ),
    "axis_with_no_facets": (
        _replace_all('axis = "leading"', 'axis = "managing"'),
        ("axis leading", "has no facets"),
    ),
    "axis_missing": (
        _replace('id = "leading"\nname = "Leading"', 'id = "managing"\nname = "Leading"'),
        ("axis 'leading' is missing",),
    ),
    "empty_wording": (
        _replace(f'rater = "{M1_1_RATER}"', 'rater = "   "'),
        ("item M1.1", "'rater' is empty"),
    ),
    "rater_wording_without_this_person": (
        _replace('rater = "This person sets concrete', 'rater = "She sets concrete'),
        ("item M1.1", 'rater wording must start with "This person"'),
    ),
    "self_wording_without_i": (
        _replace('self = "I set concrete', 'self = "We set concrete'),
        ("item M1.1", 'self wording must start with "I"'),
    ),
    "wording_too_short": (
        _replace(f'rater = "{M1_1_RATER}"', 'rater = "This person plans the work."'),
        ("item M1.1", "rater wording has 5 words", "8–20"),
    ),
    "wording_too_long": (
        _replace(f'rater = "{M1_1_RATER}"', f'rater = "{M1_1_RATER} {"Really " * 5}"'),
        ("item M1.1", "rater wording has 21 words", "8–20"),
    ),
    "outcome_wording_too_short": (
        _replace(O1_RATER, "I would follow this person almost anywhere."),
        ("outcome O1", "rater wording has 7 words"),
    ),
    "missing_self_wording": (
        _replace(
            'self = "I set concrete goals for the team at the start of each piece of work."\n', ""
        ),
        ("item M1.1", "missing required key 'self'"),
    ),
    "self_wording_on_an_outcome": (
        _replace(
            'id = "O1"\n', 'id = "O1"\nself = "I would willingly follow myself anywhere at all."\n'
        ),
        ("outcome O1", "has a self wording", "others only"),
    ),
    "duplicate_wording": (
        _replace('rater = "This person breaks large pieces of work', f'rater = "{M1_1_RATER}" # '),
        ("item M1.2", "repeats the wording of item M1.1"),
    ),
    "scale_with_one_level": (
        _replace(
            'levels = ["Almost never", "Rarely", "Sometimes", "Often", "Almost always"]',
            'levels = ["Always"]',
        ),
        ("[scale]", "levels has 1 label(s)", "at least 2"),
    ),
    "not_observed_that_is_a_level": (
        _replace('not_observed = "Not observed"', 'not_observed = "Rarely"'),
        ("[scale]", "not_observed 'Rarely' is also one of the levels"),
    ),
    "unknown_key_on_an_item": (
        _replace('rater = "This person sets concrete', 'raters = "This person sets concrete'),
        ("item M1.1", "unknown key 'raters'", "did you mean 'rater'?"),
    ),
    "unknown_key_on_a_facet": (
        _replace('id = "M1"\n', 'id = "M1"\ncolour = "blue"\n'),
        (
            "facet M1",
            "unknown key 'colour'",
            "allowed: id, name, description, items, axis, caution",
        ),
    ),
    "unknown_top_level_table": (
        lambda text: text + '\n[extra]\nnote = "x"\n',
        ("top level", "unknown key 'extra'"),
    ),
    "missing_version": (
        _replace('version = "test"\n', ""),
        ("[instrument]", "missing required key 'version'"),
    ),
    "version_that_is_a_number": (
        _replace('version = "test"', "version = 2"),
        ("[instrument]", "version must be text in quotes", 'version = "2"'),
    ),
    "id_reserved_for_a_csv_column": (
        _replace('id = "keep"', 'id = "group"'),
        ("question group", "id 'group' is reserved"),
    ),
    "question_id_in_capitals": (
        _replace('id = "keep"', 'id = "Keep"'),
        ("question Keep", "lower-case"),
    ),
}


@pytest.mark.parametrize("rule", RULES)
def test_broken_file_is_refused_with_a_line_naming_the_place_and_the_problem(
    rule: str, v1_text: str
) -> None:
    edit, parts = RULES[rule]
    error = _refusal(edit(_unreleased(v1_text)))
    assert _line_naming(error, *parts).startswith("broken.toml: ")


def test_the_unbroken_base_text_of_the_rule_tests_loads(v1_text: str) -> None:
    assert parse_instrument(_unreleased(v1_text)).version == "test"


def test_invalid_toml_is_refused_with_its_line_number(v1_text: str) -> None:
    broken = _replace('id = "M1.2"', 'id = "M1.2')(v1_text)
    line = broken.splitlines().index('id = "M1.2') + 1
    error = _refusal(broken)
    assert error.problems == (error.problems[0],)
    assert error.problems[0].startswith("broken.toml: invalid TOML")
    assert f"line {line}," in error.problems[0]


def test_all_problems_are_reported_together_one_per_line(v1_text: str) -> None:
    text = _unreleased(v1_text)
    for rule in ("rater_wording_without_this_person", "self_wording_on_an_outcome",
                 "scale_with_one_level"):  # fmt: skip
        text = RULES[rule][0](text)
    error = _refusal(text)
    lines = str(error).splitlines()
    assert lines[0] == "3 problems in the instrument:"
    assert lines[1:] == list(error.problems)
    _line_naming(error, "item M1.1", "This person")
    _line_naming(error, "outcome O1", "self wording")
    _line_naming(error, "[scale]", "at least 2")


def test_instrument_error_is_a_value_error_that_survives_pickling() -> None:
    error = InstrumentError(["a.toml: facet M1: first", "a.toml: facet M2: second"])
    assert isinstance(error, ValueError)
    copy = pickle.loads(pickle.dumps(error))
    assert copy.problems == error.problems
    assert str(copy) == str(error)
    assert InstrumentError("one problem").problems == ("one problem",)


def test_items_written_as_a_single_table_are_refused(v1_text: str) -> None:
    text = _replace('[[facets.items]]\nid = "C1.1"', '[facets.items]\nid = "C1.1"')(v1_text)
    error = _refusal(_drop_items("C1.2", "C1.3", "C1.4")(_unreleased(text)))
    _line_naming(error, "facet C1", "must be a list of [[facets.items]] tables, found a table")


# Immutability of released versions ----------------------------------------------------------


def test_released_hash_is_the_sha256_of_the_packaged_file(v1: Instrument, v1_path: Path) -> None:
    digest = hashlib.sha256(v1_path.read_bytes()).hexdigest()
    assert RELEASED["1"] == digest
    assert v1.sha256 == digest


def test_exact_copy_of_v1_loads_by_path(tmp_path: Path, v1_path: Path, v1: Instrument) -> None:
    copy = tmp_path / "copy.toml"
    copy.write_bytes(v1_path.read_bytes())
    assert load_instrument(copy) == v1
    assert load_instrument(str(copy)).sha256 == RELEASED["1"]


def test_copy_of_v1_with_one_word_changed_is_refused_by_path(tmp_path: Path, v1_text: str) -> None:
    changed = tmp_path / "v1-edited.toml"
    changed.write_text(_replace("sets concrete goals", "sets specific goals")(v1_text), "utf-8")
    with pytest.raises(InstrumentError) as info:
        load_instrument(changed)
    line = _line_naming(info.value, "instrument version 1 was changed after release")
    assert line.startswith(f"{changed}: ")
    assert "a new version needs a new file" in line


def test_changed_released_text_is_refused_by_parse_instrument_too(v1_text: str) -> None:
    error = _refusal(v1_text.replace("sets concrete goals", "sets specific goals"))
    _line_naming(error, "version 1 was changed after release")


def test_changed_copy_with_a_new_version_loads(tmp_path: Path, v1_text: str) -> None:
    text = _replace('version = "1"', 'version = "2"')(v1_text)
    path = tmp_path / "v2.toml"
    path.write_text(text.replace("sets concrete goals", "sets specific goals"), "utf-8")
    instrument = load_instrument(path)
    assert instrument.version == "2"
    assert instrument.items[0].rater.startswith("This person sets specific goals")
    assert instrument.sha256 == hashlib.sha256(path.read_bytes()).hexdigest() != RELEASED["1"]


def test_packaged_file_is_checked_against_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(RELEASED, "1", "0" * 64)
    with pytest.raises(InstrumentError, match="version 1 was changed after release"):
        load_instrument("1")


def test_every_packaged_file_is_a_released_version_and_back() -> None:
    versions = resources.files("leadwell.instrument") / "versions"
    names = sorted(entry.name for entry in versions.iterdir() if entry.name.endswith(".toml"))
    assert names == sorted(f"v{version}.toml" for version in RELEASED)
    for version in RELEASED:
        assert load_instrument(version).version == version


def test_unknown_version_name_lists_the_released_versions() -> None:
    with pytest.raises(
        InstrumentError, match=r"unknown instrument version '7'.*released versions: 1"
    ):
        load_instrument("7")


def test_missing_file_is_an_instrument_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    with pytest.raises(InstrumentError, match="cannot read the instrument file") as info:
        load_instrument(missing)
    assert str(missing) in str(info.value)


def test_file_that_is_not_utf8_is_an_instrument_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes('[instrument]\ntitle = "Équipe"\n'.encode("latin-1"))
    with pytest.raises(InstrumentError, match="not UTF-8"):
        load_instrument(path)


# The shape of version 1 -----------------------------------------------------------------------


def test_v1_has_14_facets_and_59_items_in_canonical_order(v1: Instrument) -> None:
    assert v1.version == "1"
    assert v1.facet_ids == tuple(FACETS)
    assert v1.item_ids == tuple(ITEMS)
    assert len(v1.items) == 59
    assert v1.outcome_ids == ("O1", "O2", "O3")
    assert all(v1.facet_by_id[item.facet].items.count(item.id) == 1
               for item in v1.items if item.facet is not None)  # fmt: skip


def test_v1_facet_columns_point_at_each_facets_items(v1: Instrument) -> None:
    for facet in v1.facets:
        assert [v1.item_ids[i] for i in v1.facet_columns[facet.id]] == list(facet.items)


def test_v1_has_two_axes_with_the_m_and_l_facets(v1: Instrument) -> None:
    assert tuple(axis.id for axis in v1.axes) == AXES == ("managing", "leading")
    assert v1.axes[0].facets == tuple(M_FACETS)
    assert v1.axes[1].facets == tuple(L_FACETS)
    assert v1.facet_by_id["C1"].is_caution
    assert [facet.id for facet in v1.facets if facet.is_caution] == ["C1"]


def test_v1_has_four_open_questions_and_the_five_point_scale(v1: Instrument) -> None:
    assert v1.question_ids == ("keep", "start", "stop", "intent")
    assert v1.scale == ("Almost never", "Rarely", "Sometimes", "Often", "Almost always")
    assert v1.scale_max == 5
    assert v1.not_observed == "Not observed"


def test_outcome_items_have_no_facet_and_no_self_wording(v1: Instrument) -> None:
    outcomes = [item for item in v1.items if item.facet is None]
    assert [item.id for item in outcomes] == ["O1", "O2", "O3"]
    assert all(item.self is None for item in outcomes)


def test_default_instrument_is_version_1_loaded_once(v1: Instrument) -> None:
    assert default_instrument() is default_instrument()
    assert default_instrument() == v1


def test_loading_v1_takes_well_under_50_ms() -> None:
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        load_instrument("1")
        timings.append(time.perf_counter() - start)
    assert min(timings) < 0.025, f"fastest of 5 loads took {min(timings) * 1000:.1f} ms"
