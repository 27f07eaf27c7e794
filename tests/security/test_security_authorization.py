"""The authorization matrix: every URL pattern of the project × every role × (where the URL
takes an id or a token) an object of the role's own organization and one of another.

The patterns come from the URL configuration itself (``get_resolver()`` walked through every
``include``, the API under /api/ and the Django admin included), so a new view fails
``test_every_url_pattern_has_a_row_in_the_table`` until its expected answers are written in
``TABLE`` below. Each cell is what the server must answer:

- ``200``, ``404`` (the answer to another role's or another organization's object: it looks
  missing), ``405`` (wrong method), ``410`` (a survey of a closed cycle), ``401`` (the API
  without a key), ``400`` (a POST without the form's fields);
- ``login``: a redirect to a sign-in page; ``302``: any other redirect (a done action, a
  form's next page);
- a code ending in ``!``: a refusal answered with that code (a redirect with a message, a form
  shown again) that must change nothing; ``any`` (the superuser in the Django admin): let in,
  neither sent to sign in nor a 5xx (the exact answer is the model admin's business).

Rows of views that only take POST (method ``POST``) hold the answer to an empty POST; for them
a GET must answer 405 (a login redirect first when ``login_required`` wraps the view), and the
POSTs that are refused (4xx, a login redirect, ``!``) must change no row of leadwell's tables.
docs/security-matrix.md renders this table for reading.

Roles (tests/security/conftest.py): anonymous; rater (opened their survey link: the token is
their credential, they have no session); leader (Lee, owns the assessment and the plan); coach
(assigned to Lee); manager (Maria, Lee's manager, plan shared with her); admin (Acme's org
admin); outsider (Globex's org admin: on "other" rows, Globex's objects are *their own*);
superuser (no organization). The API's own key × organization matrix is in
tests/security/test_security_api.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from security_matrix import ROLES, Pattern, code_of, fill, parse_table, row_for, url_patterns

# Where each URL parameter's value comes from: "pk:<object>" and "token:<link>" are the
# world's objects of the row's organization (conftest.Side); "=<text>" is a fixed value.
PLAN = {"pk": "pk:plan"}
ARGS: dict[str, dict[str, str]] = {
    "accounts:link_use": {"token": "token:link"},
    "cycles:detail": {"pk": "pk:cycle"},
    "cycles:leaders": {"pk": "pk:cycle"},
    "cycles:start_nominating": {"pk": "pk:cycle"},
    "cycles:open": {"pk": "pk:cycle"},
    "cycles:send": {"pk": "pk:open_cycle"},
    "cycles:remind": {"pk": "pk:open_cycle"},
    "cycles:close": {"pk": "pk:open_cycle"},
    "cycles:release": {"pk": "pk:cycle"},
    "cycles:nominations": {"pk": "pk:assessment"},
    "cycles:assessment_remove": {"pk": "pk:assessment"},
    "cycles:nomination_approve": {"pk": "pk:nomination"},
    "cycles:nomination_decline": {"pk": "pk:nomination"},
    "cycles:nomination_edit": {"pk": "pk:nomination"},
    "cycles:invitation_fix": {"pk": "pk:invitation"},
    "survey:start": {"token": "token:survey"},
    "survey:page": {"token": "token:survey", "number": "=1"},
    "survey:autosave": {"token": "token:survey"},
    "survey:review": {"token": "token:survey"},
    "survey:submit": {"token": "token:survey"},
    "survey:thanks": {"token": "token:survey"},
    "reports:detail": {"pk": "pk:assessment"},
    "reports:pdf": {"pk": "pk:assessment"},
    "reports:cycle": {"pk": "pk:cycle"},
    "reports:batch_start": {"pk": "pk:cycle"},
    "reports:batch": {"pk": "pk:batch"},
    "reports:batch_download": {"pk": "pk:batch"},
    "development:detail": PLAN,
    "development:edit": PLAN,
    "development:focus": {"pk": "pk:plan", "fid": "pk:focus"},
    "development:action_add": PLAN,
    "development:action_status": {"pk": "pk:plan", "aid": "pk:action"},
    "development:comment_add": PLAN,
    "development:delete": {"pk": "pk:plan", "kind": "=action", "rid": "pk:action"},
    "development:undo": {"pk": "pk:plan", "kind": "=action", "rid": "pk:deleted_action"},
    "development:export_json": PLAN,
    "development:export_pdf": PLAN,
    "development:stakeholders": PLAN,
    "development:stakeholder": {"pk": "pk:plan", "sid": "pk:stakeholder"},
    "development:touch_add": {"pk": "pk:plan", "sid": "pk:stakeholder"},
    "development:trust_add": {"pk": "pk:plan", "sid": "pk:stakeholder"},
    "development:calendar": PLAN,
    "development:vision": PLAN,
    "development:vision_print": PLAN,
    "development:vision_share": PLAN,
    "development:initiatives": PLAN,
    "development:initiative": {"pk": "pk:plan", "iid": "pk:initiative"},
    "development:kpi": {"kid": "pk:kpi"},
    "development:metrics": PLAN,
    "development:metric": {"pk": "pk:plan", "mid": "pk:metric"},
    "development:delegation": PLAN,
    "development:delegation_item": {"pk": "pk:plan", "did": "pk:delegation"},
    "vision_public": {"token": "token:vision"},
    "insights:cycle": {"pk": "pk:cycle"},
    "insights:status": {"pk": "pk:cycle"},
    "insights:refresh": {"pk": "pk:cycle"},
    "exports:cycle": {"pk": "pk:cycle"},
    "exports:stream": {"pk": "pk:cycle"},
    "exports:detail": {"pk": "pk:export"},
    "exports:download": {"pk": "pk:export"},
    "api:key_revoke": {"pk": "pk:key"},
    "api:docs_asset": {"name": "=swagger-ui.css"},
    "api:v1:person_detail": {"person_id": "pk:leader_person"},
    "api:v1:person_update": {"person_id": "pk:leader_person"},
    "api:v1:cycle_detail": {"cycle_id": "pk:cycle"},
    "api:v1:cycle_advance": {"cycle_id": "pk:cycle"},
    "api:v1:assessments_list": {"cycle_id": "pk:cycle"},
    "api:v1:assessments_add": {"cycle_id": "pk:cycle"},
    "api:v1:assessment_detail": {"assessment_id": "pk:assessment"},
    "api:v1:nominations_list": {"assessment_id": "pk:assessment"},
    "api:v1:nomination_propose": {"assessment_id": "pk:assessment"},
    "api:v1:nomination_approve": {"nomination_id": "pk:nomination"},
    "api:v1:nomination_decline": {"nomination_id": "pk:nomination"},
    "api:v1:assessment_report": {"assessment_id": "pk:assessment"},
    "api:v1:cycle_results": {"cycle_id": "pk:cycle"},
    "api:v1:export_create": {"cycle_id": "pk:cycle"},
    "api:v1:export_detail": {"export_id": "pk:export"},
    "api:v1:export_file": {"export_id": "pk:export"},
}
# Regular-expression routes (no <name> parameters) get a fixed address.
LITERAL = {
    "api/^(?!keys(?:/|$))(?P<path>.*)$": "/api/no-such-thing",
    "django-admin/(?P<url>.*)$": "/django-admin/no-such-thing/",
}

TABLE = """
# URL name or route                verb scope anon  rater leadr coach mangr admin outsd super
home                               GET  -     login login 302   302   302   302   302   302

