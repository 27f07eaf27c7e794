"""Exports: a cycle's tidy results streamed in one answer (small cycles), or made in the
background as a file (any size) whose progress can be read and which is then downloaded.

Every table comes from :mod:`leadwell.exports.tables`, built from the scoring result, so the
anonymity rule is the report's: no figure of a hidden group, no minimum or maximum, comments
pooled and sorted, raw responses with the group as shown and only where the anonymous raters
reach the threshold. Nothing is exported while a cycle is open (409).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict

from leadwell.api.auth import actor
from leadwell.api.routers._common import answers, in_org
from leadwell.cycles.models import Cycle
from leadwell.exports import selectors
from leadwell.exports.models import Export
from leadwell.exports.services import export_start
from leadwell.exports.tables import ExportError, check_request
from leadwell.exports.writers import content_type, export_filename, stream_cycle
from leadwell.reports.selectors import ADMIN_PREVIEW

__all__ = ["router"]

router = Router(tags=["exports"])

Format = Literal["csv", "xlsx", "json"]
TableName = Literal["assessments", "figures", "gaps", "comments", "responses"]
_MEDIA = {
    "application/json": {"schema": {"type": "object"}},
    "text/csv; charset=utf-8": {"schema": {"type": "string"}},
    "application/zip": {"schema": {"type": "string", "format": "binary"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "schema": {"type": "string", "format": "binary"}
    },
}
_FILE = {200: {"description": "The export's file.", "content": _MEDIA}}


class ResultsQuery(Schema):
    format: Format = Field("json", description="json, csv (a ZIP of CSVs, or one CSV) or xlsx.")
    tables: list[TableName] | None = Field(
        None, description="Tables to include; all but `responses` when left out."
    )
    raw: bool = Field(False, description="Allow the raw responses table (see docs/exports.md).")


class ExportIn(Schema):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"format": "xlsx", "raw": False}]}
    )

    format: Format = "json"
    tables: list[TableName] | None = None
    raw: bool = False


class ExportOut(Schema):
    id: int
    cycle_id: int
    format: Format
    tables: list[str]
    raw: bool
    status: Literal["queued", "running", "done", "failed"]
    progress: int = Field(description="Assessments read so far, over all tables.")
    total: int
    file_name: str
    size: int | None = Field(description="Bytes, once done.")
    error: str
    created_at: datetime
    finished_at: datetime | None
    download: str | None = Field(description="Where to download the file, once done.")


def _closed(request: HttpRequest, cycle_id: int) -> Cycle:
    """The key's cycle, or 409 with the exports' own reason while answers can still arrive."""
    cycle = in_org(Cycle, request, cycle_id)
    if cycle.status not in ADMIN_PREVIEW:
        try:
            check_request(cycle, None, False)
        except ExportError as error:
            raise HttpError(409, str(error)) from None
    return cycle


def _out(export: Export) -> dict[str, Any]:
    done = export.status == Export.DONE
    return {
        **{
            field: getattr(export, field) for field in ExportOut.model_fields if field != "download"
        },
        "download": f"/api/exports/{export.pk}/file" if done else None,
    }


@router.get(
    "/cycles/{cycle_id}/results",
    response=answers({200: None}, 404, 409),
    openapi_extra={"responses": _FILE},
    summary="Stream a cycle's results",
)
def cycle_results(
    request: HttpRequest, cycle_id: int, query: Query[ResultsQuery]
) -> StreamingHttpResponse:
    """The cycle's tidy results (readme, assessments, figures, gaps, comments; raw responses
    with ``raw``) in one streamed answer. For cycles of up to 25,000 responses; larger ones
    answer 409: make the file in the background with ``POST /cycles/{id}/exports``."""
    cycle = _closed(request, cycle_id)
    tables = list(query.tables) if query.tables else None
    check_request(cycle, tables, query.raw)  # refused before the first byte is sent
    if not selectors.streamable(cycle):
        raise HttpError(
            409,
            f"This cycle has more than {selectors.STREAM_LIMIT:,} responses: make the file in "
            f"the background with POST /api/cycles/{cycle.pk}/exports.",
        )
    pieces = stream_cycle(cycle, fmt=query.format, tables=tables, raw=query.raw)
    response = StreamingHttpResponse(pieces, content_type=content_type(query.format, tables))
    name = export_filename(cycle, query.format, tables)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.post(
    "/cycles/{cycle_id}/exports",
    response=answers({202: ExportOut}, 404, 409),
    summary="Make a cycle's results file in the background",
)
def export_create(request: HttpRequest, cycle_id: int, body: ExportIn) -> Status:
    """Queue the export; read its progress with ``GET /exports/{id}`` and download it from
    ``download`` once ``status`` is ``done``."""
    cycle = _closed(request, cycle_id)
    tables = list(body.tables) if body.tables else None
    export = export_start(
        cycle=cycle, fmt=body.format, raw=body.raw, actor=actor(request), tables=tables
    )
    export.refresh_from_db()
    return Status(202, _out(export))


@router.get(
    "/exports/{export_id}", response=answers({200: ExportOut}, 404), summary="Read an export"
)
def export_detail(request: HttpRequest, export_id: int) -> dict[str, Any]:
    return _out(in_org(Export, request, export_id))


@router.get(
    "/exports/{export_id}/file",
    response=answers({200: None}, 404, 409),
    openapi_extra={"responses": _FILE},
    summary="Download an export's file",
)
def export_file(request: HttpRequest, export_id: int) -> FileResponse:
    export = in_org(Export, request, export_id)
    if export.status != Export.DONE or not export.path.exists():
        raise HttpError(409, f"The export is not ready: its status is {export.status}.")
    return FileResponse(export.path.open("rb"), as_attachment=True, filename=export.file_name)
