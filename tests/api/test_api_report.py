"""A leader's report through the API: refused while answers can still arrive, then the same
report object as the report page, under the anonymity contract, and logged."""

from __future__ import annotations

import json
import statistics

import pytest
from api_helpers import error_of
from django.utils import timezone

from leadwell.cycles.answers import cycle_instrument
from leadwell.cycles.models import Cycle
from leadwell.reports.models import ReportView

SHIFTS = {"self": [0], "manager": [1], "others": [2, 3, 4, 5, 6], "all_others": [1, 2, 3, 4, 5, 6]}


def _facet_scores(assessment, facet: str, shifts: list[int]) -> list[float]:
    """Each rater's facet score by hand: rater r answers item i with 2 + (i + r) % 4 (the
    ``closed_assessment`` fixture), so a facet score is the mean over the facet's items."""
    items = [
        i for i, item in enumerate(cycle_instrument(assessment.cycle).items) if item.facet == facet
    ]
    return [statistics.mean(2 + (i + r) % 4 for i in items) for r in shifts]


def _keys(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


@pytest.mark.parametrize("status", [Cycle.DRAFT, Cycle.NOMINATING, Cycle.OPEN])
def test_the_report_is_refused_while_answers_can_arrive(api, closed_assessment, status):
    Cycle.objects.filter(pk=closed_assessment.cycle_id).update(status=status)
    error = error_of(api.get(f"assessments/{closed_assessment.pk}/report"), 409)
    assert error["code"] == "conflict"
    assert error["message"] == (
        f"The report is not available yet: “Autumn 2025” is {status}. "
        "Reports open once the cycle is closed."
    )
    assert not ReportView.objects.exists()


@pytest.mark.parametrize("status", [Cycle.CLOSED, Cycle.RELEASED])
def test_after_closing_the_report_gives_the_figures_the_answers_make(
    api, closed_assessment, status
):
    Cycle.objects.filter(pk=closed_assessment.cycle_id).update(
        status=status, released_at=timezone.now()
    )
    response = api.get(f"assessments/{closed_assessment.pk}/report")
    assert response.status_code == 200, response.content[:300]
    assert response["Cache-Control"] == "private, no-store"
    report = response.json()
    assert (report["leader"], report["cycle"], report["sufficient"]) == ("Lee", "Autumn 2025", True)
    assert report["counts"] == {"self": 1, "manager": 1, "peer": 3, "direct": 2, "other": 0}
    for facet in ("M1", "L5"):
        (row,) = [f for f in report["facets"] if f["id"] == facet]
        cells = {c["group"]: c for c in row["cells"]}
        for group, shifts in SHIFTS.items():
            scores = _facet_scores(closed_assessment, facet, shifts)
            assert cells[group]["n"] == len(scores)
            assert cells[group]["mean"] == pytest.approx(statistics.mean(scores), abs=1e-12)
        assert cells["all_others"]["sd"] == pytest.approx(
            statistics.stdev(_facet_scores(closed_assessment, facet, SHIFTS["all_others"])),
            abs=1e-12,
        )


def test_the_report_follows_the_anonymity_contract(api, closed_assessment):
    report = api.get(f"assessments/{closed_assessment.pk}/report").json()
    # Two direct reports are fewer than k = 3: they are folded with the peers into "others"
    # (MODEL.md, rule 3), so neither group is shown on its own anywhere.
    shown = {
        c["group"]
        for block in ("axes", "facets", "outcomes")
        for row in report[block]
        for c in row["cells"]
    }
    assert shown == {"all_others", "self", "manager", "others"}
    assert not {"min", "max"} & _keys(report)
    assert report["settings"]["k"] == 3
    # Comments: pooled and unattributed, only their text.
    pooled = [t for block in report["comments"] for t in block["texts"]]
    assert sorted(pooled) == [f"Keep going {r}" for r in (2, 3, 4, 5, 6)]
    assert all(set(block) == {"question", "texts"} for block in report["comments"])


def test_too_few_anonymous_raters_show_no_anonymous_figure_and_no_comment(api, closed_assessment):
    from leadwell.cycles.models import Response

    Response.objects.filter(assessment=closed_assessment, group="peer").delete()
    report = api.get(f"assessments/{closed_assessment.pk}/report").json()
    assert report["quadrant"] == "insufficient"
    assert report["sufficient"] is False
    shown = {c["group"] for row in report["facets"] for c in row["cells"]}
    assert shown == {"self", "manager"}
    assert report["comments"] is None
    assert "Keep going" not in json.dumps(report)


def test_each_opening_is_written_to_the_report_log(api, closed_assessment, admin):
    api.get(f"assessments/{closed_assessment.pk}/report")
    api.get(f"assessments/{closed_assessment.pk}/report")
    views = list(ReportView.objects.values_list("viewer", "role", "format", "assessment"))
    assert views == [(admin.pk, "admin", "api", closed_assessment.pk)] * 2
