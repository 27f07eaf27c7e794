"""The anonymity contract holds in every export: only what scoring shows, no min or max, raw
rows with the group as shown and nothing that identifies a rater, comments only where shown."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
from export_helpers import csv_tables, export_bytes, json_tables, records, xlsx_sheets

from leadwell.cycles.answers import cycle_instrument
from leadwell.cycles.models import Cycle, Response
from leadwell.exports.writers import ExportError, stream_cycle
from leadwell.scoring.reference import reference_figures


def _leader_rows(rows: list[dict[str, str]], name: str) -> list[dict[str, str]]:
    return [row for row in rows if row["leader"] == name]


def test_no_export_has_a_min_or_max_column(results):
    tables = csv_tables(export_bytes(results, "csv", raw=True))
    sheets = xlsx_sheets(export_bytes(results, "xlsx", raw=True))
    document = json_tables(export_bytes(results, "json", raw=True))
    headers = [rows[0] for rows in tables.values()] + [rows[0] for rows in sheets.values()]
    headers += [list(rows[0]) for rows in document["tables"].values() if rows]
    assert len(headers) == 18  # six tables in three formats
    for header in headers:
        assert not {"min", "max", "low", "high"} & set(header), header
    assert tables["figures"][0] == ["assessment", "leader", "figure", "group", "n", "mean", "sd"]


def test_figures_are_those_an_independent_computation_shows(results):
    """Every exported figure row equals the shown figure of scoring.reference (a plain pandas
    implementation of MODEL.md's contract sharing no code with the engine), and no other."""
    instrument = cycle_instrument(results)
    stored = Response.objects.filter(assessment__cycle=results).values_list(
        "assessment_id", "group", "answers"
    )
    frame = pd.DataFrame(
        [
            {"assessment": a, "group": g, **dict(zip(instrument.item_ids, bytes(b), strict=True))}
            for a, g, b in stored
        ]
    )
    frame[list(instrument.item_ids)] = frame[list(instrument.item_ids)].replace(0, np.nan)
    expected = reference_figures(frame, instrument, k=results.min_anonymous)
    exported = records(csv_tables(export_bytes(results, "csv"))["figures"])
    got = {(int(r["assessment"]), r["figure"], r["group"]): r for r in exported}
    want = {(int(r.assessment), r.figure, r.group): r for r in expected.itertuples()}
    assert got.keys() == want.keys()
    for key, row in want.items():
        assert int(got[key]["n"]) == row.n
        assert float(got[key]["mean"]) == pytest.approx(row.mean, abs=1e-9)
        sd = got[key]["sd"]
        assert (sd == "") if np.isnan(row.sd) else float(sd) == pytest.approx(row.sd, abs=1e-9)


def test_hidden_groups_are_absent_from_figures_and_respondent_counts(results):
    tables = csv_tables(export_bytes(results, "csv"))
    figures = records(tables["figures"])
    # Lee: 3 peers and 2 others are folded into "others"; Ana: 2 peers show nothing anonymous.
    assert {r["group"] for r in _leader_rows(figures, "Lee")} == {
        "self", "manager", "direct", "others", "all_others"
    }  # fmt: skip
    assert {r["group"] for r in _leader_rows(figures, "Ana")} == {"self", "manager"}
    assert not _leader_rows(figures, "Dana")
    leaders = {r["leader"]: r for r in records(tables["assessments"])}
    lee, ana = leaders["Lee"], leaders["Ana"]
    assert (lee["n_peer"], lee["n_other"], lee["n_direct"], lee["n_others"]) == ("", "", "5", "5")
    assert lee["n_all_others"] == "11"  # manager + 10 anonymous raters
    assert (ana["n_peer"], ana["n_others"], ana["n_all_others"]) == ("", "", "")
    assert (ana["quadrant"], ana["managing"]) == ("insufficient", "")
    assert leaders["Dana"]["quadrant"] == "insufficient"


def test_a_small_anonymous_group_leaves_none_of_the_leaders_anonymous_raw_rows(results):
    # Lee: 3 peers, 5 direct reports and 2 others. The report folds the 2 others item by item,
    # so the figures could tell their rows apart under any label: no anonymous raw row at all.
    raw = records(csv_tables(export_bytes(results, "csv", raw=True))["responses"])
    groups = Counter(r["group"] for r in _leader_rows(raw, "Lee"))
    assert groups == {"self": 1, "manager": 1}
    # Ben: 3 peers and 3 direct reports, each at least k: the declared groups.
    assert Counter(r["group"] for r in _leader_rows(raw, "Ben")) == {
        "self": 1, "peer": 3, "direct": 3
    }  # fmt: skip


def test_fewer_than_k_anonymous_raters_leave_no_anonymous_raw_rows(results):
    raw = records(csv_tables(export_bytes(results, "csv", raw=True))["responses"])
    assert [r["group"] for r in _leader_rows(raw, "Ana")] in (
        ["self", "manager"],
        ["manager", "self"],
    )


def test_raw_rows_hold_nothing_that_identifies_a_rater(results):
    data = export_bytes(results, "csv", raw=True)
    header, *rows = csv_tables(data)["responses"]
    items = cycle_instrument(results).item_ids
    assert header == ["response", "assessment", "leader", "group", *items]
    assert [int(r[0]) for r in rows] == list(range(1, len(rows) + 1))
    tables = csv_tables(export_bytes(results, "csv", raw=True))
    text = "\n".join(",".join(row) for rows in tables.values() for row in rows)
    text += export_bytes(results, "json", raw=True).decode()
    for pk in Response.objects.values_list("pk", flat=True):
        assert str(pk) not in text
        assert pk.hex not in text
    raw = "\n".join(",".join(r) for r in rows)
    assert "keep it up" not in raw  # no comments in the raw table
    # 24 stored responses: Ana’s two peers and Lee’s ten anonymous raters are left out.
    assert Response.objects.filter(assessment__cycle=results).count() == 24
    assert len(rows) == 12


def test_comments_only_where_shown_pooled_and_sorted(results):
    comments = records(csv_tables(export_bytes(results, "csv"))["comments"])
    assert {r["leader"] for r in comments} == {"Lee", "Ben"}  # Ana: 2 anonymous; Cy: self only
    assert not [r for r in comments if " self " in r["text"]]  # the leader's own are left out
    for leader in ("Lee", "Ben"):
        keep = [r["text"] for r in _leader_rows(comments, leader) if r["question"] == "keep"]
        assert keep == sorted(keep, key=lambda t: t.removeprefix("'"))
    ben = [r["text"] for r in _leader_rows(comments, "Ben")]
    assert ben == sorted(f"Ben {g} {i}: keep it up" for g in ("peer", "direct") for i in range(3))


@pytest.mark.parametrize("status", [Cycle.DRAFT, Cycle.NOMINATING, Cycle.OPEN])
def test_a_cycle_not_yet_closed_is_refused_with_a_reason(results, status):
    results.status = status
    results.save()
    for fmt in ("csv", "xlsx", "json"):
        with pytest.raises(ExportError, match="once the cycle is closed"):
            stream_cycle(results, fmt=fmt)


def test_unknown_tables_and_raw_without_consent_are_refused(results):
    with pytest.raises(ExportError, match="Unknown table"):
        stream_cycle(results, fmt="csv", tables=["figures", "raters"])
    with pytest.raises(ExportError, match="raw"):
        stream_cycle(results, fmt="csv", tables=["responses"])
    with pytest.raises(ExportError, match="Unknown format"):
        stream_cycle(results, fmt="xls")  # type: ignore[arg-type]
