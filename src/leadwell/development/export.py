"""Everything a leader wrote in a plan, as JSON and as PDF: it is theirs to take along."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from leadwell.config.http import private
from leadwell.development.models import (
    Action,
    Comment,
    Delegation,
    Focus,
    Initiative,
    Metric,
    Plan,
    Stakeholder,
    Vision,
)
from leadwell.development.services import live

__all__ = ["json_response", "pdf_response", "plan_document"]

FORMAT = "leadwell-plan/1"


def plan_document(plan: Plan) -> dict[str, Any]:
    """The plan and every tool's rows (not the deleted ones), as plain JSON-ready data."""
    vision = Vision.objects.filter(plan=plan).first()
    return {
        "format": FORMAT,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
        "leader": plan.leader.name,
        "title": plan.title,
        "created": plan.created_at.date().isoformat(),
        "review_date": _day(plan.review_date),
        "shared_with_manager": plan.shared_with_manager,
        "source_report": plan.source.cycle.name if plan.source_id else None,
        "focus": [
            {"facet": f.facet, "goal": f.goal} for f in live(Focus.objects.filter(plan=plan))
        ],
        "actions": [
            {
                "text": a.text,
                "due": _day(a.due),
                "status": a.status,
                "focus": a.focus.facet if a.focus_id and a.focus.deleted_at is None else None,
            }
            for a in live(Action.objects.filter(plan=plan)).select_related("focus")
        ],
        "stakeholders": [_stakeholder(s) for s in live(Stakeholder.objects.filter(plan=plan))],
        "vision": None
        if vision is None
        else {
            key: getattr(vision, key) for key in ("together", "people", "customers", "statement")
        },
        "initiatives": [
            {
                "name": i.name,
                "intent": i.intent or None,
                "pilot": i.pilot,
                "size": i.size,
                "told_team": i.told_team,
                "note": i.note,
            }
            for i in live(Initiative.objects.filter(plan=plan))
        ],
        "metrics": [
            {"name": m.name, "kpis": sorted(k.name for k in m.kpis.all())}
            for m in live(Metric.objects.filter(plan=plan)).prefetch_related("kpis")
        ],
        "delegation": [
            {"work": d.work, "candidate": d.candidate, "stage": d.stage, "note": d.note}
            for d in live(Delegation.objects.filter(plan=plan))
        ],
        "comments": [
            {
                "author": c.author_name,
                "at": c.created_at.isoformat(timespec="seconds"),
                "text": c.text,
            }
            for c in Comment.objects.filter(plan=plan)
        ],
    }


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


def _stakeholder(s: Stakeholder) -> dict[str, Any]:
    return {
        "name": s.name,
        "is_group": s.is_group,
        "inside": s.inside,
        "influence": s.influence,
        "interest": s.interest,
        "support_now": s.support_now,
        "support_wanted": s.support_wanted,
        "message": s.message,
        "channel": s.channel,
        "cadence_days": s.cadence_days,
        "next_touch": _day(s.next_touch),
        "touches": [{"day": _day(t.day), "note": t.note} for t in live(s.touches.all())],
        "trust": [
            {"day": _day(t.day), "kind": t.kind, "amount": t.amount, "note": t.note}
            for t in live(s.trust.all())
        ],
    }


def _filename(plan: Plan, suffix: str) -> str:
    return f"leadwell-plan-{slugify(plan.leader.name) or 'leader'}-{plan.pk}.{suffix}"


def _private(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return private(response)


def json_response(plan: Plan) -> HttpResponse:
    body = json.dumps(plan_document(plan), ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    return _private(response, _filename(plan, "json"))


def pdf_response(plan: Plan) -> HttpResponse:
    from leadwell.reports.pdf import render_pdf

    html = render_to_string("development/export_print.html", {"doc": plan_document(plan)})
    response = HttpResponse(render_pdf(html), content_type="application/pdf")
    return _private(response, _filename(plan, "pdf"))
