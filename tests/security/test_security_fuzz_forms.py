"""Every form of the HTML app, fuzzed through its real view with the role that may post it.

Each form is a ``Form`` below: the URL name, the signed-in role (tests/security/conftest.py), the
fields with a strategy of valid values, the tables it may write, and a valid control that must
be accepted (so the property can fail). Hypothesis then posts the form with each field mostly
valid, else hostile (NUL bytes, control characters, RTL marks, emoji, digits that are not ASCII,
huge or negative numbers, floats, 70,000 characters, missing, or given twice), now and then
with extra fields. The properties, for every answer:

- never a 5xx, and no exception escapes the view (the test client re-raises it);
- a redirect goes to this site, never to an address the input chose;
- refused (a redirect with an error message, or the page again with 200/400/410/429): none of
  the form's tables changed, and a message naming the problem is on the page;
- accepted: what was written can be stored by every database the product supports (no NUL
  character, nothing longer than its column): PostgreSQL refuses both, SQLite does not, so this
  check finds on SQLite what would be a server error on PostgreSQL.

The rater's survey (pages, autosave, submit) has its own tests at the end, and
``test_every_view_that_takes_a_post_is_fuzzed_or_excluded`` walks the URL configuration so
that a new form cannot be left out. Examples are derandomized so CI sees the same inputs.
"""

from __future__ import annotations

import fnmatch
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.contrib import messages
from django.db import models
from django.forms import BaseForm
from django.test import Client
from django.urls import resolve, reverse
from django.utils.html import escape
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from security_matrix import url_patterns
from test_security_authorization import ROWS, _address

from leadwell.practices.stakeholders import DEPOSITS, INFLUENCE, SUPPORT

FUZZ = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
PASSWORD = "a-long-test-password"
MISSING = object()  # a field left out of the POST

HOSTILE = st.one_of(
    st.text(max_size=20),
    st.text(alphabet="a 1\x00\x01\x08\x1b\x7f\u202e\u200f\u2066\ufeff\u0301é漢😀²١", max_size=12),
    st.integers(-(10**30), 10**30).map(str),
    st.floats().map(str),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b",
            "-1",
            "0",
            "²",
            "١٢",
            "1_0",
            "9" * 5_000,
            "1e309",
            "nan",
            "inf",
            "-0",
            "2026-02-30",
            "9999-12-31",
            "0001-01-01",
            "on",
            "true",
            "<script>alert(1)</script>",
            "//evil.example/",
            "https://evil.example/x",
            "\\\\evil.example",
            "\u202egnp.exe",
        ]
    ),
    st.just("x" * 70_000),
)


