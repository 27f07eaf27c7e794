"""Bad input, fuzzed: the people import, the wide CSV of ``leadwell score`` and the admin forms.

Hypothesis generates hostile input (random bytes, odd CSV dialects, NUL bytes, formula-looking
cells, XLSX cells of every type, NaN/inf in score frames, huge or out-of-range form values).
Each property: the input is either accepted or refused with the module's own error type and a
message naming the problem, never another exception, never a 500, and nothing is half-written.
Examples are derandomized so CI sees the same inputs every run.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from leadwell.instrument import RELEASED, default_instrument
from leadwell.orgs.forms import MAX_UPLOAD_BYTES
from leadwell.orgs.importing import (
    ImportFileError,
    pack_people_file,
    preview_import,
    read_people_file,
)
from leadwell.scoring import GROUPS, Responses, WideFormatError, read_wide, responses_from_frame

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HEADERS = ["name", "email", "unit", "level", "manager email", "Full Name", "E-Mail", "notes"]
CELLS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["=1+1", '=HYPERLINK("x")', "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3"]),
    st.emails().map(str),
    st.text(alphabet="ab\x00\"';,\t\r\n", max_size=12),
    st.integers(1, 3).map(lambda n: "x" * (70_000 * n)),
)


def _counts() -> tuple[int, int, int]:
    from leadwell.orgs.models import LevelChange, Person, Unit

    return Person.objects.count(), Unit.objects.count(), LevelChange.objects.count()


def _attempt(function, *args, expected: type[Exception]):
    """``(result, None)``, or ``(None, error)`` when ``function`` raises ``expected``; any other
    exception propagates and fails the test."""
    try:
        return function(*args), None
    except expected as error:
        return None, error


def _read_or_refuse(data: bytes, filename: str = "people.csv") -> None:
    """The property of the pure reader: a PeopleFile whose preview works, or ImportFileError."""
    people, error = _attempt(read_people_file, data, filename, expected=ImportFileError)
    if people is None:
        assert str(error).strip(), "an ImportFileError must explain itself"
        return
    preview = preview_import(people.rows, {}, columns=people.columns)
    assert preview.total == len(people.rows)
    for bad in preview.bad:
        assert bad.row >= 2
        assert bad.reason


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    header = draw(st.lists(st.sampled_from(HEADERS) | st.text(max_size=8), min_size=0, max_size=8))
    width = max(len(header), 1)
    rows = draw(st.lists(st.lists(CELLS, max_size=width + 3), max_size=6))
    buffer = io.StringIO()
    writer = csv.writer(
        buffer,
        delimiter=delimiter,
        quoting=draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
    )
    writer.writerows([header, *rows])
    text = buffer.getvalue()
    if draw(st.booleans()):
        text = text.replace('"', draw(st.sampled_from(['"', "", "'", '""'])))  # broken quoting
    bom = draw(st.sampled_from([b"", b"\xef\xbb\xbf"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "latin-1", "utf-16"]))
    return bom + text.encode(encoding, errors="replace")


@st.composite
def people_csv(draw: st.DrawFn) -> bytes:
    """A readable file of valid people, with now and then a bad cell (so some previews are clean
    and some are not)."""
    count = draw(st.integers(1, 5))
    lines = ["name,email,manager email"]
    for n in range(count):
        manager = draw(
            st.sampled_from(["", "p0@example.com", "ghost@example.com", "p1@example.com"])
        )
        name = draw(st.sampled_from([f"Person {n}", "", "=1+1", "x" * 201]))
        lines.append(f"{name},p{n}@example.com,{manager if manager != f'p{n}@example.com' else ''}")
    return ("\n".join(lines) + "\n").encode()


XLSX_CELLS = st.one_of(
    st.none(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.dates(dt.date(1900, 3, 1), dt.date(9999, 1, 1)),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 1, 1)),
    st.sampled_from(["=1/0", "=SUM(A1:A3)", "=A1&B1", "name", "email", "a@example.com"]),
    st.text(alphabet=st.characters(blacklist_categories=["Cc", "Cs"]), max_size=20),
)


@st.composite
def xlsx_files(draw: st.DrawFn) -> bytes:
    book = Workbook()
    sheet = book.active
    header = draw(st.lists(st.sampled_from(HEADERS) | XLSX_CELLS, max_size=6))
    rows = draw(st.lists(st.lists(XLSX_CELLS, max_size=8), max_size=5))
    for row in [header, *rows] if header or rows else []:  # no rows at all: an empty sheet
        sheet.append(row)
    if draw(st.booleans()):
        book.create_sheet("Second").append(["name", "email"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# -- 1. the people import ------------------------------------------------------------------------


@FUZZ
@given(data=st.binary(max_size=2_000), name=st.sampled_from(["p.csv", "p.xlsx", "p.xls", ""]))
def test_random_bytes_are_read_or_refused_with_a_message(data, name):
    _read_or_refuse(data, name)


@FUZZ
@given(data=st.binary(min_size=1, max_size=600))
def test_random_bytes_behind_a_zip_signature_are_refused_as_a_broken_workbook(data):
    _read_or_refuse(b"PK\x03\x04" + data, "people.xlsx")


@FUZZ
@given(data=csv_files())
def test_random_csv_text_is_read_or_refused_with_a_message(data):
    _read_or_refuse(data)


@FUZZ
@given(data=xlsx_files())
def test_random_xlsx_workbooks_are_read_or_refused_with_a_message(data):
    _read_or_refuse(data, "people.xlsx")


def test_a_header_without_name_and_email_is_refused_naming_row_1():
    with pytest.raises(ImportFileError, match=r"Row 1 .*missing: name, email"):
        read_people_file(b"=cmd|calc;unit\x00\nx;y\n")


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@settings(FUZZ, max_examples=25)
@given(data=st.one_of(people_csv(), csv_files(), xlsx_files(), st.binary(max_size=500)))
def test_the_upload_page_never_fails_and_writes_nothing_without_a_clean_confirm(
    admin_client, people, data
):
    before = _counts()
    response = admin_client.post(
        reverse("orgs:import"), {"file": SimpleUploadedFile("people.csv", data)}
    )
    assert response.status_code in (200, 302)
    event(f"upload status {response.status_code}")
    if response.status_code == 200:  # refused: the form says why
        assert response.context["form"].errors["file"][0].strip()
        assert _counts() == before
        return
    assert admin_client.get(reverse("orgs:import_preview")).status_code == 200
    assert admin_client.get(reverse("orgs:import_bad_rows")).status_code == 200
    assert _counts() == before, "a preview wrote to the database"
    people_file = read_people_file(data, "people.csv")
    from leadwell.orgs.selectors import people_import_preview

    preview = people_import_preview(org=admin_client_org(), rows=people_file.rows)
    event(f"preview ok {preview.ok}")
    _, digest = pack_people_file(people_file)
    done = admin_client.post(reverse("orgs:import_confirm"), {"digest": digest})
    assert done.status_code in (200, 302)
    if preview.ok:  # the one way in: a clean preview, confirmed
        assert _counts()[0] == before[0] + len(preview.new)
    else:
        assert _counts() == before, "a preview with bad rows was imported"


def admin_client_org():
    from leadwell.orgs.models import Organization

    return Organization.objects.get(slug="acme")


# -- 3. oversized uploads ------------------------------------------------------------------------


def test_a_people_file_above_the_size_limit_gets_a_clear_message_and_writes_nothing(
    admin_client, people
):
    row = b"Ann Example,ann@example.com\n"
    data = b"name,email\n" + row * (MAX_UPLOAD_BYTES // len(row) + 1)
    assert len(data) > MAX_UPLOAD_BYTES
    before = _counts()
    response = admin_client.post(
        reverse("orgs:import"), {"file": SimpleUploadedFile("p.csv", data)}
    )
    assert response.status_code == 200
    assert "larger than 20 MB" in response.content.decode()
    assert _counts() == before


# -- 2. the wide CSV of `leadwell score` ---------------------------------------------------------

INSTRUMENT = default_instrument()
ITEMS = list(INSTRUMENT.item_ids)
PLAN = [("A1", g) for g in ("self", "manager", "peer", "peer", "peer", "direct")]


def _valid_frame() -> pd.DataFrame:
    """A small valid table: no self outcomes, distinct raters (as tests/scoring/test_wide.py)."""
    rows = []
    for n, (assessment, group) in enumerate(PLAN, start=1):
        row: dict[str, object] = {"assessment": assessment, "group": group, "rater": f"R{n}"}
        row |= {item: 1 + (n + j) % 5 for j, item in enumerate(ITEMS)}
        if group == "self":
            row |= {o: np.nan for o in INSTRUMENT.outcome_ids}
        row["seconds"] = 60.0 * n
        rows.append(row)
    return pd.DataFrame(rows)


def test_the_unchanged_table_scores():
    assert isinstance(responses_from_frame(_valid_frame(), INSTRUMENT), Responses)


WIDE_VALUES = st.one_of(
    st.sampled_from([np.nan, np.inf, -np.inf, None, "", " 3 ", "five", "3.5", "-1", "1e300"]),
    st.integers(-(10**6), 10**6),
    st.floats(),
    st.text(max_size=10),
    st.sampled_from(GROUPS),
)
COLUMNS = ["assessment", "group", "rater", "seconds", *ITEMS[:6], *INSTRUMENT.outcome_ids[:2]]


@st.composite
def wide_frames(draw: st.DrawFn) -> pd.DataFrame:
    frame = _valid_frame().astype(object)
    for _ in range(draw(st.integers(0, 4))):
        row = draw(st.integers(0, len(frame) - 1))
        frame.at[row, draw(st.sampled_from(COLUMNS))] = draw(WIDE_VALUES)
    if draw(st.booleans()):
        frame.at[draw(st.integers(1, len(frame) - 1)), "rater"] = "R1"  # a duplicate rater
    if draw(st.integers(0, 4)) == 0:
        frame[draw(st.text(min_size=1, max_size=8))] = draw(WIDE_VALUES)  # an unknown column
    return frame


def _score_or_refuse(frame: pd.DataFrame) -> None:
    responses, error = _attempt(responses_from_frame, frame, INSTRUMENT, expected=WideFormatError)
    if responses is None:
        assert isinstance(error, WideFormatError)
        assert error.row is not None, str(error)
        assert error.column is not None, str(error)
        assert f"row {error.row}" in str(error)
        assert repr(error.column) in str(error)
        return
    assert responses.answers.max() <= 5
    assert len(responses.assessment) == len(frame)


@FUZZ
@given(frame=wide_frames())
def test_a_frame_with_bad_cells_scores_or_names_row_and_column(frame):
    _score_or_refuse(frame)


@settings(FUZZ, max_examples=25)
@given(frame=wide_frames(), delimiter=st.sampled_from([",", ";"]))
def test_a_wide_csv_with_bad_cells_scores_or_names_row_and_column(
    tmp_path_factory, frame, delimiter
):
    path = tmp_path_factory.mktemp("wide") / "wide.csv"
    frame.to_csv(path, index=False, sep=delimiter)
    read, error = _attempt(read_wide, path, expected=WideFormatError)
    if read is None:
        assert str(error).strip()
        return
    _score_or_refuse(read)


# -- 4. forms an admin can post ------------------------------------------------------------------

FORM_TEXT = st.one_of(
    st.text(max_size=40),
    st.text(alphabet="a\x00é漢😀", min_size=1, max_size=10),
    st.integers(-(10**30), 10**30).map(str),
    st.just("x" * 5_000),
    st.sampled_from(["", " ", "2026-02-30", "9999-12-31", "0001-01-01", "nan", "1e309"]),
)


def _field(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Mostly a valid value, else hostile text: so whole forms are sometimes valid."""
    return st.tuples(st.integers(0, 3), valid, FORM_TEXT).map(lambda t: t[2] if t[0] == 3 else t[1])