health                             GET  -     200   200   200   200   200   200   200   200

accounts:login                     GET  -     200   200   302   302   302   302   302   302
accounts:logout                    POST -     login login login login login login login login
accounts:link                      GET  -     200   200   200   200   200   200   200   200
accounts:link_sent                 GET  -     200   200   200   200   200   200   200   200
accounts:link_use                  GET  own   200   200   200   200   200   200   200   200
accounts:link_use                  GET  other 200   200   200   200   200   200   200   200

orgs:people                        GET  -     login login 200   200   200   200   200   404
orgs:import                        GET  -     login login 404   404   404   200   200   404
orgs:import_sample                 GET  -     login login 404   404   404   200   200   404
orgs:import_preview                GET  -     login login 404   404   404   302   302   404
orgs:import_bad_rows               GET  -     login login 404   404   404   302   302   404
orgs:import_confirm                POST -     login login 404   404   404   302   302   404

cycles:list                        GET  -     login login 200   200   200   200   200   404
cycles:create                      GET  -     login login 404   404   404   200   200   404
cycles:detail                      GET  own   login login 404   404   404   200   404   404
cycles:detail                      GET  other login login 404   404   404   404   200   404
cycles:leaders                     GET  own   login login 404   404   404   200   404   404
cycles:leaders                     GET  other login login 404   404   404   404   200   404
cycles:start_nominating            POST own   login login 404   404   404   302   404   404
cycles:start_nominating            POST other login login 404   404   404   404   302   404
cycles:open                        POST own   login login 404   404   404   302   404   404
cycles:open                        POST other login login 404   404   404   404   302   404
cycles:send                        POST own   login login 404   404   404   302   404   404
cycles:send                        POST other login login 404   404   404   404   302   404
cycles:remind                      POST own   login login 404   404   404   302   404   404
cycles:remind                      POST other login login 404   404   404   404   302   404
cycles:close                       POST own   login login 404   404   404   302   404   404
cycles:close                       POST other login login 404   404   404   404   302   404
cycles:release                     POST own   login login 404   404   404   302   404   404
cycles:release                     POST other login login 404   404   404   404   302   404
cycles:nominations                 GET  own   login login 200   404   200   200   404   404
cycles:nominations                 GET  other login login 404   404   404   404   200   404
cycles:assessment_remove           POST own   login login 404   404   404   302   404   404
cycles:assessment_remove           POST other login login 404   404   404   404   302   404
cycles:nomination_approve          POST own   login login 302!  404   302   302   404   404
cycles:nomination_approve          POST other login login 404   404   404   404   302   404
cycles:nomination_decline          POST own   login login 302!  404   302   302   404   404
cycles:nomination_decline          POST other login login 404   404   404   404   302   404
cycles:nomination_edit             POST own   login login 302!  404   302   302   404   404
cycles:nomination_edit             POST other login login 404   404   404   404   302   404
cycles:invitation_fix              GET  own   login login 404   404   404   200   404   404
cycles:invitation_fix              GET  other login login 404   404   404   404   200   404