def _field(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly a valid value (so whole forms are sometimes valid), else hostile text, left out,
    or given twice."""
    return st.tuples(
        st.integers(0, 9), valid, HOSTILE, st.lists(valid | HOSTILE, min_size=2, max_size=2)
    ).map(lambda t: t[1] if t[0] <= 4 else t[2] if t[0] <= 7 else MISSING if t[0] == 8 else t[3])


@st.composite
def _posts(draw: st.DrawFn, fields: dict[str, st.SearchStrategy[Any]]) -> dict[str, Any]:
    """A POST of ``fields``: one in four wholly valid (a page of many fields is otherwise
    almost never accepted), the others with hostile fields and now and then extra ones."""
    if draw(st.integers(0, 3)) == 0:
        return {name: draw(valid) for name, valid in fields.items()}
    extra = draw(st.one_of(st.just({}), st.dictionaries(st.text(max_size=8), HOSTILE, max_size=2)))
    data = {k: v for k, v in extra.items() if k not in fields}
    for name, valid in fields.items():
        value = draw(_field(valid))
        if value is not MISSING:
            data[name] = value
    return data


# -- valid values --------------------------------------------------------------------------------

WORDS = st.text(alphabet="abcdefghij ABC", min_size=1, max_size=30).filter(str.strip)
UNIQUE = st.integers(0, 10**9).map(lambda n: f"Name {n}")
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=60)
DAYS = st.dates(date(2020, 1, 1), date(2026, 1, 1)).map(date.isoformat)  # past days
LATER = st.dates(date(2030, 1, 1), date(2031, 1, 1)).map(date.isoformat)
EMAILS = st.integers(0, 10**6).map(lambda n: f"rater{n}@example.com")


def _choice(values: Any) -> st.SearchStrategy[str]:
    return st.sampled_from([str(v) for v in values])


# -- the world's extra objects -------------------------------------------------------------------


def _own(world: Any, name: str) -> Any:
    return world.own.pks[name]


def _draft_cycle(world: Any) -> int:
    """A draft cycle with one leader, whose nominations may be started (made once)."""
    from leadwell.cycles.models import Assessment, Cycle
    from leadwell.orgs.models import Person

    if "draft_cycle" not in world.own.pks:
        lee = Person.objects.get(pk=_own(world, "leader_person"))
        cycle = Cycle.objects.create(organization=lee.organization, name="Draft")
        Assessment.objects.create(organization=lee.organization, cycle=cycle, leader=lee)
        world.own.pks["draft_cycle"] = cycle.pk
    return world.own.pks["draft_cycle"]


def _closed_cycle(world: Any) -> int:
    from leadwell.cycles.models import Cycle

    org = Cycle.objects.get(pk=_own(world, "cycle")).organization
    return Cycle.objects.create(organization=org, name="Closed", status=Cycle.CLOSED).pk


def _new_nomination(world: Any) -> int:
    """A proposed rater of the nominating cycle, one per example (approving is final)."""
    from leadwell.cycles.models import Nomination

    first = Nomination.objects.get(pk=_own(world, "nomination"))
    count = Nomination.objects.count()
    return Nomination.objects.create(
        organization=first.organization,
        assessment=first.assessment,
        name=f"Rae {count}",
        email=f"rae{count}@example.com",
        group="peer",
    ).pk


def _new_key(world: Any) -> int:
    from django.contrib.auth import get_user_model

    from leadwell.api.services import api_key_create
    from leadwell.cycles.models import Cycle

    org = Cycle.objects.get(pk=_own(world, "cycle")).organization
    admin = get_user_model().objects.get(username="admin")
    return api_key_create(organization=org, name="Fuzz", actor=admin)[0].pk


def _new_assessment(world: Any) -> int:
    """A leader of the draft cycle, one per example (taking them out is final)."""
    from leadwell.cycles.models import Assessment
    from leadwell.orgs.models import Person

    draft = _draft_cycle(world)
    org = Assessment.objects.filter(cycle_id=draft).first().organization
    count = Person.objects.count()
    person = Person.objects.create(organization=org, name=f"P {count}", email=f"p{count}@x.example")
    return Assessment.objects.create(organization=org, cycle_id=draft, leader=person).pk


def _new_action(world: Any, *, deleted: bool = False) -> int:
    """An action of the plan, one per example (deleting it, or undoing that, is final)."""
    from leadwell.development.models import Plan
    from leadwell.development.services import action_add, row_delete

    made = action_add(Plan.objects.get(pk=_own(world, "plan")), text="A", due=None, focus=None)
    if deleted:
        row_delete(made)
    return made.pk


def _link_metric_to_kpi(world: Any) -> None:
    """The KPI is in use, so that "delete" is refused rather than taking the row away."""
    from leadwell.development.models import Metric

    Metric.objects.get(pk=_own(world, "metric")).kpis.add(_own(world, "kpi"))


# -- the forms -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Form:
    """One form: where it posts, who posts it, its fields and the tables it may write."""

    key: str  # the URL name
    role: str  # a client of the world; "fresh": a new anonymous browser for each POST
    tables: tuple[str, ...]  # "app.Model" or "app.Model.m2m" (its through table)
    fields: Callable[[Any], dict[str, st.SearchStrategy[Any]]]
    control: Callable[[Any], dict[str, Any]]
    url: Callable[[Any], str] | None = None  # default: the authorization matrix's address
    prepare: Callable[[Any], None] | None = None
    accepted_page: Callable[[Any], bool] | None = None  # a 200 that is a success
    pages: dict[int, str] = field(default_factory=dict)  # refusal status -> text on its page
    regressions: tuple[dict[str, Any], ...] = ()  # inputs once failing, always tried


def _url(key: str, **args: Any) -> Callable[[Any], str]:
    """The address of ``key``, its arguments taken from the world (``pk:<object>``), made
    (a callable of the world) or fixed."""

    def address(world: Any) -> str:
        values = {}
        for name, source in args.items():
            if callable(source):
                values[name] = source(world)
            elif isinstance(source, str) and source.startswith("pk:"):
                values[name] = _own(world, source[3:])
            else:
                values[name] = source
        return reverse(key, kwargs=values)

    return address


PLAN_TABLES = ("development.Plan", "development.Focus", "development.Action", "development.Comment")
STAKEHOLDER_TABLES = (
    "development.Stakeholder", "development.Touch", "development.TrustEntry",
)  # fmt: skip
TOOL_TABLES = (
    "development.Vision", "development.Initiative", "development.Kpi", "development.Metric",
    "development.Metric.kpis", "development.Delegation",
)  # fmt: skip
CYCLE_TABLES = (
    "cycles.Cycle", "cycles.Assessment", "cycles.Nomination", "cycles.Invitation",
    "cycles.Draft", "cycles.Response",
)  # fmt: skip
SURVEY_TABLES = ("cycles.Invitation", "cycles.Draft", "cycles.Response", "cycles.ResponseComment")
PROFILE = {
    "name": WORDS,
    "kind": st.sampled_from(["person", "group"]),
    "where": st.sampled_from(["inside", "outside"]),
    "influence": _choice(INFLUENCE),
    "interest": _choice(INFLUENCE),
    "support_now": _choice(SUPPORT),
    "support_wanted": _choice(SUPPORT),
}
PROFILE_OK = {"name": "Finance", "kind": "group", "where": "inside", "influence": "4"}
PROFILE_OK |= {"interest": "3", "support_now": "0", "support_wanted": "2"}
INITIATIVE = {
    "name": WORDS,
    "answer": st.sampled_from(["", "better", "new"]),
    "pilot": st.sampled_from(["pilot", "rollout"]),
    "size": st.sampled_from(["small", "medium", "large"]),
    "told_team": st.sampled_from(["on", ""]),
    "note": TEXT,
}
INITIATIVE_OK = {"name": "Pilot", "answer": "new", "pilot": "pilot", "size": "small"}
DELEGATION = {
    "work": WORDS,
    "candidate": WORDS,
    "stage": st.sampled_from(["holding", "chosen", "handing", "handed"]),
    "note": TEXT,
}
CREATED_KEY = "api/key_created.html"


EXPORT = {
    "format": st.sampled_from(["csv", "xlsx", "json"]),
    "tables": st.lists(
        st.sampled_from(["assessments", "figures", "gaps", "comments"]), max_size=4, unique=True
    ),
    "raw": st.sampled_from(["on", ""]),
}


def _not_ids(field: str, **valid: str) -> tuple[dict[str, str], ...]:
    """Values of an id field that int() refuses or the database cannot hold, with ``valid``."""
    return tuple(valid | {field: value} for value in ("²", "9" * 5000, "9" * 30))


def _kpi_choice(world: Any) -> st.SearchStrategy[str]:
    return st.just(str(_own(world, "kpi")))


def _nomination_fields(world: Any) -> dict[str, st.SearchStrategy[Any]]:
    n = f"n{_own(world, 'nomination')}-"
    return {
        n + "name": WORDS,
        n + "email": EMAILS,
        n + "group": st.sampled_from(["peer", "direct", "other", "manager"]),
    }


def _none(world: Any) -> dict[str, Any]:
    return {}


def _empty(world: Any) -> dict[str, st.SearchStrategy[Any]]:
    return {}


FORMS = [
    # Development plans: the leader's own pages.
    Form(
        "development:new",
        "leader",
        PLAN_TABLES,
        lambda w: {
            "facet": st.lists(
                st.sampled_from(["L1", "L2", "M3", "L5"]), min_size=1, max_size=3, unique=True
            ),
            "title": WORDS,
            "source": st.just(""),
        },
        lambda w: {"facet": ["L1", "L2"], "title": "Next quarter"},
        url=_url("development:new"),
        regressions=_not_ids("source", facet="L1"),
    ),
    Form(
        "development:edit",
        "leader",
        PLAN_TABLES,
        lambda w: {"title": WORDS, "review_date": LATER, "shared": st.sampled_from(["on", ""])},
        lambda w: {"title": "A plan", "review_date": "2030-01-31", "shared": "on"},
        regressions=({"title": "x" * 201}, {"title": "a\x00b"}),
    ),
    Form(
        "development:focus",
        "leader",
        PLAN_TABLES,
        lambda w: {"goal": TEXT},
        lambda w: {"goal": "Listen first"},
        regressions=({"goal": "a\x00b"}, {"goal": "x" * 70_000}),
    ),
    Form(
        "development:action_add",
        "leader",
        PLAN_TABLES,
        lambda w: {"text": WORDS, "due": LATER, "focus": st.just(str(_own(w, "focus")))},
        lambda w: {"text": "Ask for feedback", "due": "2030-02-01", "focus": str(_own(w, "focus"))},
        regressions=_not_ids("focus", text="x"),
    ),
    Form(
        "development:action_status",
        "leader",
        PLAN_TABLES,
        lambda w: {"status": st.sampled_from(["todo", "doing", "done", "dropped"])},
        lambda w: {"status": "doing"},
    ),
    Form(
        "development:comment_add",
        "leader",
        PLAN_TABLES,
        lambda w: {"text": WORDS},
        lambda w: {"text": "Good start"},
        regressions=({"text": "a\x00b"},),
    ),
    Form(
        "development:delete",
        "leader",
        PLAN_TABLES,
        lambda w: {"next": st.sampled_from(["", f"/plans/{_own(w, 'plan')}/#actions"])},
        lambda w: {"next": f"/plans/{_own(w, 'plan')}/"},
        url=_url("development:delete", pk="pk:plan", kind="action", rid=_new_action),
        regressions=({"next": "0"}, {"next": "//evil.example/"}, {"next": "/\\evil.example"}),
    ),
    Form(
        "development:undo",
        "leader",
        PLAN_TABLES,
        lambda w: {"next": st.sampled_from(["", f"/plans/{_own(w, 'plan')}/#actions"])},
        lambda w: {"next": ""},
        url=_url(
            "development:undo",
            pk="pk:plan",
            kind="action",
            rid=lambda w: _new_action(w, deleted=True),
        ),
        regressions=({"next": "0"}, {"next": "https://evil.example/"}),
    ),
    Form(
        "development:stakeholders",
        "leader",
        STAKEHOLDER_TABLES,
        lambda w: PROFILE,
        lambda w: PROFILE_OK,
    ),
    Form(
        "development:stakeholder",
        "leader",
        STAKEHOLDER_TABLES,
        lambda w: (
            PROFILE
            | {
                "message": TEXT,
                "channel": WORDS,
                "cadence_days": st.sampled_from(["7", "14", "30"]),
                "next_touch": LATER,
            }
        ),
        lambda w: PROFILE_OK | {"message": "Numbers", "channel": "Email", "cadence_days": "14"},
    ),
    Form(
        "development:touch_add",
        "leader",
        STAKEHOLDER_TABLES,
        lambda w: {"day": DAYS, "note": TEXT},
        lambda w: {"day": "2025-05-31", "note": "Lunch"},
    ),
    Form(
        "development:trust_add",
        "leader",
        STAKEHOLDER_TABLES,
        lambda w: {
            "kind": st.sampled_from(list(DEPOSITS)),
            "amount": st.just(""),
            "day": DAYS,
            "note": TEXT,
        },
        lambda w: {"kind": next(iter(DEPOSITS)), "day": "2025-05-31", "note": "Kept a promise"},
    ),
    Form(
        "development:vision",
        "leader",
        TOOL_TABLES,
        lambda w: {f: TEXT for f in ("statement", "together", "people", "customers")},
        lambda w: {"statement": "Clear", "together": "More", "people": "", "customers": ""},
        regressions=({"statement": "a\x00b"},),
    ),
    Form(
        "development:vision_share",
        "leader",
        TOOL_TABLES,
        lambda w: {"action": st.sampled_from(["share", "revoke"])},
        lambda w: {"action": "share"},
    ),
    Form(
        "development:initiatives",
        "leader",
        TOOL_TABLES,
        lambda w: INITIATIVE,
        lambda w: INITIATIVE_OK,
    ),
    Form(
        "development:initiative",
        "leader",
        TOOL_TABLES,
        lambda w: INITIATIVE,
        lambda w: INITIATIVE_OK | {"size": "large"},
    ),
    Form(
        "development:kpis",
        "admin",
        TOOL_TABLES,
        lambda w: {"name": UNIQUE, "description": TEXT},
        lambda w: {"name": "Customer churn", "description": "Lost customers a month"},
        url=_url("development:kpis"),
    ),
    Form(
        "development:kpi",
        "admin",
        TOOL_TABLES,
        lambda w: {
            "action": st.sampled_from(["", "save", "delete"]),
            "name": UNIQUE,
            "description": TEXT,
            "active": st.sampled_from(["on", ""]),
        },
        lambda w: {"name": "Revenue", "description": "", "active": "on"},
        prepare=_link_metric_to_kpi,
    ),
    *(
        Form(
            key,  # a new metric, and an existing one edited
            "leader",
            TOOL_TABLES,
            lambda w: {"name": WORDS, "kpi": st.lists(_kpi_choice(w), max_size=1)},
            lambda w, metric=metric: {"name": metric, "kpi": [str(_own(w, "kpi"))]},
            regressions=_not_ids("kpi", name="x"),
        )
        for key, metric in (("development:metrics", "Churn"), ("development:metric", "NPS"))
    ),
    Form(
        "development:delegation",
        "leader",
        TOOL_TABLES,
        lambda w: DELEGATION,
        lambda w: {"work": "Reports", "candidate": "Dana", "stage": "chosen"},
    ),
    Form(
        "development:delegation_item",
        "leader",
        TOOL_TABLES,
        lambda w: DELEGATION,
        lambda w: {"work": "Reports", "candidate": "Eli", "stage": "handing", "note": ""},
    ),
    # Cycles: the org admin's pages, and the manager's decisions on proposed raters.
    Form(
        "cycles:leaders",
        "admin",
        CYCLE_TABLES,
        lambda w: {
            "person": st.lists(st.just(str(_own(w, "leader_person"))), max_size=1),
            "q": WORDS,
            "all": st.sampled_from(["", "0"]),
        },
        lambda w: {"person": [str(_own(w, "leader_person"))]},
        url=_url("cycles:leaders", pk=_draft_cycle),
        pages={},
        regressions=_not_ids("person"),
    ),
    Form(
        "cycles:start_nominating",
        "admin",
        CYCLE_TABLES,
        _empty,
        _none,
        url=_url("cycles:start_nominating", pk=_draft_cycle),
    ),
    Form(
        "cycles:open",
        "admin",
        CYCLE_TABLES,
        lambda w: {"override": st.sampled_from(["on", ""])},
        lambda w: {"override": "on"},
        url=_url("cycles:open", pk=lambda w: _draft_cycle(w)),
    ),
    Form("cycles:send", "admin", CYCLE_TABLES, _empty, _none),
    Form("cycles:remind", "admin", CYCLE_TABLES, _empty, _none),
    Form("cycles:close", "admin", CYCLE_TABLES, _empty, _none),
    Form(
        "cycles:release",
        "admin",
        CYCLE_TABLES,
        _empty,
        _none,
        url=_url("cycles:release", pk=_closed_cycle),
    ),
    Form(
        "cycles:assessment_remove",
        "admin",
        CYCLE_TABLES,
        _empty,
        _none,
        url=_url("cycles:assessment_remove", pk=_new_assessment),
    ),
    Form(
        "cycles:nomination_approve",
        "manager",
        CYCLE_TABLES,
        _empty,
        _none,
        url=_url("cycles:nomination_approve", pk=_new_nomination),
    ),
    Form(
        "cycles:nomination_decline",
        "manager",
        CYCLE_TABLES,
        _empty,
        _none,
        url=_url("cycles:nomination_decline", pk=_new_nomination),
    ),
    Form(
        "cycles:nomination_edit",
        "manager",
        CYCLE_TABLES,
        _nomination_fields,
        lambda w: {
            f"n{_own(w, 'nomination')}-name": "Ann B",
            f"n{_own(w, 'nomination')}-email": "ann.b@example.com",
            f"n{_own(w, 'nomination')}-group": "direct",
        },
    ),
    Form(
        "cycles:invitation_fix",
        "admin",
        CYCLE_TABLES,
        lambda w: {"email": EMAILS},
        lambda w: {"email": "rae.new@example.com"},
    ),
    # Reports, insights and exports of a released cycle.
    Form("reports:batch_start", "admin", ("reports.ReportBatch",), _empty, _none),
    Form("insights:refresh", "admin", ("insights.CycleInsights",), _empty, _none),
    Form(
        "exports:cycle",
        "admin",
        ("exports.Export",),
        lambda w: EXPORT,
        lambda w: {"format": "json", "tables": ["assessments", "gaps"]},
        regressions=({"format": "json", "tables": "0.0"},),
    ),
    Form(
        "exports:stream",
        "admin",
        ("exports.Export",),
        lambda w: EXPORT,
        lambda w: {"format": "csv", "tables": ["assessments"]},
        accepted_page=lambda r: r.status_code == 200 and r.streaming,
    ),
    # API keys.
    Form(
        "api:key_new",
        "admin",
        ("api.ApiKey",),
        lambda w: {"name": WORDS},
        lambda w: {"name": "HR sync"},
        url=_url("api:key_new"),
        accepted_page=lambda r: (
            r.status_code == 200 and CREATED_KEY in [t.name for t in r.templates]
        ),
    ),
    Form(
        "api:key_revoke",
        "admin",
        ("api.ApiKey",),
        _empty,
        _none,
        url=_url("api:key_revoke", pk=_new_key),
    ),
    # The rater's first page (the pages themselves: below).
    Form("survey:start", "rater", SURVEY_TABLES, _empty, _none),
    # Signing in: a new browser each time (a signed-in one is sent home).
    Form(
        "accounts:login",
        "fresh",
        ("orgs.Person",),
        lambda w: {
            "username": st.sampled_from(["lee", "admin", "nobody"]),
            "password": st.just(PASSWORD),
        },
        lambda w: {"username": "lee", "password": PASSWORD},
        url=_url("accounts:login"),
        pages={429: "Too many sign-in attempts failed"},
    ),
    Form(
        "accounts:link",
        "fresh",
        ("orgs.Person",),
        lambda w: {"email": st.sampled_from(["lee@example.com", "nobody@example.com"])},
        lambda w: {"email": "lee@example.com"},
        url=_url("accounts:link"),
    ),
    Form(
        "accounts:link_use",
        "fresh",
        ("orgs.Person",),
        _empty,
        _none,
        url=lambda w: reverse("accounts:link_use", args=[_fresh_link(w)]),
        pages={410: "This link no longer works", 429: "Too many"},
    ),
]


def _fresh_link(world: Any) -> str:
    from django.contrib.auth import get_user_model

    from leadwell.accounts.services import sign_in_link_create

    return sign_in_link_create(user=get_user_model().objects.get(username="lee"))


# -- the properties ------------------------------------------------------------------------------


def _model(label: str) -> type[models.Model]:
    from django.apps import apps

    app, name, *m2m = label.split(".")
    model = apps.get_model(app, name)
    return getattr(model, m2m[0]).through if m2m else model


def _rows(tables: tuple[str, ...]) -> dict[str, list[tuple[Any, ...]]]:
    return {
        label: list(_model(label)._default_manager.order_by("pk").values_list()) for label in tables
    }


def _unstorable(
    tables: tuple[str, ...], before: dict[str, list[tuple[Any, ...]]] | None = None
) -> list[str]:
    """Text in rows not as they were ``before`` that PostgreSQL would refuse."""
    return [
        problem
        for label, rows in _rows(tables).items()
        for problem in _bad_text(label, [r for r in rows if not before or r not in before[label]])
    ]


def _bad_text(label: str, rows: list[tuple[Any, ...]]) -> list[str]:
    """A NUL character, or more characters than the column holds."""
    bad = []
    for row in rows:
        for f, value in zip(_model(label)._meta.concrete_fields, row, strict=True):
            if not isinstance(value, str):
                continue
            if "\x00" in value:
                bad.append(f"{label} {row[0]} {f.name}: a NUL character")
            if f.max_length and len(value) > f.max_length:
                bad.append(f"{label} {row[0]} {f.name}: {len(value)} > {f.max_length}")
    return bad


def _queued(response: Any, level: int = messages.ERROR) -> list[str]:
    """The messages this request added (not those left from earlier ones)."""
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return [str(m.message) for m in queued if m.level >= level]


def _problems(response: Any) -> list[str]:
    """What the answer says is wrong: form errors, the page's ``error``, error messages."""
    found = _queued(response)
    for context in response.context or []:
        for value in context.get("form"), *(context.get("forms") or {}).values():
            if isinstance(value, BaseForm) and value.is_bound:
                found += [str(m) for errors in value.errors.values() for m in errors]
        if isinstance(context.get("error"), str) and context["error"]:
            found.append(context["error"])
        for item in context.get("errors") or []:
            found.append(item[1] if isinstance(item, tuple) else str(item))
    return found


def _local(location: str) -> bool:
    return location.startswith("/") and not location.startswith(("//", "/\\"))


PATTERNS = {p.key: p for p in url_patterns()}


def _client(world: Any, role: str) -> Client:
    return Client() if role == "fresh" else world.clients[role]


def _attempt(world: Any, form: Form, data: dict[str, Any]) -> str:
    """Post ``data``; check the properties; "accepted" or "refused"."""
    url = (form.url or (lambda w: _address(w, PATTERNS[form.key], "own")))(world)
    assert resolve(url).view_name == form.key, f"{url} is not {form.key}"
    before = _rows(form.tables)
    # A browser's POST always carries the CSRF field (the test client does not check it).
    response = _client(world, form.role).post(url, {"csrfmiddlewaretoken": "x" * 64, **data})
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # a stream fails while it is read
    status = response.status_code
    assert status < 500, f"{form.key}: {status} for {data!r:.300}"
    if form.accepted_page and form.accepted_page(response):
        outcome = "accepted"
    elif status in (301, 302, 303):
        assert _local(response["Location"]), f"{form.key} sends to {response['Location']!r}"
        outcome = "refused" if _queued(response) else "accepted"
    else:
        assert status in (200, 400, 410, 429), f"{form.key}: {status} for {data!r:.300}"
        outcome = "refused"
        page = response.content.decode()
        if status in form.pages:
            assert form.pages[status] in page, f"{form.key} {status}: {page[:500]}"
        else:
            problems = _problems(response)
            assert problems, f"{form.key} refused ({status}) without saying why: {data!r:.300}"
            assert any(escape(p) in page for p in problems), f"{form.key}: {problems} not shown"
    if outcome == "refused":
        assert _rows(form.tables) == before, f"{form.key} refused {data!r:.300} yet wrote"
    else:
        unstorable = _unstorable(form.tables, before)
        assert not unstorable, f"{form.key} stored {unstorable} from {data!r:.300}"
    return outcome


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.key)
def test_the_form_refuses_bad_input_with_a_message_and_writes_nothing(world, form):
    if form.prepare:
        form.prepare(world)
    assert _attempt(world, form, form.control(world)) == "accepted", "the valid control"

    @FUZZ
    @given(data=_posts(form.fields(world)))
    def fuzz(data: dict[str, Any]) -> None:
        event(_attempt(world, form, data))

    for regression in form.regressions:
        fuzz = example(data=regression)(fuzz)
    fuzz()


