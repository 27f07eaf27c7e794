"""The organization pages through the test client: people list, upload, preview, confirm.

Nothing is written by an upload or a preview; confirm writes all or nothing; every page has one
<h1> and a label for each input; nobody sees another organization's people.
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, reverse
from openpyxl import Workbook

from leadwell.orgs import urls as org_urls
from leadwell.orgs.models import Person, Role, Unit

PASSWORD = "a-long-test-password"
GOOD = "name;email;unit;level;manager email\nZoe;zoe@acme.example;Labs;staff;lee@acme.example\n"
BAD = (
    "name,email,unit,level,manager_email\n"
    "Zoe,zoe@acme.example,Labs,staff,lee@acme.example\n"
    "Yan,,Labs,staff,\n"
    "Xu,xu@acme.example,Labs,staff,nobody@acme.example\n"
)


class _Page(HTMLParser):
    """Headings, form controls and the ids that labels point at."""

    def __init__(self) -> None:
        super().__init__()
        self.h1 = 0
        self.controls: list[dict[str, str | None]] = []
        self.label_for: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "h1":
            self.h1 += 1
        elif tag == "label" and attributes.get("for"):
            self.label_for.add(attributes["for"] or "")
        elif tag in ("input", "select", "textarea") and attributes.get("type") not in (
            "hidden",
            "submit",
            "button",
        ):
            self.controls.append(attributes)


def assert_accessible_basics(response) -> None:
    page = _Page()
    page.feed(response.content.decode())
    assert page.h1 == 1, "a page has exactly one <h1>"
    for control in page.controls:
        assert control.get("id") in page.label_for or control.get("aria-label"), control


def row_names(body: str) -> list[str]:
    return re.findall(r'<th scope="row">([^<]+?)\s*(?:<|$)', body)


def upload(client, text: str | bytes, name: str = "people.csv"):
    data = text.encode() if isinstance(text, str) else text
    return client.post(reverse("orgs:import"), {"file": SimpleUploadedFile(name, data)})


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_the_people_list_shows_the_chart_and_searches_by_name(admin_client, people):
    response = admin_client.get(reverse("orgs:people"))
    assert response.status_code == 200
    body = response.content.decode()
    for name in ("Maria", "Lee", "Dana", "Operations", "lee@acme.example"):
        assert name in body
    assert_accessible_basics(response)
    found = admin_client.get(reverse("orgs:people"), {"q": "an"}).content.decode()
    assert row_names(found) == ["Ana", "Dana"]


def test_the_people_list_is_paginated(admin_client, org):
    Person.objects.bulk_create(
        Person(organization=org, name=f"Person {i:03}", email=f"p{i}@acme.example")
        for i in range(120)
    )
    first = admin_client.get(reverse("orgs:people")).content.decode()
    third = admin_client.get(reverse("orgs:people"), {"page": 3}).content.decode()
    assert "Person 000" in first
    assert "Person 050" not in first
    assert "Person 119" in third
    assert "Page 3 of 3" in third


def test_upload_and_preview_write_nothing_until_confirmed(admin_client, org, people):
    before = Person.objects.count()
    response = upload(admin_client, GOOD)
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:import_preview")
    preview = admin_client.get(reverse("orgs:import_preview"))
    body = preview.content.decode()
    assert "zoe@acme.example" in body
    assert "Labs" in body
    assert "Nothing has been saved yet" in body
    assert_accessible_basics(preview)
    assert Person.objects.count() == before
    assert not Unit.objects.filter(name="Labs").exists()

    digest = preview.context["form"].initial["digest"]
    done = admin_client.post(reverse("orgs:import_confirm"), {"digest": digest}, follow=True)
    assert "1 new, 0 updated" in done.content.decode()
    zoe = Person.objects.get(organization=org, email="zoe@acme.example")
    assert (zoe.unit.name, zoe.level, zoe.manager) == ("Labs", "staff", people["Lee"])


def test_a_preview_lists_bad_rows_with_numbers_and_offers_no_confirm(admin_client, people):
    upload(admin_client, BAD)
    response = admin_client.get(reverse("orgs:import_preview"))
    body = response.content.decode()
    assert re.search(r"<td class=\"num\">3</td>.*?missing email", body, re.S)
    assert re.search(r"<td class=\"num\">4</td>.*?unknown manager nobody@acme.example", body, re.S)
    assert reverse("orgs:import_confirm") not in body
    csv_rows = admin_client.get(reverse("orgs:import_bad_rows")).content.decode().splitlines()
    assert csv_rows[0] == "row,name,email,problem"
    assert [line.split(",")[0] for line in csv_rows[1:]] == ["3", "4"]
    digest = response.context["form"].initial["digest"]
    admin_client.post(reverse("orgs:import_confirm"), {"digest": digest})
    assert not Person.objects.filter(email="zoe@acme.example").exists()


def test_an_xlsx_upload_previews_like_a_csv(admin_client, people):
    book = Workbook()
    for row in (["Name", "Email", "Level"], ["Zoe", "zoe@acme.example", "staff"]):
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    upload(admin_client, buffer.getvalue(), "people.xlsx")
    body = admin_client.get(reverse("orgs:import_preview")).content.decode()
    assert "zoe@acme.example" in body
    assert "1 new person" in body


def test_an_unreadable_file_is_explained_on_the_upload_page(admin_client):
    response = upload(admin_client, "first,last\nAna,Silva\n")
    assert response.status_code == 200
    assert "at least the columns name and email" in response.content.decode()
    assert_accessible_basics(response)


def test_confirm_checks_the_database_again(admin_client, org, people):
    upload(admin_client, GOOD)
    digest = admin_client.get(reverse("orgs:import_preview")).context["form"].initial["digest"]
    people["Lee"].delete()  # the manager the file names disappears between preview and confirm
    response = admin_client.post(reverse("orgs:import_confirm"), {"digest": digest}, follow=True)
    assert "cannot be imported" in response.content.decode()
    assert "unknown manager lee@acme.example" in response.content.decode()
    assert not Person.objects.filter(email="zoe@acme.example").exists()


def test_a_stale_preview_cannot_confirm_another_file(admin_client, people):
    upload(admin_client, GOOD)
    old = admin_client.get(reverse("orgs:import_preview")).context["form"].initial["digest"]
    upload(admin_client, GOOD.replace("Zoe;zoe", "Yan;yan"))
    response = admin_client.post(reverse("orgs:import_confirm"), {"digest": old}, follow=True)
    assert "out of date" in response.content.decode()
    assert not Person.objects.filter(email__in=["zoe@acme.example", "yan@acme.example"]).exists()


def test_the_upload_page_explains_the_columns_and_serves_a_sample(admin_client):
    response = admin_client.get(reverse("orgs:import"))
    body = response.content.decode()
    assert 'type="file"' in body
    assert "manager_email" in body
    assert_accessible_basics(response)
    sample = admin_client.get(reverse("orgs:import_sample"))
    assert sample["Content-Type"].startswith("text/csv")
    assert sample.content.decode().splitlines()[0] == "name,email,unit,level,manager_email"


# -- who may see what ---------------------------------------------------------------------------


def _org_urls() -> list[str]:
    names = [p.name for p in org_urls.urlpatterns if isinstance(p, URLPattern)]
    return [reverse(f"orgs:{name}") for name in names]


def test_every_orgs_page_is_404_for_a_signed_in_user_without_a_role(client, org, people):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user("nobody", "n@example.com", PASSWORD)
    client.force_login(nobody)
    for url in _org_urls():
        # Each page answers 404 to the method it serves (and 405 to the other).
        answers = {client.get(url).status_code, client.post(url).status_code}
        assert 404 in answers, url
        assert answers <= {404, 405}, url


def test_import_pages_are_404_for_a_leader(client, leader):
    client.force_login(leader.user)
    assert client.get(reverse("orgs:people")).status_code == 200
    for url in _org_urls():
        if url != reverse("orgs:people"):
            assert client.get(url).status_code in (404, 405), url


def test_anonymous_visitors_are_sent_to_sign_in(client, org):
    for url in _org_urls():
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url


def test_the_outsider_never_sees_acmes_people(client, outsider, people, other_org):
    client.force_login(outsider)
    body = client.get(reverse("orgs:people")).content.decode()
    assert "People in Globex" in body
    for person in people.values():
        assert person.email not in body
    assert row_names(body) == []
    assert row_names(client.get(reverse("orgs:people"), {"q": "Maria"}).content.decode()) == []
    # A file naming Acme's people previews them as new to Globex: nothing about Acme leaks,
    # and confirming creates Globex's own people.
    upload(client, "name,email,manager\nLee Other,lee@acme.example,maria@acme.example\n")
    body = client.get(reverse("orgs:import_preview")).content.decode()
    assert "unknown manager maria@acme.example: not in the file nor already in Globex" in body
    upload(client, "name,email\nLee Other,lee@acme.example\n")
    preview = client.get(reverse("orgs:import_preview"))
    assert "1 new person" in preview.content.decode()
    client.post(
        reverse("orgs:import_confirm"), {"digest": preview.context["form"].initial["digest"]}
    )
    assert Person.objects.get(organization=other_org, email="lee@acme.example").name == "Lee Other"
    assert (
        Person.objects.get(organization=people["Lee"].organization, email="lee@acme.example").name
        == "Lee"
    )


def test_a_pending_import_does_not_follow_a_user_into_another_organization(
    client, admin, org, other_org, people
):
    client.force_login(admin)
    upload(client, GOOD)
    digest = client.get(reverse("orgs:import_preview")).context["form"].initial["digest"]
    Role.objects.filter(user=admin).update(organization=other_org)
    response = client.post(reverse("orgs:import_confirm"), {"digest": digest})
    assert response.status_code == 302
    assert not Person.objects.filter(email="zoe@acme.example").exists()