survey:start                       GET  own   200   200   200   200   200   200   200   200
survey:start                       GET  other 200   200   200   200   200   200   200   200
survey:page                        GET  own   200   200   200   200   200   200   200   200
survey:page                        GET  other 200   200   200   200   200   200   200   200
survey:autosave                    POST own   400   400   400   400   400   400   400   400
survey:autosave                    POST other 400   400   400   400   400   400   400   400
survey:review                      GET  own   200   200   200   200   200   200   200   200
survey:review                      GET  other 200   200   200   200   200   200   200   200
survey:submit                      POST own   302!  302!  302!  302!  302!  302!  302!  302!
survey:submit                      POST other 302!  302!  302!  302!  302!  302!  302!  302!
survey:thanks                      GET  own   302   302   302   302   302   302   302   302
survey:thanks                      GET  other 302   302   302   302   302   302   302   302

reports:detail                     GET  own   login login 200   200   404   200   404   404
reports:detail                     GET  other login login 404   404   404   404   200   404
reports:pdf                        GET  own   login login 200   200   404   200   404   404
reports:pdf                        GET  other login login 404   404   404   404   200   404
reports:cycle                      GET  own   login login 404   404   404   200   404   404
reports:cycle                      GET  other login login 404   404   404   404   200   404
reports:batch_start                POST own   login login 404   404   404   302   404   404
reports:batch_start                POST other login login 404   404   404   404   302   404
reports:batch                      GET  own   login login 404   404   404   200   404   404
reports:batch                      GET  other login login 404   404   404   404   200   404
# The batch is still queued: no ZIP yet, so its org admin gets 404 too (not a control).
reports:batch_download             GET  own   login login 404   404   404   404   404   404
reports:batch_download             GET  other login login 404   404   404   404   404   404
reports:log                        GET  -     login login 404   404   404   200   200   404