def test_the_properties_see_a_write_and_text_that_cannot_be_stored(world):
    """The controls of the checks: a changed row is seen; a NUL character and an overlong
    title are reported (checked on the row's values: PostgreSQL would not even store them)."""
    from leadwell.development.models import Plan

    plan = Plan.objects.get(pk=_own(world, "plan"))
    before = _rows(PLAN_TABLES)
    assert _unstorable(PLAN_TABLES, before) == []
    Plan.objects.filter(pk=plan.pk).update(title="Changed")
    assert _rows(PLAN_TABLES) != before
    row = list(Plan.objects.filter(pk=plan.pk).values_list().get())
    row[[f.name for f in Plan._meta.concrete_fields].index("title")] = "a\x00" + "x" * 200
    assert _bad_text("development.Plan", [tuple(row)]) == [
        f"development.Plan {plan.pk} title: a NUL character",
        f"development.Plan {plan.pk} title: 202 > 200",
    ]


# -- the rater's survey --------------------------------------------------------------------------


def _survey(world: Any) -> tuple[str, Any]:
    from leadwell.survey.selectors import survey_state
    from leadwell.survey.services import invitation_for_token

    token = world.own.tokens["survey"]
    return token, survey_state(invitation_for_token(token))


ANSWERS = st.integers(0, 5).map(str)
TOKENS = ["accounts:link_use", "survey:start", "survey:page", "survey:autosave", "survey:submit"]
WRONG_IDS = st.sampled_from(["L1", "Z9.9", "", "\x00", "L1.1 ", "١"]) | st.text(max_size=6)


