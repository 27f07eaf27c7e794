"""CSV, XLSX and JSON hold the same tables; text that a spreadsheet would run as a formula is
defused; the XLSX row limit is handled by continuing on further sheets."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from export_helpers import csv_tables, export_bytes, json_tables, records, xlsx_sheets

from leadwell.exports import xlsx
from leadwell.exports.streaming import spreadsheet_safe
from leadwell.exports.writers import JSON_FORMAT, content_type, export_filename

TABLES = ["readme", "assessments", "figures", "gaps", "comments", "responses"]


@pytest.fixture
def risky(results, people):
    """Leaders and a unit whose names start like formulas (OWASP's CSV injection list)."""
    for name, risky_name in (("Ben", "+Ben"), ("Cy", "@Cy")):
        people[name].name = risky_name
        people[name].save()
    unit = people["Lee"].unit
    unit.name = "-Ops\tteam"
    unit.save()
    return results


def _as_csv_text(value) -> str:
    """How the CSV writes a value: null as blank, numbers as Python prints them, text made
    formula-safe."""
    if isinstance(value, str):
        return spreadsheet_safe(value)
    return "" if value is None else str(value)


def _same_moment(rows: list[list[str]]) -> list[list[str]]:
    """Rows with the readme's time of export blanked (two exports are seconds apart)."""
    return [[*row[:2], ""] if row[:2] == ["export", "exported_at"] else row for row in rows]


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+Ben", "'+Ben"),
        ("-Ops", "'-Ops"),
        ("@Cy", "'@Cy"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Ben", "Ben"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_formula_like_text_gets_an_apostrophe(text, safe):
    assert spreadsheet_safe(text) == safe


def test_csv_defuses_formula_text_but_keeps_numbers(risky):
    tables = csv_tables(export_bytes(risky, "csv"))
    leaders = {r["assessment"]: r for r in records(tables["assessments"])}
    names = sorted(r["leader"] for r in leaders.values())
    assert names == ["'+Ben", "'@Cy", "Ana", "Dana", "Lee"]
    assert {r["unit"] for r in leaders.values()} == {"'-Ops\tteam"}
    comments = [r["text"] for r in records(tables["comments"])]
    assert '\'=HYPERLINK("http://x")' in comments
    gaps = [r["gap"] for r in records(tables["gaps"])]
    assert any(g.startswith("-") for g in gaps)  # a negative number is not text
    assert all(float(g) == float(g) for g in gaps)


def test_xlsx_defuses_formula_text_and_keeps_numbers_as_numbers(risky):
    sheets = xlsx_sheets(export_bytes(risky, "xlsx"))
    header, *rows = sheets["assessments"]
    leader, unit = header.index("leader"), header.index("unit")
    assert sorted(r[leader] for r in rows) == ["'+Ben", "'@Cy", "Ana", "Dana", "Lee"]
    assert {r[unit] for r in rows} == {"'-Ops\tteam"}
    gap_header, *gaps = sheets["gaps"]
    values = [r[gap_header.index("gap")] for r in gaps]
    assert all(isinstance(v, float) for v in values)
    assert min(values) < 0


def test_xlsx_has_a_readme_then_a_sheet_per_table_with_the_csv_values(results):
    data = export_bytes(results, "xlsx", raw=True)
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == TABLES
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert all(cell.font.b for cell in sheet[1])
        assert sheet.column_dimensions["A"].width >= 8
    assert workbook["comments"].column_dimensions["D"].width == 80
    sheets = xlsx_sheets(data)
    tables = csv_tables(export_bytes(results, "csv", raw=True))
    for name in TABLES:
        # Both were made formula-safe by the writers: compare the cells as text.
        as_text = [["" if v is None else str(v) for v in row] for row in sheets[name]]
        assert _same_moment(as_text) == _same_moment(tables[name]), name
    assert isinstance(sheets["figures"][1][5], float)  # mean
    assert isinstance(sheets["responses"][1][4], int)  # an answer


def test_json_parses_and_holds_the_csv_tables(results):
    document = json_tables(export_bytes(results, "json", raw=True))
    assert document["format"] == JSON_FORMAT
    assert document["cycle"]["name"] == "Spring 2026"
    assert document["cycle"]["settings"]["k"] == 3
    tables = csv_tables(export_bytes(results, "csv", raw=True))
    assert list(document["tables"]) == TABLES
    for name in TABLES:
        header, *rows = tables[name]
        # JSON keeps formula-like text as written; _as_csv_text defuses it as the CSV does.
        from_json = [[_as_csv_text(row[c]) for c in header] for row in document["tables"][name]]
        assert _same_moment(from_json) == _same_moment(rows), name
    assert '=HYPERLINK("http://x")' in [r["text"] for r in document["tables"]["comments"]]


def test_one_table_as_csv_is_a_plain_csv_file(results):
    data = export_bytes(results, "csv", tables=["gaps"])
    assert data.startswith(b"assessment,leader,facet,self,all_others,gap,flag\r\n")
    assert content_type("csv", ["gaps"]) == "text/csv; charset=utf-8"
    assert export_filename(results, "csv", ["gaps"]) == "leadwell-spring-2026-gaps.csv"
    assert export_filename(results, "csv") == "leadwell-spring-2026-results.zip"
    assert content_type("xlsx").endswith("spreadsheetml.sheet")


def test_the_zip_of_csvs_has_a_readme_and_private_file_modes(results):
    archive = zipfile.ZipFile(io.BytesIO(export_bytes(results, "csv")))
    assert archive.namelist() == [f"{t}.csv" for t in TABLES[:-1]]
    assert archive.testzip() is None
    assert all(info.external_attr >> 16 == 0o600 for info in archive.infolist())
    readme = records(csv_tables(export_bytes(results, "csv"))["readme"])
    described = {(r["table"], r["column"]) for r in readme}
    assert ("figures", "sd") in described
    assert ("export", "anonymity") in described
    assert ("responses", "group") not in described  # not asked for, not described


def test_a_table_longer_than_a_sheet_goes_on_in_further_sheets(results, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 5)  # Excel's is 1,048,576: 4 data rows a sheet here
    sheets = xlsx_sheets(export_bytes(results, "xlsx", tables=["responses"], raw=True))
    names = [n for n in sheets if n.startswith("responses")]
    assert names == ["responses", "responses (2)", "responses (3)"]  # 12 rows: 4 + 4 + 4
    assert [len(sheets[n]) for n in names] == [5, 5, 5]
    header = sheets["responses"][0]
    assert all(sheets[n][0] == header for n in names)
    joined = [row for n in names for row in sheets[n][1:]]
    assert [row[0] for row in joined] == list(range(1, 13))
    monkeypatch.setattr(xlsx, "MAX_ROWS", 13)  # exactly header + 12 rows: one sheet
    sheets = xlsx_sheets(export_bytes(results, "xlsx", tables=["responses"], raw=True))
    assert [n for n in sheets if n.startswith("responses")] == ["responses"]


def test_text_xml_cannot_hold_is_dropped_and_long_text_is_cut(results, respond):
    from leadwell.cycles.models import Assessment

    lee = Assessment.objects.get(cycle=results, leader__name="Lee")
    respond(lee, "peer", lambda i: 3, {"stop": "bell\x07 <b>&" + "x" * 40_000})
    sheets = xlsx_sheets(export_bytes(results, "xlsx", tables=["comments"]))
    texts = [row[3] for row in sheets["comments"][1:] if row[2] == "stop"]
    assert len(texts) == 1
    assert texts[0].startswith("bell <b>&xxx")
    assert len(texts[0]) == xlsx.CELL_LIMIT