development:list                   GET  -     login login 200   200   200   200   200   404
development:new                    GET  -     login login 200   404   200   404   404   404
development:detail                 GET  own   login login 200   200   200   404   404   404
development:detail                 GET  other login login 404   404   404   404   404   404
development:edit                   POST own   login login 302   404   404   404   404   404
development:edit                   POST other login login 404   404   404   404   404   404
development:focus                  POST own   login login 302   404   404   404   404   404
development:focus                  POST other login login 404   404   404   404   404   404
development:action_add             POST own   login login 302   404   404   404   404   404
development:action_add             POST other login login 404   404   404   404   404   404
development:action_status          POST own   login login 302   404   404   404   404   404
development:action_status          POST other login login 404   404   404   404   404   404
development:comment_add            POST own   login login 302   302   404   404   404   404
development:comment_add            POST other login login 404   404   404   404   404   404
development:delete                 GET  own   login login 200   404   404   404   404   404
development:delete                 GET  other login login 404   404   404   404   404   404
development:undo                   POST own   login login 302   404   404   404   404   404
development:undo                   POST other login login 404   404   404   404   404   404
development:export_json            GET  own   login login 200   404   404   404   404   404
development:export_json            GET  other login login 404   404   404   404   404   404
development:export_pdf             GET  own   login login 200   404   404   404   404   404
development:export_pdf             GET  other login login 404   404   404   404   404   404
development:stakeholders           GET  own   login login 200   200   200   404   404   404
development:stakeholders           GET  other login login 404   404   404   404   404   404
development:stakeholder            GET  own   login login 200   200   200   404   404   404
development:stakeholder            GET  other login login 404   404   404   404   404   404
development:touch_add              POST own   login login 200!  404   404   404   404   404
development:touch_add              POST other login login 404   404   404   404   404   404
development:trust_add              POST own   login login 200!  404   404   404   404   404
development:trust_add              POST other login login 404   404   404   404   404   404
development:calendar               GET  own   login login 302   404   404   404   404   404
development:calendar               GET  other login login 404   404   404   404   404   404
development:vision                 GET  own   login login 200   200   200   404   404   404
development:vision                 GET  other login login 404   404   404   404   404   404
development:vision_print           GET  own   login login 200   200   200   404   404   404
development:vision_print           GET  other login login 404   404   404   404   404   404
development:vision_share           POST own   login login 302   404   404   404   404   404
development:vision_share           POST other login login 404   404   404   404   404   404
development:initiatives            GET  own   login login 200   200   200   404   404   404
development:initiatives            GET  other login login 404   404   404   404   404   404
development:initiative             GET  own   login login 200   200   200   404   404   404
development:initiative             GET  other login login 404   404   404   404   404   404
development:kpis                   GET  -     login login 404   404   404   200   200   404
development:kpi                    POST own   login login 404   404   404   302   404   404
development:kpi                    POST other login login 404   404   404   404   302   404
development:metrics                GET  own   login login 200   200   200   404   404   404
development:metrics                GET  other login login 404   404   404   404   404   404
development:metric                 POST own   login login 302   404   404   404   404   404
development:metric                 POST other login login 404   404   404   404   404   404
development:delegation             GET  own   login login 200   200   200   404   404   404
development:delegation             GET  other login login 404   404   404   404   404   404
development:delegation_item        POST own   login login 302   404   404   404   404   404
development:delegation_item        POST other login login 404   404   404   404   404   404

vision_public                      GET  own   200   200   200   200   200   200   200   200
vision_public                      GET  other 200   200   200   200   200   200   200   200

insights:index                     GET  -     login login 404   404   404   200   200   404
insights:cycle                     GET  own   login login 404   404   404   200   404   404
insights:cycle                     GET  other login login 404   404   404   404   200   404
insights:status                    GET  own   login login 404   404   404   200   404   404
insights:status                    GET  other login login 404   404   404   404   200   404
insights:refresh                   POST own   login login 404   404   404   302   404   404
insights:refresh                   POST other login login 404   404   404   404   302   404