@st.composite
def _page_posts(draw: st.DrawFn, state: Any) -> tuple[int, dict[str, Any]]:
    """A page number and its answers: out-of-range or non-numeric values, items of another
    page or of none, huge comments, NUL bytes, odd unicode, keys given twice."""
    number = draw(st.integers(1, len(state.plan)))
    page = state.plan.page(number)
    fields: dict[str, st.SearchStrategy[Any]] = {f"item-{i}": ANSWERS for i in page.item_ids}
    fields |= {f"comment-{q}": TEXT for q in page.question_ids}
    fields["action"] = st.sampled_from(["next", "back", "leave"])
    data = draw(_posts(fields))
    if draw(st.integers(0, 4)) == 0:  # an item this page does not have
        other = st.sampled_from(list(state.plan.item_ids)) | WRONG_IDS
        data[f"{draw(st.sampled_from(['item-', 'comment-']))}{draw(other)}"] = draw(ANSWERS)
    return number, data


def _page_form(world: Any, number: int) -> Form:
    token = world.own.tokens["survey"]
    url = reverse("survey:page", kwargs={"token": token, "number": number})
    return Form("survey:page", "rater", SURVEY_TABLES, _empty, _none, url=lambda w: url)


def test_survey_pages_refuse_hostile_answers_with_a_message_and_save_nothing(world):
    _, state = _survey(world)
    page = state.plan.page(1)
    control = {f"item-{i}": "3" for i in page.item_ids} | {"action": "next"}
    assert _attempt(world, _page_form(world, 1), control) == "accepted"
    first = page.item_ids[0]

    @settings(FUZZ, max_examples=30)
    @given(post=_page_posts(state))
    @example(post=(1, {f"item-{first}": ["3", "4"]}))  # given twice: the last one counts
    @example(post=(1, {f"item-{first}": "6"}))  # above the scale
    @example(post=(1, {f"item-{first}": "-1"}))
    @example(post=(1, {f"item-{first}": "9" * 5_000}))
    @example(post=(1, {"item-NOPE": "3"}))  # an item of no page
    @example(post=(len(state.plan), {f"comment-{state.plan.question_ids[0]}": "x\x00" * 9_000}))
    def fuzz(post: tuple[int, dict[str, Any]]) -> None:
        number, data = post
        event(_attempt(world, _page_form(world, number), data))

    fuzz()


