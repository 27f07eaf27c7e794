"""People through the API: lists with filters and pages, one person added or changed, and a
whole list synced by email with the import's own rules and messages, all or nothing."""

from __future__ import annotations

from api_helpers import error_of

from leadwell.orgs.models import LevelChange, Person


def test_filters_narrow_the_list(api, people):
    Person.objects.filter(pk=people["Fay"].pk).update(is_active=False)

    def names(**filters):
        return [p["name"] for p in api.get("people", **filters).json()["items"]]

    assert names(email="LEE@acme.example") == ["Lee"]
    assert names(level="staff") == ["Dana", "Eli", "Fay"]
    assert names(level="staff", active="false") == ["Fay"]
    assert names(unit="operations", q="an") == ["Ana", "Dana"]  # in the name or the email
    assert names(q="ben acme") == ["Ben"]
    assert names(unit="Sales") == []


def test_pages_follow_next_until_the_end(api, people):
    first = api.get("people", limit=3, level="staff").json()
    assert first["count"] == 3
    assert first["next"] is None
    seen, url, pages = [], "/api/people?limit=3", 0
    while url:
        page = api.get(url.replace("http://testserver", "")).json()
        assert page["count"] == len(people)
        seen += [p["name"] for p in page["items"]]
        url, pages = page["next"], pages + 1
    assert pages == 3  # 8 people, 3 a page
    assert seen == sorted(p.name for p in people.values())


def test_a_person_is_added_once(api, people):
    made = api.post(
        "people",
        {
            "name": " Gus ",
            "email": "Gus@Acme.example",
            "unit": "Sales",
            "manager_email": "LEE@acme.example",
        },
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert (body["name"], body["email"], body["unit"]) == ("Gus", "gus@acme.example", "Sales")
    assert body["manager_id"] == people["Lee"].pk
    assert body["active"] is True
    again = error_of(api.post("people", {"name": "Gus", "email": "gus@acme.example"}), 409)
    assert f"(person {body['id']})" in again["message"]
    assert Person.objects.filter(email="gus@acme.example").count() == 1


def test_a_bad_person_gets_the_imports_message(api, people):
    error = error_of(
        api.post("people", {"name": "", "email": "nope", "manager_email": "x@acme.example"}), 422
    )
    (row,) = error["details"]["rows"]
    assert row["problems"] == [
        "missing name",
        "bad email “nope”",
        "unknown manager x@acme.example: not in the file nor already in Acme",
    ]


def test_patch_changes_only_the_fields_sent_and_records_the_level(api, people):
    lee = people["Lee"]
    changed = api.patch(f"people/{lee.pk}", {"level": "director", "unit": None})
    assert changed.status_code == 200, changed.content
    body = changed.json()
    assert body["level"] == "director"
    assert body["unit"] is None
    assert body["name"] == "Lee"
    assert body["manager_id"] == people["Maria"].pk
    change = LevelChange.objects.get(person=lee)
    assert (change.level_before, change.level_after) == ("manager", "director")
    loop = error_of(
        api.patch(f"people/{people['Maria'].pk}", {"manager_email": "dana@acme.example"}), 422
    )
    assert loop["details"]["rows"][0]["problems"][0].startswith("manager loop: maria@acme.example")
    assert error_of(api.patch("people/1", {"email": "x@y.example"}), 422)["code"] == "invalid"


def test_sync_creates_and_updates_by_email_and_counts(api, people):
    result = api.post(
        "people/sync",
        {
            "people": [
                {"name": "Lee", "email": "lee@acme.example", "level": "director"},
                {"name": "Maria", "email": "maria@acme.example"},
                {
                    "name": "Gus",
                    "email": "gus@acme.example",
                    "unit": "Sales",
                    "manager_email": "lee@acme.example",
                },
            ]
        },
    )
    assert result.status_code == 200, result.content
    assert result.json() == {
        "created": 1,
        "updated": 1,
        "unchanged": 1,
        "units_created": 1,
        "level_changes": 1,
    }
    gus = Person.objects.get(email="gus@acme.example")
    assert gus.manager == people["Lee"]
    assert gus.unit.name == "Sales"
    assert Person.objects.get(pk=people["Lee"].pk).level == "director"


def test_sync_is_all_or_nothing(api, people):
    before = sorted(Person.objects.values_list("email", "name", "level", "manager_id"))
    response = api.post(
        "people/sync",
        {
            "people": [
                {"name": "Lee Renamed", "email": "lee@acme.example", "level": "vp"},
                {"name": "Gus", "email": "gus@acme.example"},
                {"name": "Hal", "email": "gus@acme.example"},
                {
                    "name": "Ivy",
                    "email": "ivy@acme.example",
                    "manager_email": "nobody@acme.example",
                },
            ]
        },
    )
    error = error_of(response, 422)
    assert "nothing was imported" in error["message"]
    assert [(r["row"], r["problems"]) for r in error["details"]["rows"]] == [
        (3, ["duplicate email: gus@acme.example is also on row 2"]),
        (4, ["unknown manager nobody@acme.example: not in the file nor already in Acme"]),
    ]
    after = sorted(Person.objects.values_list("email", "name", "level", "manager_id"))
    assert after == before
    assert not LevelChange.objects.exists()


def test_sync_gives_the_same_messages_as_the_csv_import(api, people, org):
    """The same people as a CSV file, through the file reader and the import preview the
    upload page uses: the bad rows and their reasons match the API's, row for row (the file's
    row numbers count its header as row 1, the API's count the list from 1)."""
    from leadwell.orgs.importing import read_people_file
    from leadwell.orgs.selectors import people_import_preview

    rows = [
        ("Zoe", "zoe@acme.example", "maria@acme.example"),
        ("", "not-an-email", ""),
        ("Maria", "maria@acme.example", "zoe@acme.example"),
        ("Zed", "zed@acme.example", "zed@acme.example"),
    ]
    csv = "name,email,manager_email\n" + "".join(f"{n},{e},{m}\n" for n, e, m in rows)
    people_file = read_people_file(csv.encode())
    preview = people_import_preview(org=org, rows=people_file.rows, columns=people_file.columns)
    from_file = [(bad.row - 1, list(bad.reasons)) for bad in preview.bad]

    body = {"people": [{"name": n, "email": e, "manager_email": m} for n, e, m in rows]}
    error = error_of(api.post("people/sync", body), 422)
    from_api = [(r["row"], r["problems"]) for r in error["details"]["rows"]]
    assert from_api == from_file
    assert len(from_api) == 4  # a loop of Zoe and Maria, a bad row, a self-manager


def test_an_empty_sync_is_refused(api):
    assert error_of(api.post("people/sync", {"people": []}), 422)["code"] == "invalid"
