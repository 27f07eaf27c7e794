"""A rich organization for the archive tests: a row in every exported table, and awkward values.

``build_organization()`` makes an organization the way months of use would leave it: a unit
tree, a manager chain, a level change, roles, a coach, a released cycle (assessments,
nominations decided by an admin, invitations, responses with comments) and an open one (a
started invitation with a draft and a working link), a report log, a development plan with
rows of every tool, and the derived rows that must not travel (chart drawings, a reliability
row, a PDF batch, a sign-in link, an API key). Times are fixed in the past, so an import that
stamps "now" on them is caught. Values include non-ASCII text, line and paragraph separators,
binary answers with zero bytes, JSON, dates, and empty references.

The test here checks the builder itself: every table of the archive gets rows, so the round
trips of the other modules compare every table with something in it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model

from leadwell.cycles._common import hash_token, link_token, new_salt
from leadwell.cycles.answers import encode_answers
from leadwell.instrument import load_instrument

PASSWORD = "a-long-test-password"
# The users the organization refers to (roles, linked people, a coach, an author, a viewer,
# a nominator): the archive must hold exactly these.
USERS = ("admin", "lee", "coach", "maria", "nominator")
AWKWARD = "Zoë “quoted”, a tab\there,\na new line, a line separator\u2028, NEL\x85and ✓"


def _at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2025, 3, day, hour, 11, 12, 345678, tzinfo=dt.UTC)


def _user(prefix: str, name: str, **extra: Any) -> Any:
    user = get_user_model().objects.create_user(
        f"{prefix}{name}", f"{name}@{prefix or 'x'}mail.example", PASSWORD, **extra
    )
    get_user_model().objects.filter(pk=user.pk).update(
        date_joined=_at(1), last_login=_at(2) if name != "nominator" else None
    )
    return user


def build_organization(slug: str = "acme", name: str = "Acme") -> dict[str, Any]:
    """The organization ``slug`` with a row in every exported table; returns its key objects.

    Usernames are prefixed with the slug unless it is "acme", so two organizations can live
    side by side.
    """
    from leadwell.orgs.models import Organization

    prefix = "" if slug == "acme" else f"{slug}-"
    org = Organization.objects.create(name=name, slug=slug)
    Organization.objects.filter(pk=org.pk).update(created_at=_at(1, 8))
    users = {
        "admin": _user(prefix, "admin", first_name="Ada", last_name="Admin", is_staff=True),
        "lee": _user(prefix, "lee", first_name="Lee", last_name=AWKWARD[:20]),
        "coach": _user(prefix, "coach"),
        "maria": _user(prefix, "maria"),
        "nominator": _user(prefix, "nominator", is_active=False),
    }
    get_user_model().objects.filter(pk=users["admin"].pk).update(is_superuser=True)
    _user(prefix, "stranger")  # uses no organization: never exported
    built = {"org": org, "users": users, "domain": f"{slug}.example"}
    built |= _people(org, users, built["domain"])
    built |= _cycles(org, users, built)
    built |= _development(org, users, built)
    _derived(org, users, built)
    return built


def _people(org: Any, users: dict[str, Any], domain: str) -> dict[str, Any]:
    from leadwell.orgs.models import CoachAssignment, LevelChange, Person, Role, Unit

    top = Unit.objects.create(organization=org, name="Company")
    ops = Unit.objects.create(organization=org, name="Operations", parent=top)
    Unit.objects.create(organization=org, name="Sales ✓", parent=top)
    Unit.objects.create(organization=org, name="Dormant")

    def person(name: str, unit: Any, manager: Any = None, level: str = "staff", **kw: Any) -> Any:
        email = f"{name.lower()}@{domain}"
        return Person.objects.create(
            organization=org, name=name, email=email, unit=unit, manager=manager, level=level, **kw
        )

    maria = person("Maria", top, level="director", user=users["maria"])
    lee = person("Lee", ops, maria, "manager", user=users["lee"])
    people = {"Maria": maria, "Lee": lee}
    for name in ("Dana", "Eli", "Fay"):
        people[name] = person(name, ops, lee)
    for name in ("Ana", "Ben", "Cy"):
        people[name] = person(name, top, maria, "manager")
    people["Zoë"] = person("Zoë Ångström", None, level="", is_active=False)
    Person.objects.filter(organization=org).update(created_at=_at(3), updated_at=_at(4))
    LevelChange.objects.create(organization=org, person=lee, level_before="staff", level_after="")
    LevelChange.objects.filter(organization=org).update(changed_at=_at(5))
    for user, role in (("admin", Role.ADMIN), ("lee", Role.LEADER), ("coach", Role.COACH)):
        Role.objects.create(organization=org, user=users[user], role=role)
    Role.objects.create(organization=org, user=users["maria"], role=Role.LEADER)
    CoachAssignment.objects.create(organization=org, coach=users["coach"], leader=lee)
    return {"people": people, "units": {"top": top, "ops": ops}}


def _cycles(org: Any, users: dict[str, Any], built: dict[str, Any]) -> dict[str, Any]:
    from leadwell.cycles.models import Assessment, Cycle

    people = built["people"]
    spring = Cycle.objects.create(
        organization=org,
        name="Spring",
        status=Cycle.RELEASED,
        deadline=dt.date(2025, 3, 20),
        opened_at=_at(6),
        closed_at=_at(20),
        released_at=_at(21),
        min_anonymous=3,
    )
    autumn = Cycle.objects.create(
        organization=org, name="Autumn", status=Cycle.OPEN, opened_at=_at(25), max_raters=12
    )
    Cycle.objects.filter(pk=spring.pk).update(created_at=_at(5))
    Cycle.objects.filter(pk=autumn.pk).update(created_at=_at(24))
    lee_spring = Assessment.objects.create(organization=org, cycle=spring, leader=people["Lee"])
    Assessment.objects.create(organization=org, cycle=spring, leader=people["Ana"])
    lee_autumn = Assessment.objects.create(organization=org, cycle=autumn, leader=people["Lee"])
    raters = [("Maria", "manager"), ("Ben", "peer"), ("Cy", "peer"), ("Ana", "peer")]
    raters += [("Dana", "direct"), ("Eli", "direct"), ("Fay", "direct")]
    _answered(lee_spring, [(people[n], g) for n, g in raters], users, built["domain"])
    token = _started(lee_autumn, people["Dana"], users)
    return {
        "cycles": {"spring": spring, "autumn": autumn},
        "assessment": lee_spring,
        "open_link": token,
    }


def _answered(
    assessment: Any, raters: list[tuple[Any, str]], users: dict[str, Any], domain: str
) -> None:
    """A released assessment: nominations (one declined, one outsider), invitations that were
    all submitted, and anonymous responses with comments."""
    from leadwell.cycles.models import Invitation, Nomination, Response, ResponseComment

    instrument, org = load_instrument("1"), assessment.organization
    common = {"organization": org, "assessment": assessment}
    Invitation.objects.create(
        **common,
        group="self",
        name="Lee",
        email=f"lee@{domain}",
        token_hash=hash_token(f"{domain}-self"),
        status="submitted",
        sent_at=_at(6, 10),
    )
    for i, (person, group) in enumerate(raters):
        nomination = Nomination.objects.create(
            **common,
            person=person,
            name=person.name,
            email=person.email,
            group=group,
            status=Nomination.APPROVED,
            proposed_by=users["lee"] if i else users["nominator"],
            decided_by=users["admin"],
        )
        Invitation.objects.create(
            **common,
            nomination=nomination,
            group=group,
            name=person.name,
            email=person.email,
            token_hash=hash_token(f"{domain}-{i}"),
            token_salt=new_salt(),
            status="submitted",
            sent_at=_at(6, 10),
            reminders_sent=i % 2,
            last_reminded_at=_at(9) if i % 2 else None,
        )
    Nomination.objects.create(
        **common,
        name="Out Sider",
        email=f"out@{domain}",
        group="other",
        status=Nomination.DECLINED,
        proposed_by=users["lee"],
    )
    for i, group in enumerate(["self"] + [group for _, group in raters]):
        values = {item.id: (i + n) % 6 for n, item in enumerate(instrument.items)}
        response = Response.objects.create(
            **common,
            group=group,
            answers=encode_answers(values, instrument),
            seconds=None if i == 3 else 100.25 + i,
        )
        if i % 2:
            ResponseComment.objects.create(response=response, question="Q1", text=AWKWARD)
            ResponseComment.objects.create(response=response, question="Q2", text=f"Keep {i}")


def _started(assessment: Any, rater: Any, users: dict[str, Any]) -> str:
    """An open cycle's invitation with a draft and a working link; returns the link's token."""
    from leadwell.cycles.models import Draft, Invitation, Nomination

    org = assessment.organization
    common = {"organization": org, "assessment": assessment}
    nomination = Nomination.objects.create(
        **common,
        person=rater,
        name=rater.name,
        email=rater.email,
        group="direct",
        status=Nomination.APPROVED,
        proposed_by=users["lee"],
    )
    Nomination.objects.create(**common, name="Maybe", email="maybe@x.example", group="peer")
    invitation = Invitation.objects.create(
        **common,
        nomination=nomination,
        group="direct",
        name=rater.name,
        email=rater.email,
        token_hash=hash_token(f"{org.slug}-placeholder"),
        status="started",
        sent_at=_at(25, 10),
    )
    salt = new_salt()
    token = link_token(invitation.pk, salt)
    Invitation.objects.filter(pk=invitation.pk).update(
        token_hash=hash_token(token), token_salt=salt
    )
    Invitation.objects.create(
        **common,
        group="self",
        name="Lee",
        email="lee@x.example",
        token_hash=hash_token(f"{org.slug}-pending"),
    )
    draft = Draft.objects.create(
        invitation=invitation,
        answers=bytes([0, 5, 4, 0, 1]),
        comments={"Q1": AWKWARD, "Q2": ""},
        page=2,
    )
    Draft.objects.filter(pk=draft.pk).update(updated_at=_at(26))
    return token


def _development(org: Any, users: dict[str, Any], built: dict[str, Any]) -> dict[str, Any]:
    from leadwell.development import models as d

    lee = built["people"]["Lee"]
    plan = d.Plan.objects.create(
        organization=org,
        leader=lee,
        source=built["assessment"],
        title="Lead more",
        review_date=dt.date(2025, 9, 1),
        shared_with_manager=True,
    )
    d.Plan.objects.create(organization=org, leader=built["people"]["Ana"], title="Untitled")
    d.Plan.objects.filter(organization=org).update(created_at=_at(22), updated_at=_at(23))
    first = d.Focus.objects.create(plan=plan, facet="L3", goal=AWKWARD, position=0)
    d.Focus.objects.create(plan=plan, facet="M2", goal="", position=1, deleted_at=_at(23))
    d.Action.objects.create(
        plan=plan, focus=first, text="Ask for feedback", due=dt.date(2025, 4, 1)
    )
    d.Action.objects.create(plan=plan, text="Read", status=d.Action.DONE)
    ally = d.Stakeholder.objects.create(
        plan=plan,
        name="Finance",
        is_group=True,
        influence=5,
        support_now=-2,
        support_wanted=2,
        message=AWKWARD,
        next_touch=dt.date(2025, 4, 2),
    )
    d.Touch.objects.create(plan=plan, stakeholder=ally, day=dt.date(2025, 3, 28), note="Coffee")
    d.TrustEntry.objects.create(
        plan=plan,
        stakeholder=ally,
        day=dt.date(2025, 3, 29),
        kind="promise",
        amount=-3,
        note="Late",
    )
    vision = d.Vision.objects.create(
        plan=plan, together="Ship", statement=AWKWARD, share_hash="a" * 64, shared_at=_at(24)
    )
    d.Vision.objects.filter(pk=vision.pk).update(updated_at=_at(24))
    d.Initiative.objects.create(plan=plan, name="Pilot", intent="transform", size="large")
    kpis = [
        d.Kpi.objects.create(organization=org, name=n, active=n != "Old") for n in ("NPS", "Old")
    ]
    metric = d.Metric.objects.create(plan=plan, name="Tickets closed")
    metric.kpis.set(kpis)
    d.Metric.objects.create(plan=plan, name="Unlinked")
    d.Delegation.objects.create(plan=plan, work="Rota", candidate="Dana", stage="handing")
    comment = d.Comment.objects.create(
        plan=plan, author=users["coach"], author_name="Coach", text="Good start"
    )
    d.Comment.objects.filter(pk=comment.pk).update(created_at=_at(24, 11))
    d.Comment.objects.create(plan=plan, author=None, author_name="Gone", text="Deleted author")
    return {"plan": plan}


def _derived(org: Any, users: dict[str, Any], built: dict[str, Any]) -> None:
    """The report log, and the rows the archive leaves out: they must not travel, and their
    absence must not matter."""
    from leadwell.accounts.models import SignInLink
    from leadwell.reports.models import CycleReliability, ReportBatch, ReportChart, ReportView

    assessment = built["assessment"]
    view = ReportView.objects.create(
        organization=org,
        assessment=assessment,
        viewer=users["admin"],
        viewer_name="Ada Admin",
        role="admin",
        format=ReportView.PDF,
    )
    ReportView.objects.filter(pk=view.pk).update(at=_at(21, 15))
    ReportView.objects.create(
        organization=org,
        assessment=assessment,
        viewer=None,
        viewer_name="Deleted account",
        role="leader",
        format="html",
    )
    ReportChart.objects.create(assessment=assessment, key="k" * 64, quadrant="<svg/>")
    CycleReliability.objects.create(
        cycle=built["cycles"]["spring"], fingerprint="1:3", figures=["M1"], sd=[0.5], icc2=[0.7]
    )
    ReportBatch.objects.create(
        organization=org,
        cycle=built["cycles"]["spring"],
        requested_by=users["admin"],
        assessment_ids=[assessment.pk],
    )
    SignInLink.objects.create(
        user=users["lee"], token_hash=hash_token(f"{org.slug}-signin"), expires_at=_at(28)
    )


def test_the_rich_organization_has_rows_in_every_exported_table(db) -> None:
    from leadwell.exports.organization import export_plan

    built = build_organization()
    empty = [
        t.label
        for t in export_plan()
        if t.org_path
        and not t.model._default_manager.filter(**{t.org_path: built["org"].pk}).exists()
    ]
    assert empty == []
    # The tables the tests were written against are all in the plan (a model that lost its
    # path to the organization would drop out of it silently otherwise).
    labels = {t.label for t in export_plan()}
    assert labels >= {
        "auth.user",
        "orgs.organization",
        "orgs.unit",
        "orgs.person",
        "orgs.levelchange",
        "orgs.role",
        "orgs.coachassignment",
        "cycles.cycle",
        "cycles.assessment",
        "cycles.nomination",
        "cycles.invitation",
        "cycles.draft",
        "cycles.response",
        "cycles.responsecomment",
        "reports.reportview",
        "development.plan",
        "development.focus",
        "development.action",
        "development.stakeholder",
        "development.touch",
        "development.trustentry",
        "development.vision",
        "development.initiative",
        "development.kpi",
        "development.metric",
        "development.metric_kpis",
        "development.delegation",
        "development.comment",
    }