def test_autosave_refuses_hostile_answers_in_json_and_saves_nothing(world):
    token, state = _survey(world)
    url = reverse("survey:autosave", kwargs={"token": token})
    client = world.clients["rater"]

    def attempt(number: Any, data: dict[str, Any]) -> str:
        before = _rows(SURVEY_TABLES)
        response = client.post(url, {**data, "page": number} if number is not MISSING else data)
        assert response.status_code in (200, 400), response.status_code
        body = response.json()
        if response.status_code == 200:
            assert body == {"saved": True}
            assert not _unstorable(SURVEY_TABLES, before)
            return "saved"
        assert body["saved"] is False
        assert body["errors"]
        assert all(e.strip() for e in body["errors"])
        assert _rows(SURVEY_TABLES) == before, f"refused {data!r:.300} yet wrote"
        return "refused"

    page = state.plan.page(1)
    assert attempt(1, {f"item-{i}": "2" for i in page.item_ids}) == "saved"

    @settings(FUZZ, max_examples=30)
    @given(post=_page_posts(state), number=_field(st.just("page")))
    @example(post=(1, {}), number="²")
    @example(post=(1, {}), number="0")
    @example(post=(1, {}), number="9" * 5_000)
    @example(post=(1, {f"item-{page.item_ids[0]}": "3.0"}), number="page")
    def fuzz(post: tuple[int, dict[str, Any]], number: Any) -> None:
        shown, data = post
        event(attempt(shown if number == "page" else number, data))

    fuzz()


