"""The wide CSV/XLSX format: every bad cell gets one actionable message naming row and column.

Files are written byte by byte to ``tmp_path`` (not through pandas) and read back with
``read_wide`` + ``responses_from_frame``. Rows are counted as a spreadsheet shows them: the
header is row 1, the first response row 2.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook, load_workbook

from leadwell.instrument import default_instrument
from leadwell.scoring import GROUPS, Responses, WideFormatError, read_wide, responses_from_frame

INSTRUMENT = default_instrument()
ITEMS = list(INSTRUMENT.item_ids)
HEADER = ["assessment", "group", "rater", *ITEMS, "seconds", *INSTRUMENT.question_ids]
# Spreadsheet rows 2-9 are about A1, rows 10-14 about A2.
PLAN = [
    ("A1", g) for g in ("self", "manager", "peer", "peer", "peer", "direct", "direct", "direct")
]
PLAN += [("A2", g) for g in ("self", "manager", "peer", "peer", "peer")]
LAST_ROW = len(PLAN) + 1

Row = dict[str, str]


def _rows() -> list[Row]:
    """A small valid table as text cells: random answers, some not observed, no self outcome."""
    rng = np.random.default_rng(20240611)
    rows = []
    for n, (assessment, group) in enumerate(PLAN, start=1):
        answers = rng.integers(1, 6, size=len(ITEMS)).astype(str)
        answers[rng.random(len(ITEMS)) < 0.05] = ""
        row = {"assessment": assessment, "group": group, "rater": f"R{n:02d}"}
        row |= dict(zip(ITEMS, answers.tolist(), strict=True))
        row |= {q: "" for q in INSTRUMENT.question_ids}
        if group == "self":
            row |= {o: "" for o in INSTRUMENT.outcome_ids}
        row["seconds"] = f"{300 + 7.5 * n:g}"
        rows.append(row)
    rows[3]["keep"] = "Plans the week with us."
    rows[9]["start"] = "Ask the team before deciding."
    return rows


def _changed(changes: Mapping[tuple[int, str], str], rows: list[Row] | None = None) -> list[Row]:
    """The valid table with cells replaced; keys are (spreadsheet row, column)."""
    rows = _rows() if rows is None else rows
    for (row, column), value in changes.items():
        rows[row - 2][column] = value
    return rows


def _text(rows: list[Row], header: list[str] | None = None, *, sep: str = ",", eol: str = "\n"):
    handle = io.StringIO()
    writer = csv.writer(handle, delimiter=sep, lineterminator=eol)
    header = HEADER if header is None else header
    writer.writerow(header)
    writer.writerows([row.get(column, "") for column in header] for row in rows)
    return handle.getvalue()


def _csv(tmp_path: Path, rows: list[Row], header: list[str] | None = None, **options) -> Path:
    path = tmp_path / "responses.csv"
    path.write_bytes(_text(rows, header, **options).encode("utf-8"))
    return path


def _xlsx(tmp_path: Path, rows: list[Row], header: list[str] | None = None) -> Path:
    """An Excel file as a person would type it: numbers as numbers, blank cells empty."""
    header = HEADER if header is None else header
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        cells = [row.get(column, "") for column in header]
        sheet.append(
            [_excel_cell(column, cell) for column, cell in zip(header, cells, strict=True)]
        )
    path = tmp_path / "responses.xlsx"
    book.save(path)
    return path


def _excel_cell(column: str, cell: str) -> object:
    if cell == "":
        return None
    if column in ITEMS or column == "seconds":
        try:
            return float(cell) if "." in cell else int(cell)
        except ValueError:
            return cell
    return cell


def _load(path: Path) -> Responses:
    return responses_from_frame(read_wide(path), INSTRUMENT)


def _error(path: Path) -> WideFormatError:
    with pytest.raises(WideFormatError) as caught:
        _load(path)
    return caught.value


def _assert_names(error: WideFormatError, row: int, column: str) -> None:
    assert (error.row, error.column) == (row, column)
    assert str(error).startswith(f"row {row}, column {column!r}: ")


def _expected_answers(rows: list[Row]) -> np.ndarray:
    """Answers as the engine codes them (0 = not observed), computed straight from the text."""
    return np.array([[int(r[i].strip() or 0) for i in ITEMS] for r in rows], dtype=np.uint8)


# --- a good file -----------------------------------------------------------------------------


def test_a_clean_file_keeps_every_answer_group_assessment_and_comment(tmp_path):
    rows = _rows()
    responses = _load(_csv(tmp_path, rows))
    np.testing.assert_array_equal(responses.answers, _expected_answers(rows))
    assert [GROUPS[g] for g in responses.group] == [g for _, g in PLAN]
    assert list(responses.assessment_ids[responses.assessment]) == [a for a, _ in PLAN]
    assert responses.comments["keep"][3] == "Plans the week with us."
    np.testing.assert_allclose(responses.seconds, [float(r["seconds"]) for r in rows])


def test_wide_format_error_is_a_value_error():
    assert issubclass(WideFormatError, ValueError)


# --- the header ------------------------------------------------------------------------------


def test_an_unknown_column_names_row_1_and_the_column_and_lists_what_is_allowed(tmp_path):
    header = [*HEADER, "department"]
    error = _error(_csv(tmp_path, _rows(), header))
    _assert_names(error, 1, "department")
    assert "unknown column" in str(error)
    assert "header column 68" in str(error)
    assert all(name in str(error) for name in ("assessment", "group", "rater", "keep", "intent"))


def test_a_typo_in_an_item_id_is_an_unknown_column_that_suggests_the_item_meant(tmp_path):
    header = ["M1.22" if name == "M1.2" else name for name in HEADER]
    rows = [{("M1.22" if k == "M1.2" else k): v for k, v in row.items()} for row in _rows()]
    error = _error(_csv(tmp_path, rows, header))
    _assert_names(error, 1, "M1.22")
    assert "did you mean 'M1.2'?" in str(error)


def test_a_missing_item_column_is_named_with_a_count_of_the_other_missing_ones(tmp_path):
    one = _error(_csv(tmp_path, _rows(), [c for c in HEADER if c != "L3.2"]))
    _assert_names(one, 1, "L3.2")
    assert "more columns are missing" not in str(one)
    three = _error(_csv(tmp_path, _rows(), [c for c in HEADER if c not in {"L3.2", "O1", "O3"}]))
    _assert_names(three, 1, "L3.2")
    assert "(2 more columns are missing)" in str(three)


@pytest.mark.parametrize("column", ["assessment", "group"])
def test_a_missing_assessment_or_group_column_is_named(tmp_path, column):
    error = _error(_csv(tmp_path, _rows(), [c for c in HEADER if c != column]))
    _assert_names(error, 1, column)
    assert "no such column" in str(error)


def test_a_column_named_twice_in_the_header_names_both_positions(tmp_path):
    header = [*HEADER[:-1], "M1.1"]  # the last column (intent) renamed to an item id
    error = _error(_csv(tmp_path, _rows(), header))
    _assert_names(error, 1, "M1.1")
    assert "appears twice" in str(error)
    assert f"columns 4 and {len(HEADER)}" in str(error)


# --- answers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [("0", "0"), ("6", "6"), ("7", "7"), ("2.5", "2.5"), ("-1", "-1"), ("abc", "'abc'")],
)
def test_an_answer_outside_1_to_5_names_its_row_column_and_value(tmp_path, value, shown):
    error = _error(_csv(tmp_path, _changed({(5, "M2.3"): value})))
    _assert_names(error, 5, "M2.3")
    assert f": {shown} is " in str(error)
    assert "1-5" in str(error)
    assert "more rows" not in str(error)


@pytest.mark.parametrize("value", ["3 ", " 3", "\t3", "3.0"])
def test_an_answer_with_whitespace_or_a_zero_decimal_is_read_as_the_number(tmp_path, value):
    responses = _load(_csv(tmp_path, _changed({(5, "M2.3"): value})))
    assert responses.answers[3, ITEMS.index("M2.3")] == 3


@pytest.mark.parametrize("value", ["", " "])
def test_a_blank_answer_is_not_observed(tmp_path, value):
    rows = _changed({(5, "M2.3"): value})
    responses = _load(_csv(tmp_path, rows))
    assert responses.answers[3, ITEMS.index("M2.3")] == 0
    np.testing.assert_array_equal(responses.answers, _expected_answers(rows))


def test_further_rows_with_the_same_problem_are_counted_in_the_message(tmp_path):
    # three bad cells in M3.1 (rows 7, 9, 12) and one in another column, which is not counted
    changes = {(7, "M3.1"): "9", (9, "M3.1"): "0", (12, "M3.1"): "6", (13, "L1.1"): "8"}
    error = _error(_csv(tmp_path, _changed(changes)))
    _assert_names(error, 7, "M3.1")
    assert str(error).endswith("(2 more rows have this problem)")
    groups = _error(_csv(tmp_path, _changed({(r, "group"): "boss" for r in (3, 4, 5, 6)})))
    _assert_names(groups, 3, "group")
    assert str(groups).endswith("(3 more rows have this problem)")


@pytest.mark.parametrize("row", [2, LAST_ROW])
def test_the_first_and_last_response_rows_are_numbered_as_a_spreadsheet_shows_them(tmp_path, row):
    error = _error(_csv(tmp_path, _changed({(row, "C1.4"): "6"})))
    _assert_names(error, row, "C1.4")


# --- groups, assessments, raters ---------------------------------------------------------------


@pytest.mark.parametrize("value", ["peers", "boss", "Self-rating"])
def test_an_unknown_group_names_it_and_lists_the_valid_groups(tmp_path, value):
    error = _error(_csv(tmp_path, _changed({(4, "group"): value})))
    _assert_names(error, 4, "group")
    assert repr(value) in str(error)
    assert "self, manager, peer, direct, other" in str(error)


@pytest.mark.parametrize(("value", "group"), [("Peer ", "peer"), (" DIRECT", "direct")])
def test_a_group_in_other_case_or_with_spaces_is_accepted(tmp_path, value, group):
    responses = _load(_csv(tmp_path, _changed({(4, "group"): value})))
    assert GROUPS[responses.group[2]] == group


def test_a_blank_group_is_an_unknown_group(tmp_path):
    error = _error(_csv(tmp_path, _changed({(6, "group"): ""})))
    _assert_names(error, 6, "group")


@pytest.mark.parametrize("value", ["", "   "])
def test_a_blank_assessment_names_its_row(tmp_path, value):
    error = _error(_csv(tmp_path, _changed({(11, "assessment"): value})))
    _assert_names(error, 11, "assessment")
    assert "blank" in str(error)


def test_a_rater_answering_one_assessment_twice_names_the_second_row_and_the_rater(tmp_path):
    error = _error(_csv(tmp_path, _changed({(6, "rater"): "R03"})))
    _assert_names(error, 6, "rater")
    assert "'R03'" in str(error)
    assert "twice" in str(error)


def test_the_same_rater_in_two_assessments_is_fine(tmp_path):
    responses = _load(_csv(tmp_path, _changed({(12, "rater"): "R03"})))
    assert len(responses) == len(PLAN)


def test_a_second_self_row_for_one_assessment_names_its_row(tmp_path):
    changes = {(4, "group"): "self"} | {(4, o): "" for o in INSTRUMENT.outcome_ids}
    error = _error(_csv(tmp_path, _changed(changes)))
    _assert_names(error, 4, "group")
    assert "second self" in str(error)


def test_a_self_row_answering_an_outcome_item_names_row_and_item(tmp_path):
    error = _error(_csv(tmp_path, _changed({(10, "O1"): "4"})))
    _assert_names(error, 10, "O1")
    assert "self" in str(error)


@pytest.mark.parametrize("value", ["-5", "fast", "12s"])
def test_seconds_that_are_negative_or_not_a_number_name_row_and_column(tmp_path, value):
    error = _error(_csv(tmp_path, _changed({(8, "seconds"): value})))
    _assert_names(error, 8, "seconds")


def test_blank_seconds_are_unknown_durations(tmp_path):
    responses = _load(_csv(tmp_path, _changed({(8, "seconds"): ""})))
    assert np.isnan(responses.seconds[6])
    assert np.isfinite(np.delete(responses.seconds, 6)).all()


# --- whole files -----------------------------------------------------------------------------


def test_an_empty_file_says_it_is_empty(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    error = _error(path)
    assert "empty" in str(error)
    assert error.row is None


@pytest.mark.parametrize("eol", ["\n", ""])
def test_a_header_only_file_says_there_are_no_responses(tmp_path, eol):
    path = tmp_path / "header.csv"
    path.write_text(",".join(HEADER) + eol, encoding="utf-8")
    assert "no responses" in str(_error(path))


def test_a_missing_file_and_a_folder_get_their_own_messages(tmp_path):
    assert "no such file" in str(_error(tmp_path / "nope.csv"))
    assert "folder" in str(_error(tmp_path))


def test_a_latin_1_file_asks_to_save_it_as_utf_8(tmp_path):
    path = tmp_path / "latin.csv"
    path.write_bytes(_text(_changed({(5, "keep"): "Un café avec nous"})).encode("latin-1"))
    error = _error(path)
    assert "UTF-8" in str(error)
    assert "0xe9" in str(error)
    assert "line 5" in str(error)


def test_a_latin_1_character_far_into_a_large_file_asks_for_utf_8_too(tmp_path):
    rows = _changed({(3, "keep"): "x" * 70_000, (13, "stop"): "Un café"})
    path = tmp_path / "latin.csv"
    path.write_bytes(_text(rows).encode("latin-1"))
    assert "UTF-8" in str(_error(path))


def test_a_utf_8_character_split_by_the_header_sniffing_buffer_is_read(tmp_path):
    # read_wide sniffs the first 65536 bytes; an "é" whose two bytes straddle that boundary
    # is valid UTF-8 and must not be reported as an encoding error.
    probe = _text(_changed({(3, "keep"): "@"})).encode("utf-8")
    pad = 65535 - probe.index(b"@")
    rows = _changed({(3, "keep"): "x" * pad + "é", (6, "keep"): "déjà vu"})
    data = _text(rows).encode("utf-8")
    assert data[65535:65537] == "é".encode()
    path = tmp_path / "straddle.csv"
    path.write_bytes(data)
    responses = _load(path)
    assert responses.comments["keep"][1] == "x" * pad + "é"
    assert responses.comments["keep"][4] == "déjà vu"


@pytest.mark.parametrize(
    ("bom", "sep", "eol"),
    [
        (True, ",", "\n"),
        (False, ";", "\n"),
        (True, ";", "\n"),
        (False, ",", "\r\n"),
        (True, ";", "\r\n"),
    ],
)
def test_bom_semicolons_and_crlf_read_the_same_answers(tmp_path, bom, sep, eol):
    rows = _rows()
    path = tmp_path / "variant.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + _text(rows, sep=sep, eol=eol).encode())
    responses = _load(path)
    np.testing.assert_array_equal(responses.answers, _expected_answers(rows))
    assert list(responses.assessment_ids) == ["A1", "A2"]
    assert responses.comments["start"][9] == "Ask the team before deciding."


def test_a_bom_file_still_names_the_first_column_in_its_errors(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + _text(_changed({(3, "assessment"): ""})).encode())
    _assert_names(_error(path), 3, "assessment")


@pytest.mark.parametrize(("sep", "eol"), [(",", "\n"), (";", "\r\n")])
def test_a_comment_with_commas_quotes_and_a_newline_survives_and_keeps_row_numbers(
    tmp_path, sep, eol
):
    comment = 'Says "no" to us, then; later, "yes".\nAnd again, twice.'
    rows = _changed({(3, "keep"): comment})
    responses = _load(_csv(tmp_path, rows, sep=sep, eol=eol))
    assert responses.comments["keep"][1] == comment
    # the quoted newline takes a line in the file but not a row in a spreadsheet
    error = _error(_csv(tmp_path, _changed({(3, "keep"): comment, (6, "L2.1"): "0"}), sep=sep))
    _assert_names(error, 6, "L2.1")


def test_an_empty_line_counts_as_a_row_and_trailing_empty_lines_are_ignored(tmp_path):
    lines = _text(_changed({(8, "M1.1"): "9"})).splitlines(keepends=True)
    path = tmp_path / "gaps.csv"
    # an empty line after spreadsheet row 4 becomes row 5 and pushes the bad cell to row 9
    path.write_text("".join(lines[:4]) + "\n" + "".join(lines[4:]) + "\n\n", encoding="utf-8")
    error = _error(path)
    _assert_names(error, 5, "assessment")
    path.write_text("".join(lines) + "\n\n" + ",".join([""] * len(HEADER)) + "\n", encoding="utf-8")
    _assert_names(_error(path), 8, "M1.1")


# --- Excel -----------------------------------------------------------------------------------


def test_an_xlsx_file_reads_the_same_responses_as_the_csv(tmp_path):
    rows = _rows()
    from_excel = _load(_xlsx(tmp_path, rows))
    from_csv = _load(_csv(tmp_path, rows))
    np.testing.assert_array_equal(from_excel.answers, _expected_answers(rows))
    np.testing.assert_array_equal(from_excel.answers, from_csv.answers)
    np.testing.assert_array_equal(from_excel.group, from_csv.group)
    np.testing.assert_array_equal(from_excel.assessment, from_csv.assessment)
    assert from_excel.comments["keep"][3] == "Plans the week with us."


@pytest.mark.parametrize(("value", "shown"), [("8", "8"), ("2.5", "2.5"), ("often", "'often'")])
def test_a_bad_cell_in_an_xlsx_file_names_its_excel_row_and_column(tmp_path, value, shown):
    path = _xlsx(tmp_path, _changed({(9, "L2.2"): value}))
    assert load_workbook(path).active.cell(row=9, column=HEADER.index("L2.2") + 1).value is not None
    error = _error(path)
    _assert_names(error, 9, "L2.2")
    assert f": {shown} is " in str(error)


def test_a_column_named_twice_in_an_xlsx_header_is_reported_as_such(tmp_path):
    # pandas would silently rename the second one to 'M1.1.1'
    error = _error(_xlsx(tmp_path, _rows(), [*HEADER[:-1], "M1.1"]))
    _assert_names(error, 1, "M1.1")
    assert "appears twice" in str(error)


def test_a_damaged_xlsx_file_gets_a_clear_message(tmp_path):
    path = tmp_path / "damaged.xlsx"
    path.write_bytes(np.random.default_rng(5).bytes(4096))
    error = _error(path)
    assert "could not be read as an Excel workbook" in str(error)
    assert "damaged.xlsx" in str(error)


def test_an_xlsx_file_with_an_empty_sheet_says_it_is_empty(tmp_path):
    path = tmp_path / "blank.xlsx"
    Workbook().save(path)
    assert "empty" in str(_error(path))
    header_only = _xlsx(tmp_path, [])
    assert "no responses" in str(_error(header_only))