exports:cycle                      GET  own   login login 404   404   404   200   404   404
exports:cycle                      GET  other login login 404   404   404   404   200   404
exports:stream                     POST own   login login 404   404   404   302   404   404
exports:stream                     POST other login login 404   404   404   404   302   404
exports:detail                     GET  own   login login 404   404   404   200   404   404
exports:detail                     GET  other login login 404   404   404   404   200   404
exports:download                   GET  own   login login 404   404   404   200   404   404
exports:download                   GET  other login login 404   404   404   404   200   404

api:keys                           GET  -     login login 404   404   404   200   200   404
api:key_new                        GET  -     login login 404   404   404   200   200   404
api:key_revoke                     GET  own   login login 404   404   404   200   404   404
api:key_revoke                     GET  other login login 404   404   404   404   200   404
api:docs_asset                     GET  own   200   200   200   200   200   200   200   200
api:docs_asset                     GET  other 200   200   200   200   200   200   200   200
api:root                           GET  -     302   302   302   302   302   302   302   302
api:v1:openapi-json                GET  -     200   200   200   200   200   200   200   200
api:v1:openapi-view                GET  -     200   200   200   200   200   200   200   200
api:v1:people_list                 GET  -     401   401   401   401   401   401   401   401
api:v1:person_create               GET  -     401   401   401   401   401   401   401   401
api:v1:people_sync                 GET  -     405   405   405   405   405   405   405   405
api:v1:person_detail               GET  own   401   401   401   401   401   401   401   401
api:v1:person_detail               GET  other 401   401   401   401   401   401   401   401
api:v1:person_update               GET  own   401   401   401   401   401   401   401   401
api:v1:person_update               GET  other 401   401   401   401   401   401   401   401
api:v1:cycles_list                 GET  -     401   401   401   401   401   401   401   401
api:v1:cycle_create                GET  -     401   401   401   401   401   401   401   401
api:v1:cycle_detail                GET  own   401   401   401   401   401   401   401   401
api:v1:cycle_detail                GET  other 401   401   401   401   401   401   401   401
api:v1:cycle_advance               GET  own   405   405   405   405   405   405   405   405
api:v1:cycle_advance               GET  other 405   405   405   405   405   405   405   405
api:v1:assessments_list            GET  own   401   401   401   401   401   401   401   401
api:v1:assessments_list            GET  other 401   401   401   401   401   401   401   401
api:v1:assessments_add             GET  own   401   401   401   401   401   401   401   401
api:v1:assessments_add             GET  other 401   401   401   401   401   401   401   401
api:v1:assessment_detail           GET  own   401   401   401   401   401   401   401   401
api:v1:assessment_detail           GET  other 401   401   401   401   401   401   401   401
api:v1:nominations_list            GET  own   401   401   401   401   401   401   401   401
api:v1:nominations_list            GET  other 401   401   401   401   401   401   401   401
api:v1:nomination_propose          GET  own   401   401   401   401   401   401   401   401
api:v1:nomination_propose          GET  other 401   401   401   401   401   401   401   401
api:v1:nomination_approve          GET  own   405   405   405   405   405   405   405   405
api:v1:nomination_approve          GET  other 405   405   405   405   405   405   405   405
api:v1:nomination_decline          GET  own   405   405   405   405   405   405   405   405
api:v1:nomination_decline          GET  other 405   405   405   405   405   405   405   405
api:v1:assessment_report           GET  own   401   401   401   401   401   401   401   401
api:v1:assessment_report           GET  other 401   401   401   401   401   401   401   401
api:v1:cycle_results               GET  own   401   401   401   401   401   401   401   401
api:v1:cycle_results               GET  other 401   401   401   401   401   401   401   401
api:v1:export_create               GET  own   405   405   405   405   405   405   405   405
api:v1:export_create               GET  other 405   405   405   405   405   405   405   405
api:v1:export_detail               GET  own   401   401   401   401   401   401   401   401
api:v1:export_detail               GET  other 401   401   401   401   401   401   401   401
api:v1:export_file                 GET  own   401   401   401   401   401   401   401   401
api:v1:export_file                 GET  other 401   401   401   401   401   401   401   401
api:v1:api-root                    GET  -     302   302   302   302   302   302   302   302

