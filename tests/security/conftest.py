"""The world of the authorization matrix: two organizations with one object of every kind the
URLs take, and one signed-in test client per role.

Acme (``org``) is "own": Lee (``leader``) with an account, his ``coach``, his manager Maria with
an account, the org ``admin``. Globex (``other_org``) is "other": its admin ``outsider`` and a
leader Zed with the same objects. A ``superuser`` has no organization. The ``rater`` is a
browser that opened its survey link (the token is its only credential: no session).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

PASSWORD = "a-long-test-password"


@dataclass
class Side:
    """One organization's objects, by the name the URL table uses."""

    pks: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def _invitation(assessment: Any, name: str) -> str:
    from leadwell.cycles.models import Invitation

    token = secrets.token_urlsafe(32)
    Invitation.objects.create(
        organization=assessment.organization,
        assessment=assessment,
        group="peer",
        name=name,
        email=f"{name.lower()}@example.com",
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        status=Invitation.SENT,
        sent_at=timezone.now(),
    )
    return token


def _plan_objects(side: Side, leader: Any, org: Any) -> None:
    from leadwell.development import stakeholders, tools
    from leadwell.development.models import Focus
    from leadwell.development.services import action_add, comment_add, plan_create, row_delete

    plan = plan_create(leader=leader, facets=["L1", "L5"], title="A plan")
    plan.shared_with_manager = True  # so that the manager's cells are about the role, not this
    plan.save()
    focus = Focus.objects.filter(plan=plan).first()
    action = action_add(plan, text="Ask for feedback", due=None, focus=None)
    gone = action_add(plan, text="Deleted action", due=None, focus=None)
    row_delete(gone)
    comment_add(plan, author=leader.user, text="Good start")
    who = stakeholders.stakeholder_add(
        plan=plan, name="Finance", influence=4, interest=3, support_now=0, support_wanted=2
    )
    tools.vision_save(plan=plan, statement="Clear", together="", people="", customers="")
    kpi = tools.kpi_add(organization=org, name=f"Revenue {org.slug}")
    side.pks.update(
        plan=plan.pk,
        focus=focus.pk,
        action=action.pk,
        deleted_action=gone.pk,
        stakeholder=who.pk,
        initiative=tools.initiative_add(
            plan=plan, name="Pilot", answer="new", pilot=True, size="small", told_team=True
        ).pk,
        metric=tools.metric_add(plan=plan, name="NPS").pk,
        delegation=tools.delegation_add(plan=plan, work="Reports").pk,
        kpi=kpi.pk,
    )
    side.tokens["vision"] = tools.vision_share(plan=plan)


def _side(org: Any, leader: Any, admin_user: Any) -> Side:
    """Every object kind of one organization: cycles, assessment, raters, reports, exports,
    insights, a plan with its tools, an API key, and the tokens of the public links."""
    from leadwell.api.services import api_key_create
    from leadwell.cycles.models import Assessment, Cycle, Nomination
    from leadwell.exports.models import Export
    from leadwell.exports.services import export_run
    from leadwell.insights.models import CycleInsights
    from leadwell.reports.models import ReportBatch

    side = Side()
    cycle = Cycle.objects.create(
        organization=org, name="Released", status=Cycle.RELEASED, released_at=timezone.now()
    )
    assessment = Assessment.objects.create(organization=org, cycle=cycle, leader=leader)
    # Raters are proposed while a cycle nominates: the leader may edit, only the manager and
    # the admin decide, so the cells are about the role rather than the cycle's state.
    nominating = Cycle.objects.create(organization=org, name="Next", status=Cycle.NOMINATING)
    nomination = Nomination.objects.create(
        organization=org,
        assessment=Assessment.objects.create(organization=org, cycle=nominating, leader=leader),
        name="Ann",
        email="ann@example.com",
        group="peer",
    )
    open_cycle = Cycle.objects.create(organization=org, name="Open", status=Cycle.OPEN)
    open_assessment = Assessment.objects.create(organization=org, cycle=open_cycle, leader=leader)
    side.tokens["survey"] = _invitation(open_assessment, "Rae")
    side.pks.update(
        cycle=cycle.pk,
        open_cycle=open_cycle.pk,
        assessment=assessment.pk,
        nomination=nomination.pk,
        invitation=open_assessment.invitations.get().pk,
        batch=ReportBatch.objects.create(organization=org, cycle=cycle).pk,
        export=Export.objects.create(
            organization=org, cycle=cycle, format="json", file_name="r.json"
        ).pk,
        insights=CycleInsights.objects.create(organization=org, cycle=cycle).pk,
        leader_person=leader.pk,
    )
    key, side.tokens["api"] = api_key_create(organization=org, name="BI", actor=admin_user)
    side.pks["key"] = key.pk
    export_run(side.pks["export"])  # its file made: the download is there to be refused
    _plan_objects(side, leader, org)
    return side


@dataclass
class World:
    own: Side
    other: Side
    clients: dict[str, Client]

    def side(self, scope: str) -> Side:
        return self.other if scope == "other" else self.own


@pytest.fixture
def world(org, other_org, admin, outsider, people, leader, coach, settings, tmp_path):
    from django.contrib.auth import get_user_model

    from leadwell.accounts.services import sign_in_link_create
    from leadwell.orgs.models import Person, Role

    settings.LEADWELL_EXPORTS_DIR = tmp_path / "exports"
    users = get_user_model().objects
    maria = people["Maria"]
    maria.user = users.create_user("maria", "maria@example.com", PASSWORD)
    maria.save()
    Role.objects.create(organization=org, user=maria.user, role=Role.LEADER)
    zed = Person.objects.create(organization=other_org, name="Zed", email="zed@globex.example")
    zed.user = users.create_user("zed", "zed@globex.example", PASSWORD)
    zed.save()
    Role.objects.create(organization=other_org, user=zed.user, role=Role.LEADER)
    root = users.create_superuser("root", "root@example.com", PASSWORD)

    own, other = _side(org, leader, admin), _side(other_org, zed, outsider)
    own.tokens["link"] = sign_in_link_create(user=leader.user)
    other.tokens["link"] = sign_in_link_create(user=zed.user)
    signed_in = {
        "leader": leader.user,
        "coach": coach,
        "manager": maria.user,
        "admin": admin,
        "outsider": outsider,
        "superuser": root,
    }
    clients = {"anonymous": Client(), "rater": Client()}
    # The rater has opened their link: a CSRF cookie at most, never a session.
    clients["rater"].get(f"/r/{own.tokens['survey']}/")
    for role, user in signed_in.items():
        clients[role] = Client()
        clients[role].force_login(user)
    return World(own=own, other=other, clients=clients)