def test_submit_takes_a_saved_draft_once_whatever_else_is_posted(world):
    """Submit reads the saved draft, never the POST: hostile fields change nothing; the
    response is stored once, or refused with the reason on the review page."""
    from leadwell.cycles.models import Response

    token, state = _survey(world)
    client = world.clients["rater"]
    for number in range(1, len(state.plan) + 1):
        page = state.plan.page(number)
        client.post(
            reverse("survey:page", kwargs={"token": token, "number": number}),
            {f"item-{i}": "4" for i in page.item_ids},
        )
    submit = reverse("survey:submit", kwargs={"token": token})

    @settings(FUZZ, max_examples=10)
    @given(data=_posts({"answers": HOSTILE, "item-L1": HOSTILE, "seconds": HOSTILE}))
    def fuzz(data: dict[str, Any]) -> None:
        before = Response.objects.count()
        response = client.post(submit, data)
        assert response.status_code in (200, 302, 400)
        if response.status_code == 302:
            assert response["Location"] == reverse("survey:thanks", kwargs={"token": token})
            assert Response.objects.count() == before + 1
        else:  # already received (200), or refused with its reason (400)
            assert Response.objects.count() == before
            page = response.content.decode()
            assert (
                ("already" in page.lower()) if response.status_code == 200 else _problems(response)
            )
        event(str(response.status_code))

    fuzz()
    assert (
        Response.objects.filter(assessment__invitations__pk=_own(world, "invitation")).count() == 1
    )