api/^(?!keys(?:/|$))(?P<path>.*)$  GET  own   404   404   404   404   404   404   404   404
api/^(?!keys(?:/|$))(?P<path>.*)$  GET  other 404   404   404   404   404   404   404   404

# The Django admin: staff only. "any" (the superuser's cells): let in, i.e. neither a login
# redirect nor a 5xx (the exact answer depends on the model's admin: read-only admins answer
# 403 to add, a missing row redirects to the index).
admin:login                        GET  -     200   200   200   200   200   200   200   302
admin:logout                       POST -     302   302   302   302   302   302   302   login
admin:*                            GET  -     login login login login login login login any
django-admin/*                     GET  -     login login login login login login login any
"""

ROWS = parse_table(TABLE, ROLES)
PATTERNS = url_patterns()
# What a GET of a POST-only view answers when it is not simply 405: login_required wraps
# require_POST (the anonymous are sent to sign in first); Django's admin logout redirects.
GET_OF_POST = {"orgs:import_confirm": {"405", "login"}, "admin:logout": {"302", "405", "login"}}


def _admin_values(pattern: Pattern) -> dict[str, Any]:
    """The Django admin's parameters: the first row of the pattern's model (0 when none)."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from leadwell.orgs.models import Organization

    parts = pattern.route.split("/")
    try:
        model = apps.get_model(parts[1], parts[2]) if len(parts) > 3 else None
    except (LookupError, ValueError):
        model = None
    first = model._default_manager.order_by("pk").first() if model else None
    values: dict[str, Any] = {"object_id": first.pk if first else 0, "app_label": "orgs"}
    values["id"] = values["object_id"]
    if "content_type_id" in pattern.route:
        values["content_type_id"] = ContentType.objects.get_for_model(Organization).pk
        values["object_id"] = Organization.objects.order_by("pk").first().pk
    return values


def _address(world: Any, pattern: Pattern, scope: str) -> str:
    if pattern.route in LITERAL:
        return LITERAL[pattern.route]
    if pattern.route.startswith("django-admin/"):
        return fill(pattern.route, _admin_values(pattern))
    side, values = world.side(scope), {}
    for name, source in ARGS.get(pattern.key, {}).items():
        kind, _, what = source.partition(":")
        if source.startswith("="):
            values[name] = source[1:]
        else:
            values[name] = (side.tokens if kind == "token" else side.pks)[what]
    return fill(pattern.route, values)


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of leadwell's own tables: what a refused POST must leave as it was."""
    from django.apps import apps

    return {
        model._meta.label: list(model._default_manager.order_by("pk").values_list())
        for config in apps.get_app_configs()
        if config.name.startswith("leadwell")
        for model in config.get_models()
    }


def _refused(expected: str) -> bool:
    """Whether the cell is a refusal: a sign-in redirect, a 4xx, or a code marked "!"."""
    return expected == "login" or expected.startswith("4") or expected.endswith("!")


def _matches(expected: str, got: str) -> bool:
    if expected == "any":  # let in: neither sent to sign in nor a server error
        return got != "login" and not got.startswith("5")
    return expected.rstrip("!") == got


def _posts(pattern: Pattern) -> bool:
    return any(row.method == "POST" for row in row_for(pattern, ROWS))


def _group(pattern: Pattern) -> str:
    """GET-only patterns are checked by group (one world per group keeps the run short)."""
    if pattern.route.startswith("django-admin/"):
        return "django-admin"
    if pattern.route.startswith("api/") and pattern.key not in ("api:keys", "api:key_new"):
        return "api" if not pattern.key.startswith("api:v1:") else "api:v1"
    return pattern.key.split(":")[0] if ":" in pattern.key else pattern.key


CASES: dict[str, list[Pattern]] = {}
for _pattern in PATTERNS:
    _case = f"POST {_pattern.key}" if _posts(_pattern) else f"GET {_group(_pattern)}"
    CASES.setdefault(_case, []).append(_pattern)


def _unchanged(before: dict[str, Any], refused: list[str]) -> list[str]:
    after = _snapshot()
    changed = [label for label, rows in after.items() if rows != before[label]]
    return [f"refused POSTs ({', '.join(refused)}) changed {changed}"] if changed else []


def _check(world: Any, pattern: Pattern) -> list[str]:
    """The cells of ``pattern`` whose answer is not the table's; refusals that change rows."""
    wrong = []
    cells = [
        (row, role, code) for row in row_for(pattern, ROWS) for role, code in row.cells.items()
    ]
    # Refusals first, between two snapshots (one per cell would double the run): a refused
    # POST must change no row, and an action a role may take must not change what the others
    # are refused.
    cells.sort(key=lambda cell: not _refused(cell[2]))
    refused = [f"{c[1]} {c[0].scope}" for c in cells if _refused(c[2])]
    before = _snapshot() if refused and _posts(pattern) else None
    for index, (row, role, expected) in enumerate(cells):
        if before is not None and index == len(refused):
            wrong += _unchanged(before, refused)
            before = None
        url = _address(world, pattern, row.scope)
        client = world.clients[role]
        got = code_of(client.get(url) if row.method == "GET" else client.post(url, {}))
        if not _matches(expected, got):
            wrong.append(f"{role} {row.scope} {row.method} {url}: expected {expected}, got {got}")
    if before is not None:
        wrong += _unchanged(before, refused)
    if _posts(pattern):
        allowed = GET_OF_POST.get(pattern.key, {"405"})
        for role, client in world.clients.items():
            for scope in {row.scope for row in row_for(pattern, ROWS)}:
                got = code_of(client.get(_address(world, pattern, scope)))
                if got not in allowed:
                    wrong.append(f"{role} {scope} GET of a POST-only view: got {got}")
    return wrong


def test_every_url_pattern_has_a_row_in_the_table():
    missing = [p.key for p in PATTERNS if not row_for(p, ROWS)]
    assert not missing, f"write the expected answers of these URL patterns in TABLE: {missing}"


def test_every_row_of_the_table_is_about_a_url_pattern():
    stale = [r.key for r in ROWS if not any(row_for(p, [r]) for p in PATTERNS)]
    assert not stale, f"these rows name no URL pattern: {stale}"


def test_the_walk_finds_every_app_the_api_and_the_django_admin():
    keys = {p.key for p in PATTERNS}
    assert {"api:v1:people_list", "api:keys", "admin:index", "survey:start"} <= keys
    assert {k.split(":")[0] for k in keys if ":" in k} >= {
        "accounts", "orgs", "cycles", "survey", "reports", "development", "insights",
        "exports", "api", "admin",
    }  # fmt: skip
    assert len(PATTERNS) > 150, len(PATTERNS)


def test_an_unknown_url_name_fails_the_coverage_check():
    """The control of the coverage test: a pattern nobody wrote a row for is reported."""
    assert not row_for(Pattern("cycles:brand_new_view", "cycles/new-view/"), ROWS)
    assert row_for(Pattern("admin:orgs_unit_changelist", "django-admin/orgs/unit/"), ROWS)


@pytest.mark.parametrize("case", list(CASES), ids=str)
def test_each_role_gets_the_answer_the_table_expects(world, case):
    wrong = [line for pattern in CASES[case] for line in _check(world, pattern)]
    assert not wrong, "\n".join(wrong)


def test_the_snapshot_sees_a_change_made_by_a_refused_post(world):
    """The control of the "refused yet rows changed" check."""
    from leadwell.development.models import Plan

    before = _snapshot()
    assert _unchanged(before, ["leader own"]) == []
    Plan.objects.filter(pk=world.own.pks["plan"]).update(title="Changed")
    assert _unchanged(before, ["leader own"]) == [
        "refused POSTs (leader own) changed ['development.Plan']"
    ]
