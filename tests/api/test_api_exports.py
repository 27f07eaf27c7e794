"""Exports through the API: streamed results, background files, the anonymity rule, refusals."""

from __future__ import annotations

import csv
import io
import typing
import zipfile

import pytest
from api_helpers import error_of

from leadwell.api.routers.exports import TableName
from leadwell.exports.tables import TABLE_NAMES

pytestmark = pytest.mark.django_db


@pytest.fixture
def exports_dir(settings, tmp_path):
    settings.LEADWELL_EXPORTS_DIR = tmp_path / "exports"
    return settings.LEADWELL_EXPORTS_DIR


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_the_api_offers_exactly_the_export_tables():
    assert set(typing.get_args(TableName)) == set(TABLE_NAMES)


def test_results_stream_as_json_with_the_reports_figures_and_no_min_or_max(api, closed_assessment):
    response = api.get(f"cycles/{closed_assessment.cycle_id}/results")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = __import__("json").loads(_body(response))
    figures = document["tables"]["figures"]
    assert figures, "no figures"
    assert {"min", "max"}.isdisjoint(figures[0])
    # Two direct reports (< k = 3) fold into "others", and the peers with them (rule 3).
    groups = {row["group"] for row in figures}
    assert groups.isdisjoint({"direct", "peer"})
    assert {"self", "manager", "all_others"} <= groups
    assert "responses" not in document["tables"]


def test_one_table_as_csv_is_a_plain_csv_and_several_are_a_zip(api, closed_assessment):
    cycle = closed_assessment.cycle_id
    one = api.get(f"cycles/{cycle}/results", format="csv", tables="gaps")
    rows = list(csv.reader(io.StringIO(_body(one).decode("utf-8-sig"))))
    assert one["Content-Type"].startswith("text/csv")
    assert rows[0][:2] == ["assessment", "leader"] or "facet" in rows[0]

    several = api.get(f"cycles/{cycle}/results", format="csv")
    assert several["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(_body(several))).namelist()
    assert {"readme.csv", "figures.csv", "comments.csv"} <= set(names)


def test_raw_responses_need_raw_and_carry_the_group_as_shown(api, closed_assessment):
    cycle = closed_assessment.cycle_id
    refused = api.get(f"cycles/{cycle}/results", format="csv", tables="responses")
    assert "raw" in error_of(refused, 422)["message"]

    allowed = api.get(f"cycles/{cycle}/results", format="csv", tables="responses", raw="true")
    rows = list(csv.DictReader(io.StringIO(_body(allowed).decode("utf-8-sig"))))
    # Two direct reports (1 to k-1): their rows could be picked out, so no anonymous row.
    assert sorted(row["group"] for row in rows) == ["manager", "self"]


def test_nothing_is_exported_while_the_cycle_is_open(api, closed_assessment, exports_dir):
    cycle = closed_assessment.cycle
    cycle.status = "open"
    cycle.save(update_fields=["status"])

    assert "closed" in error_of(api.get(f"cycles/{cycle.pk}/results"), 409)["message"]
    assert "closed" in error_of(api.post(f"cycles/{cycle.pk}/exports", {}), 409)["message"]


def test_a_background_export_reports_progress_and_is_downloaded(
    api, closed_assessment, exports_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        made = api.post(f"cycles/{closed_assessment.cycle_id}/exports", {"format": "xlsx"})
    assert made.status_code == 202, made.content
    export_id = made.json()["id"]

    status = api.get(f"exports/{export_id}").json()
    assert status["status"] == "done"
    assert status["progress"] == status["total"] > 0
    file = api.get(status["download"])
    assert file.status_code == 200
    content = _body(file)
    assert content[:2] == b"PK"
    assert len(content) == status["size"]


def test_a_file_that_is_not_ready_is_409(api, closed_assessment, exports_dir):
    made = api.post(f"cycles/{closed_assessment.cycle_id}/exports", {"format": "json"})
    # Outside on_commit capture the task never ran: the export is still queued.
    assert "queued" in error_of(api.get(f"exports/{made.json()['id']}/file"), 409)["message"]


def test_another_organizations_exports_are_404(
    api, other_key, client, foreign, outsider, exports_dir
):
    from api_helpers import Api

    from leadwell.cycles.models import Cycle
    from leadwell.exports.services import export_start

    theirs = Cycle.objects.get(pk=foreign["cycle_id"])
    export = export_start(cycle=theirs, fmt="json", raw=False, actor=outsider)

    error_of(api.get(f"exports/{export.pk}"), 404)
    error_of(api.get(f"exports/{export.pk}/file"), 404)
    error_of(api.get(f"cycles/{theirs.pk}/results"), 404)
    assert Api(client, other_key).get(f"exports/{export.pk}").status_code == 200