@settings(FUZZ, max_examples=25)
@given(token=HOSTILE.filter(lambda t: t.strip() and "/" not in t), key=st.sampled_from(TOKENS))
@example(token="\x00", key="accounts:link_use")
@example(token="9" * 5_000, key="survey:autosave")
def test_a_hostile_token_in_the_address_is_refused_without_a_server_error(db, token, key):
    """The token of a sign-in link or a survey is the address itself: any text, posted."""
    before = _rows(SURVEY_TABLES)
    client = Client()
    address = reverse(key, kwargs={"token": token} | ({"number": 1} if "page" in key else {}))
    response = client.post(address, {"page": "1", "item-L1": "3"})
    assert response.status_code in (404, 410, 429), response.status_code
    assert response.content.strip()
    assert _rows(SURVEY_TABLES) == before


# -- no form left out ----------------------------------------------------------------------------

#: POST views fuzzed in test_security_fuzz.py (checked: that file posts to each of them).
FUZZED_ELSEWHERE = ("orgs:import", "orgs:import_confirm", "cycles:create", "cycles:nominations")
#: POST views not fuzzed, and why.
EXCLUDED = {
    # Signing out takes no field: there is nothing to refuse (the matrix checks who may).
    "accounts:logout": "no field",
    # Django's own admin, for superusers: its forms are Django's, fuzzed by Django.
    "admin:*": "Django's admin",
    "django-admin/*": "Django's admin",
    # The JSON API takes keys, not forms; its bad input is tested in tests/api.
    "api:v1:*": "the JSON API",
}
SURVEY_TESTED = ("survey:page", "survey:autosave", "survey:submit")