@settings(FUZZ, max_examples=30)
@given(
    name=_field(st.integers(0, 10**6).map(lambda n: f"Autumn {n}")),
    version=_field(st.sampled_from(sorted(RELEASED))),
    low=_field(st.integers(2, 20).map(str)),
    high=_field(st.integers(3, 100).map(str)),
    deadline=_field(st.dates(dt.date(2030, 1, 1), dt.date(2040, 1, 1)).map(dt.date.isoformat)),
)
def test_the_new_cycle_form_never_fails_and_creates_one_cycle_or_none(
    admin_client, name, version, low, high, deadline
):
    from leadwell.cycles.models import Cycle

    before = Cycle.objects.count()
    response = admin_client.post(
        reverse("cycles:create"),
        {
            "name": name,
            "instrument_version": version,
            "min_anonymous": low,
            "max_raters": high,
            "deadline": deadline,
        },
    )
    assert response.status_code in (200, 302)
    event(f"cycle status {response.status_code}")
    assert Cycle.objects.count() == before + (response.status_code == 302)
    if response.status_code == 200:
        assert response.context["form"].errors


@settings(FUZZ, max_examples=30)
@given(
    name=_field(st.just("Rae Rater")),
    email=_field(st.emails().map(str)),
    group=_field(st.sampled_from(["peer", "direct", "other"])),
)
def test_the_nomination_form_never_fails_and_adds_one_rater_or_none(
    admin_client, org, leader, name, email, group
):
    from leadwell.cycles.models import Assessment, Nomination
    from leadwell.cycles.services import assessments_add, cycle_create

    assessment = Assessment.objects.filter(cycle__organization=org).first()
    if assessment is None:
        (assessment,) = assessments_add(cycle_create(org, name="Fuzz"), leaders=[leader])
    before = Nomination.objects.count()
    response = admin_client.post(
        reverse("cycles:nominations", args=[assessment.pk]),
        {"name": name, "email": email, "group": group},
    )
    assert response.status_code in (200, 302)
    event(f"nomination status {response.status_code}")
    assert Nomination.objects.count() == before + (response.status_code == 302)


def test_a_column_that_repeats_after_trimming_spaces_is_refused_naming_it():
    """Found by fuzzing: " group" next to "group" raised TypeError inside pandas."""
    frame = _valid_frame()
    frame[" group"] = "peer"
    with pytest.raises(WideFormatError, match=r"row 1, column 'group': appears twice"):
        responses_from_frame(frame, INSTRUMENT)


@pytest.mark.parametrize("seconds", [np.inf, -np.inf, "inf"])
def test_infinite_seconds_are_refused_naming_row_and_column(seconds):
    """Found by fuzzing: an infinite time was accepted and would poison timing statistics."""
    frame = _valid_frame().astype(object)
    frame.at[2, "seconds"] = seconds
    with pytest.raises(WideFormatError, match=r"row 4, column 'seconds'"):
        responses_from_frame(frame, INSTRUMENT)
