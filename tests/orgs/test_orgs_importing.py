"""Reading people files and checking their rows: no database needed.

Every bad-row reason is checked with its row number (the header is row 1, as a spreadsheet
shows it), CSV dialects (BOM, semicolons) and XLSX give the same rows, and the preview says
exactly which fields of which people change.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from leadwell.orgs.importing import (
    MAX_ROWS,
    Change,
    ExistingPerson,
    ImportFileError,
    ImportRow,
    pack_people_file,
    preview_import,
    read_people_file,
    unpack_people_file,
)

HEADER = "name,email,unit,level,manager_email"
ROWS = [
    "Maria Garcia,Maria@Acme.example,Operations,director,",
    "Lee Chen,lee@acme.example,Operations,manager,maria@acme.example",
    "Dana Okafor,dana@acme.example,Operations,staff,LEE@acme.example",
]


def csv_bytes(*lines: str, sep: str = ",", bom: bool = False) -> bytes:
    text = "\n".join(line.replace(",", sep) for line in lines) + "\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def xlsx_bytes(*rows: list[object]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def existing(email: str, name: str, *, unit="", level="", manager="", active=True, pk=1):
    return {
        email: ExistingPerson(
            id=pk,
            email=email,
            name=name,
            unit=unit,
            unit_id=None,
            level=level,
            manager_email=manager,
            manager_id=None,
            is_active=active,
        )
    }


def reasons(lines: list[str], known=None, header: str = HEADER) -> dict[int, str]:
    rows = read_people_file(csv_bytes(header, *lines)).rows
    preview = preview_import(rows, known or {}, org_name="Acme")
    return {bad.row: bad.reason for bad in preview.bad}


# -- reading ------------------------------------------------------------------------------------


def test_csv_rows_are_numbered_as_in_a_spreadsheet_and_emails_lower_cased():
    people = read_people_file(csv_bytes(HEADER, *ROWS))
    assert [row.row for row in people.rows] == [2, 3, 4]
    assert people.rows[0] == ImportRow(
        2, "Maria Garcia", "maria@acme.example", "Operations", "director", ""
    )
    assert people.rows[2].manager_email == "lee@acme.example"
    assert people.columns == ("name", "email", "unit", "level", "manager_email")


@pytest.mark.parametrize(("sep", "bom"), [(";", False), (";", True), (",", True), ("\t", False)])
def test_semicolons_tabs_and_a_byte_order_mark_read_the_same_rows(sep, bom):
    plain = read_people_file(csv_bytes(HEADER, *ROWS)).rows
    assert read_people_file(csv_bytes(HEADER, *ROWS, sep=sep, bom=bom)).rows == plain


def test_xlsx_reads_the_same_rows_as_csv_with_numbers_as_text():
    cells = [line.split(",") for line in (HEADER, *ROWS)]
    cells[1][3] = 3.0  # a level typed as a number in Excel
    people = read_people_file(xlsx_bytes(*cells), "people.xlsx")
    assert people.rows[0].level == "3"
    assert people.rows[1:] == read_people_file(csv_bytes(HEADER, *ROWS)).rows[1:]


def test_xlsx_row_numbers_count_the_empty_rows_a_spreadsheet_shows():
    data = xlsx_bytes(
        ["Name", "Email"], ["Ana", "ana@acme.example"], [None, None], ["Ben", "ben@acme.example"]
    )
    assert [row.row for row in read_people_file(data).rows] == [2, 4]


@pytest.mark.parametrize(
    ("header", "attribute"),
    [
        ("Name,Email,Manager Email", "manager_email"),
        ("NAME,EMAIL,manager", "manager_email"),
        ("name,email,MANAGER_EMAIL", "manager_email"),
        ("name,E-mail,manager-email", "manager_email"),
        ("Name, Email , Level ", "level"),
    ],
)
def test_header_names_are_read_in_any_case_with_the_accepted_aliases(header, attribute):
    people = read_people_file(csv_bytes(header, "Ana,Ana@Acme.example,Boss@Acme.example"))
    assert people.rows[0].email == "ana@acme.example"
    expected = "boss@acme.example" if attribute == "manager_email" else "Boss@Acme.example"
    assert getattr(people.rows[0], attribute) == expected


def test_absent_columns_are_none_and_empty_cells_are_empty_strings():
    people = read_people_file(csv_bytes("email,name,level,notes", "a@acme.example,Ana,,hi"))
    row = people.rows[0]
    assert (row.unit, row.level, row.manager_email) == (None, "", None)
    assert people.ignored == ("notes",)
    assert people.columns == ("name", "email", "level")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"name,unit\nAna,Ops\n", "missing: email"),
        (b"name,email\n", "no people"),
        (b"name,email,Email\nAna,a@x.io,b@x.io\n", "twice"),
        ("name,email\nJosé,j@x.io\n".encode("latin-1"), "not UTF-8"),
        (b"PK\x03\x04not really a zip", "cannot be opened"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", ".xls"),
    ],
)
def test_unreadable_files_say_what_to_do(data, message):
    with pytest.raises(ImportFileError, match=message):
        read_people_file(data)


def test_a_file_over_the_row_limit_is_refused():
    lines = [f"P{i},p{i}@x.io" for i in range(MAX_ROWS + 1)]
    with pytest.raises(ImportFileError, match="more than 50,000"):
        read_people_file(csv_bytes("name,email", *lines))


def test_a_parsed_file_survives_the_trip_through_the_session():
    people = read_people_file(csv_bytes("name,email,level", "Ana,a@x.io,", "Ben,b@x.io,2"))
    blob, digest = pack_people_file(people)
    assert unpack_people_file(blob) == people
    assert len(digest) == 64
    assert pack_people_file(unpack_people_file(blob))[1] == digest


# -- checking -----------------------------------------------------------------------------------


def test_every_bad_row_is_listed_with_its_row_number_and_reason():
    found = reasons(
        [
            "Ana,ana@acme.example,Ops,staff,",  # row 2: fine
            ",nobody@acme.example,Ops,staff,",  # row 3
            "Ben,,Ops,staff,",  # row 4
            "Cy,not-an-email,Ops,staff,",  # row 5
            "Ana Again,ANA@acme.example,Ops,staff,",  # row 6
            "Dee,dee@acme.example,Ops,staff,ghost@acme.example",  # row 7
            "Eve,eve@acme.example,Ops,staff,eve@acme.example",  # row 8
            "Fay,fay@acme.example,Ops,staff,boss at acme",  # row 9
        ]
    )
    assert set(found) == {3, 4, 5, 6, 7, 8, 9}
    assert found[3] == "missing name"
    assert found[4] == "missing email"
    assert found[5] == "bad email “not-an-email”"
    assert found[6] == "duplicate email: ana@acme.example is also on row 2"
    assert found[7] == "unknown manager ghost@acme.example: not in the file nor already in Acme"
    assert found[8] == "a person cannot be their own manager"
    assert found[9] == "bad manager email “boss at acme”"


def test_a_row_with_several_problems_lists_them_all():
    assert reasons([",,Ops,staff,ghost@acme.example"]) == {
        2: "missing name; missing email; unknown manager ghost@acme.example: "
        "not in the file nor already in Acme"
    }


def test_a_manager_already_in_the_organization_is_known():
    known = existing("boss@acme.example", "Boss")
    assert reasons(["Ana,ana@acme.example,,,boss@acme.example"], known) == {}


def test_a_two_person_manager_loop_marks_both_rows():
    found = reasons(["Ana,a@x.io,,,b@x.io", "Ben,b@x.io,,,a@x.io", "Cy,c@x.io,,,a@x.io"])
    assert found == {
        2: "manager loop: a@x.io → b@x.io → a@x.io",
        3: "manager loop: b@x.io → a@x.io → b@x.io",
    }


def test_a_long_manager_loop_is_found_and_people_below_it_are_not_blamed():
    lines = [f"P{i},p{i}@x.io,,,p{(i + 1) % 8}@x.io" for i in range(8)]
    lines.append("Below,below@x.io,,,p0@x.io")
    found = reasons(lines)
    assert sorted(found) == list(range(2, 10))  # the 8 in the loop, not "Below" on row 10
    assert all(reason.startswith("manager loop: ") and "…" in reason for reason in found.values())


def test_a_loop_through_someone_already_in_the_organization_is_found():
    # Boss (in the org, not in the file) reports to Ana; the file makes Ana report to Boss.
    known = existing("boss@x.io", "Boss", manager="ana@x.io")
    found = reasons(["Ana,ana@x.io,,,boss@x.io"], known)
    assert found == {2: "manager loop: ana@x.io → boss@x.io → ana@x.io"}


def test_a_file_without_a_manager_column_keeps_the_current_chart_and_finds_no_loop():
    known = existing("boss@x.io", "Boss", manager="ana@x.io")
    assert reasons(["Ana,ana@x.io"], known, header="name,email") == {}


def test_the_preview_sorts_rows_into_new_updated_and_unchanged_with_each_change():
    known = {
        **existing("ana@x.io", "Ana", unit="Ops", level="staff", pk=1),
        **existing("ben@x.io", "Ben", unit="Ops", level="staff", manager="ana@x.io", pk=2),
        **existing("cy@x.io", "Cy", unit="Ops", level="staff", active=False, pk=3),
    }
    rows = read_people_file(
        csv_bytes(
            HEADER,
            "Ana,ana@x.io,ops,staff,",  # unit differs only in case: unchanged
            "Benjamin,ben@x.io,Sales,manager,",  # name, unit, level, manager change
            "Cy,cy@x.io,Ops,staff,",  # was inactive: comes back
            "Dee,dee@x.io,Ops,staff,ben@x.io",  # new
        )
    ).rows
    preview = preview_import(rows, known)
    assert [row.email for row in preview.unchanged] == ["ana@x.io"]
    assert [row.email for row in preview.new] == ["dee@x.io"]
    changes = {item.row.email: item.changes for item in preview.updated}
    assert changes["ben@x.io"] == (
        Change("name", "Ben", "Benjamin"),
        Change("unit", "Ops", "Sales"),
        Change("level", "staff", "manager"),
        Change("manager", "ana@x.io", ""),
    )
    assert changes["cy@x.io"] == (Change("status", "inactive", "active"),)
    assert preview.ok
    assert preview.total == 4