def _takes_post(view: Callable[..., Any]) -> bool:
    """Whether the view handles POST: a class-based view with ``post``, or a function whose
    source (its decorators included) speaks of POST."""
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        return hasattr(view_class, "post")
    try:
        return "POST" in inspect.getsource(inspect.unwrap(view))
    except (OSError, TypeError):
        return True  # unknown: better listed than missed


def _unfuzzed(views: dict[str, Callable[..., Any]]) -> list[str]:
    covered = {f.key for f in FORMS} | set(FUZZED_ELSEWHERE) | set(SURVEY_TESTED)
    return [
        key
        for key, view in views.items()
        if _takes_post(view)
        and key not in covered
        and not any(fnmatch.fnmatchcase(key, glob) for glob in EXCLUDED)
    ]


def _views(world: Any) -> dict[str, Callable[..., Any]]:
    """Every URL pattern of the project (the authorization matrix's walk) and its view."""
    return {p.key: resolve(_address(world, p, "own")).func for p in PATTERNS.values()}


def test_every_view_that_takes_a_post_is_fuzzed_or_excluded(world):
    views = _views(world)
    assert not _unfuzzed(views), "fuzz these forms here, or list them in EXCLUDED with why"
    # The static look agrees with the matrix: every POST-only row is seen as taking POST.
    posts = {row.key for row in ROWS if row.method == "POST"} - {"admin:logout"}
    assert all(_takes_post(views[key]) for key in posts), posts
    fuzz_source = (Path(__file__).parent / "test_security_fuzz.py").read_text()
    for key in FUZZED_ELSEWHERE:
        assert f'reverse("{key}"' in fuzz_source, f"{key} is not fuzzed in test_security_fuzz.py"
    for key in (f.key for f in FORMS):
        assert key in views, f"{key} is no longer a URL name"


def test_a_new_form_fails_the_coverage_check():
    """The control of the coverage test: a view taking POST that nobody fuzzed is reported."""
    from leadwell.config.views import health
    from leadwell.cycles.views import invitation_fix

    assert _unfuzzed({"cycles:brand_new_form": invitation_fix}) == ["cycles:brand_new_form"]
    assert _unfuzzed({"cycles:brand_new_page": health, "admin:x": invitation_fix}) == []
