"""Writes of the rater's survey: find the invitation behind a link, save a draft, submit.

Unlinkability (issue 3, item 6). Once submitted, an answer set is a :class:`Response` with a
random UUID, the assessment and the declared group, the answer bytes and a coarse duration;
its comments are :class:`ResponseComment` rows with random UUIDs. Nothing in either table points
to the invitation, the nomination or the rater, and neither has a timestamp. The invitation
records only *that* its rater answered (status "submitted", no submission time), and the draft,
the one row that tied answers to a rater, is deleted in the same transaction.

What else could tie a response to its rater, and what this module does about it:

- Insertion order. SQLite numbers rows of a table in insertion order (the hidden ``rowid``),
  and the physical order of the table follows it. Responses and comments are inserted here with
  a random 62-bit ``rowid``, so both their numbering and their place in the file are random.
  PostgreSQL appends new rows to the heap, so a row's physical position (``ctid``) follows
  submission order among the responses while a cycle is open. :func:`response_shuffle`
  rewrites a cycle's responses in a random order; ``leadwell.cycles.services.cycle_close``
  should call it (it then also gives every response the same transaction id, below).
- Transaction ids (PostgreSQL). Every row carries the id of the transaction that wrote it
  (``xmin``, readable by any role that can read the table), and the invitation's status change
  is written in the same transaction as the response. To keep the invitation from carrying its
  own submission's id, the same UPDATE rewrites every already-submitted invitation of the
  assessment: all of them then carry the latest submission's id, which says only that the
  latest response came from one of them.
- Time. The duration kept for the speeding flag is rounded to the minute and capped at two
  hours (:func:`coarse_seconds`), so it is no fingerprint of when someone started or stopped.
- Deleted rows. The deleted draft held the same bytes as the response. On SQLite the settings
  turn on ``PRAGMA secure_delete`` so freed space is zeroed. On PostgreSQL the old row versions
  (the draft, the invitation before its update) stay in the table files as dead tuples until
  VACUUM reclaims them; reading them needs superuser access to the files or pageinspect.

What an attacker with the database can still learn: which invitations have been submitted
(by design); on PostgreSQL, while a cycle is open, the order in which an assessment's
responses arrived (not who sent them); from two copies taken at different times (for example
two backups while a cycle is open), which responses arrived between them and which
invitations changed to submitted in that time: when only one did, the two are linked. The
write-ahead log (both databases) and web-server access logs that record the survey's URLs with
their times carry the same kind of timing; docs/rater-guide.md says what operators should do.
Reports apply the k rule on top of all this: no figure rests on fewer than k anonymous raters.
"""

from __future__ import annotations

import math
import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from leadwell.cycles.answers import cycle_instrument, encode_answers
from leadwell.cycles.models import (
    Assessment,
    Cycle,
    Draft,
    Invitation,
    Response,
    ResponseComment,
)
from leadwell.cycles.services import hash_token
from leadwell.orgs.models import Person
from leadwell.survey.layout import PagePlan, page_plan

__all__ = [
    "COMMENT_LIMIT",
    "MAX_SECONDS",
    "SurveyClosed",
    "SurveyError",
    "SurveyNotFound",
    "coarse_seconds",
    "draft_save",
    "invitation_for_token",
    "plan_for",
    "response_shuffle",
    "response_submit",
]

#: The longest answer to an open question, in characters (about two pages of text).
COMMENT_LIMIT = 4000
#: Durations above this are stored as this: longer means the rater paused, not that they read.
MAX_SECONDS = 7200.0
#: Keys of a draft's JSON that are not answers to open questions.
STARTED, NOT_OBSERVED = "_started", "_not_observed"
_MAX_TOKEN = 200


class SurveyError(ValueError):
    """Input the survey cannot take (an answer outside the scale, an unknown item, …)."""


class SurveyNotFound(LookupError):
    """No invitation has this link: mistyped, or replaced by a newer link."""


class SurveyClosed(Exception):
    """The survey behind this link takes no more answers.

    ``reason`` is ``"submitted"`` (the rater's answers were received), ``"closed"`` (the cycle
    closed) or ``"not_open"`` (the cycle has not opened yet).
    """

    def __init__(self, reason: str, invitation: Invitation | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


def invitation_for_token(raw_token: str) -> Invitation:
    """The invitation behind a raw token, with its assessment, cycle, leader and draft loaded.

    Raises
    ------
    SurveyNotFound
        No invitation has this token.
    SurveyClosed
        The rater has submitted (reason "submitted"; checked first, so a rater can always see
        that their answers arrived), or the cycle is not open.
    """
    if not raw_token or len(raw_token) > _MAX_TOKEN:
        raise SurveyNotFound(raw_token[:20])
    invitation = _invitation_by_hash(hash_token(raw_token))
    if invitation is None:
        raise SurveyNotFound(raw_token[:20])
    if invitation.status == Invitation.SUBMITTED:
        raise SurveyClosed("submitted", invitation)
    _check_cycle(invitation.assessment.cycle.status, invitation)
    return invitation


@dataclass(frozen=True)
class _Joined:
    """One model of the token look-up's join: its columns' place in the row, its converters."""

    model: Any
    start: int
    stop: int
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]

    def instance(self, row: tuple[Any, ...], alias: str) -> Any:
        values = list(row[self.start : self.stop])
        for index, converters, expression in self.converters:
            for convert in converters:
                values[index] = convert(values[index], expression, connection)
        return self.model.from_db(alias, self.attnames, values)


_LOOKUP: dict[str, tuple[str, tuple[_Joined, ...]]] = {}


def _lookup_sql() -> tuple[str, tuple[_Joined, ...]]:
    """The token look-up as one SQL statement, built once per database vendor.

    The same join as ``select_related("assessment__cycle", "assessment__leader", "draft")``,
    written out: every survey request starts with it, and compiling the ORM query each time
    cost more than running it (issue 3, docs/benchmarks.md "Submissions").
    """
    if cached := _LOOKUP.get(connection.vendor):
        return cached
    quote = connection.ops.quote_name
    tables = [
        (Invitation, "i", ""),
        (Assessment, "a", "JOIN {t} a ON a.id = i.assessment_id"),
        (Cycle, "c", "JOIN {t} c ON c.id = a.cycle_id"),
        (Person, "p", "JOIN {t} p ON p.id = a.leader_id"),
        (Draft, "d", "LEFT JOIN {t} d ON d.invitation_id = i.id"),
    ]
    columns: list[str] = []
    joins: list[str] = []
    parts: list[_Joined] = []
    for model, alias, join in tables:
        fields = model._meta.concrete_fields
        start = len(columns)
        columns.extend(f"{alias}.{quote(field.column)}" for field in fields)
        converters = []
        for index, field in enumerate(fields):
            expression = field.get_col(alias)
            found = connection.ops.get_db_converters(expression) + field.get_db_converters(
                connection
            )
            if found:
                converters.append((index, tuple(found), expression))
        attnames = tuple(field.attname for field in fields)
        parts.append(_Joined(model, start, len(columns), attnames, tuple(converters)))
        if join:
            joins.append(join.format(t=quote(model._meta.db_table)))
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(Invitation._meta.db_table)} i "
        f"{' '.join(joins)} WHERE i.token_hash = %s"
    )
    _LOOKUP[connection.vendor] = (sql, tuple(parts))
    return sql, tuple(parts)


def _invitation_by_hash(token_hash: str) -> Invitation | None:
    """The invitation with this token hash and its assessment, cycle, leader and draft cached,
    or None. One statement, as the ORM's select_related would send, without compiling it."""
    sql, parts = _lookup_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [token_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    alias = connection.alias
    invitation, assessment, cycle, leader = (part.instance(row, alias) for part in parts[:4])
    draft_part = parts[4]
    draft = None
    if row[draft_part.start] is not None:
        draft = draft_part.instance(row, alias)
        Draft._meta.get_field("invitation").set_cached_value(draft, invitation)
    Assessment._meta.get_field("cycle").set_cached_value(assessment, cycle)
    Assessment._meta.get_field("leader").set_cached_value(assessment, leader)
    Invitation._meta.get_field("assessment").set_cached_value(invitation, assessment)
    Invitation._meta.get_field("draft").set_cached_value(invitation, draft)
    return invitation


def _check_cycle(status: str, invitation: Invitation) -> None:
    if status in (Cycle.DRAFT, Cycle.NOMINATING):
        raise SurveyClosed("not_open", invitation)
    if status != Cycle.OPEN:
        raise SurveyClosed("closed", invitation)


def plan_for(invitation: Invitation) -> PagePlan:
    instrument = cycle_instrument(invitation.assessment.cycle)
    return page_plan(instrument, is_self=invitation.group == "self")


def draft_save(
    invitation: Invitation,
    *,
    answers: Mapping[str, int | None],
    comments: Mapping[str, str],
    page: int | None,
) -> Draft:
    """Save answers in progress; creates the draft on first use and marks the rater started.

    Parameters
    ----------
    answers
        Item id → 1-5, 0 for "Not observed" chosen, None for no answer. Items not given keep
        what was saved before.
    comments
        Open question id → text; questions not given keep what was saved before.
    page
        Where the rater is now (1 to the number of pages, one more for the review step), or
        None to keep the saved page.

    Raises
    ------
    SurveyError
        Bad input; nothing is saved.
    SurveyClosed
        The rater submitted in the meantime (another tab) or the cycle closed.
    """
    plan = plan_for(invitation)
    _check_answers(answers, plan)
    texts = _check_comments(comments, plan)
    if page is not None and not 1 <= page <= len(plan) + 1:
        raise SurveyError(
            _("There is no page %(page)s; the survey has %(count)s pages.")
            % {"page": page, "count": len(plan)}
        )
    with transaction.atomic():
        locked = _lock(invitation)
        if locked == Invitation.SUBMITTED:
            raise SurveyClosed("submitted", invitation)
        draft = _draft_of(invitation)
        if draft is None:
            draft = Draft(invitation=invitation, comments={STARTED: int(time.time())})
            draft.answers = bytes(len(cycle_instrument(invitation.assessment.cycle).item_ids))
        _merge(draft, answers, texts, invitation)
        if page is not None:
            draft.page = page
        _draft_write(draft)
        if locked in (Invitation.PENDING, Invitation.SENT):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {connection.ops.quote_name(Invitation._meta.db_table)} "
                    "SET status = %s WHERE id = %s",
                    [Invitation.STARTED, invitation.pk],
                )
            invitation.status = Invitation.STARTED
    return draft


def _draft_of(invitation: Invitation) -> Draft | None:
    """The invitation's draft as stored now (read under the lock: another tab may have saved)."""
    _, parts = _lookup_sql()
    draft_part = parts[4]
    with connection.cursor() as cursor:
        cursor.execute(_draft_sql(), [invitation.pk])
        row = cursor.fetchone()
    if row is None:
        return None
    draft = draft_part.instance((None,) * draft_part.start + tuple(row), connection.alias)
    Draft._meta.get_field("invitation").set_cached_value(draft, invitation)
    return draft


def _draft_sql() -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in Draft._meta.concrete_fields)
    return f"SELECT {columns} FROM {quote(Draft._meta.db_table)} WHERE invitation_id = %s"


def _draft_write(draft: Draft) -> None:
    """Save a draft: a new one through the ORM (once per rater), an existing one with one
    UPDATE of the fields a save changes, without compiling a query."""
    if draft.pk is None:
        draft.save()
        return
    fields = [Draft._meta.get_field(name) for name in ("answers", "comments", "page", "updated_at")]
    values = [field.get_db_prep_save(field.pre_save(draft, False), connection) for field in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(Draft._meta.db_table)} SET {assignments} WHERE id = %s",
            [*values, draft.pk],
        )


def _merge(
    draft: Draft, answers: Mapping[str, int | None], texts: dict[str, str], invitation: Invitation
) -> None:
    instrument = cycle_instrument(invitation.assessment.cycle)
    stored = bytearray(bytes(draft.answers)) or bytearray(len(instrument.item_ids))
    skipped = set(draft.comments.get(NOT_OBSERVED, ()))
    for item_id, value in answers.items():
        stored[instrument.item_index[item_id]] = value or 0
        if value == 0:
            skipped.add(item_id)
        else:
            skipped.discard(item_id)
    draft.answers = bytes(stored)
    merged = {**draft.comments, **texts, NOT_OBSERVED: sorted(skipped)}
    draft.comments = {key: value for key, value in merged.items() if value != ""}


def coarse_seconds(seconds: float | None) -> float | None:
    """A duration rounded to the nearest minute and capped at :data:`MAX_SECONDS`."""
    if seconds is None or not math.isfinite(seconds) or seconds < 0:
        return None
    return float(min(MAX_SECONDS, 60 * math.floor(seconds / 60 + 0.5)))


def response_submit(
    invitation: Invitation,
    *,
    answers: Mapping[str, int | None],
    comments: Mapping[str, str],
    seconds: float | None,
) -> bool:
    """Store the rater's answers for good, unlinked from them; False if already submitted.

    One transaction: lock the invitation (and the assessment's submitted invitations, in id
    order), stop if it is already submitted, insert the response and its comments, mark the
    invitation submitted, delete the draft. A second call, a double click or a second tab
    changes nothing and returns False.

    Raises
    ------
    SurveyError
        Bad answers or comments; nothing is saved.
    SurveyClosed
        The cycle is not open.
    """
    plan = plan_for(invitation)
    _check_answers(answers, plan)
    texts = {q: text for q, text in _check_comments(comments, plan).items() if text}
    payload = encode_answers(answers, cycle_instrument(invitation.assessment.cycle))
    assessment_id = invitation.assessment_id
    with transaction.atomic():
        status = _lock(invitation, with_submitted=True)
        if status == Invitation.SUBMITTED:
            return False
        response = Response(
            id=uuid.uuid4(),
            organization_id=invitation.organization_id,
            assessment_id=assessment_id,
            group=invitation.group,
            answers=payload,
            seconds=coarse_seconds(seconds),
        )
        _insert(Response, [response])
        _insert(
            ResponseComment,
            [
                ResponseComment(id=uuid.uuid4(), response=response, question=q, text=t)
                for q, t in texts.items()
            ],
        )
        # Rewrites the already-submitted invitations too (see the module docstring: xmin).
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {quote(Invitation._meta.db_table)} SET status = %s "
                "WHERE assessment_id = %s AND (id = %s OR status = %s)",
                [Invitation.SUBMITTED, assessment_id, invitation.pk, Invitation.SUBMITTED],
            )
            cursor.execute(
                f"DELETE FROM {quote(Draft._meta.db_table)} WHERE invitation_id = %s",
                [invitation.pk],
            )
    invitation.status = Invitation.SUBMITTED
    return True


def _lock(invitation: Invitation, *, with_submitted: bool = False) -> str:
    """Lock the invitation (with ``with_submitted``, also its assessment's submitted ones) in
    id order; its status, after the cycle check. One statement, written out like the look-up."""
    quote = connection.ops.quote_name
    tables = {model: quote(model._meta.db_table) for model in (Invitation, Assessment, Cycle)}
    others = f" OR (i.assessment_id = %s AND i.status = '{Invitation.SUBMITTED}')"
    sql = (
        f"SELECT i.id, i.status, c.status FROM {tables[Invitation]} i "
        f"JOIN {tables[Assessment]} a ON a.id = i.assessment_id "
        f"JOIN {tables[Cycle]} c ON c.id = a.cycle_id "
        f"WHERE i.id = %s{others if with_submitted else ''} ORDER BY i.id"
        f"{' FOR UPDATE OF i' if connection.features.has_select_for_update else ''}"
    )
    params = [invitation.pk, invitation.assessment_id] if with_submitted else [invitation.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    mine = next((row for row in rows if row[0] == invitation.pk), None)
    if mine is None:
        raise SurveyNotFound("invitation removed")
    if mine[1] == Invitation.SUBMITTED:
        return str(mine[1])
    _check_cycle(mine[2], invitation)
    return str(mine[1])


def _check_answers(answers: Mapping[str, int | None], plan: PagePlan) -> None:
    allowed = set(plan.item_ids)
    unknown = sorted(set(answers) - allowed)
    if unknown:
        raise SurveyError(
            _("This survey has no question %(ids)s. Reload the page and try again.")
            % {"ids": ", ".join(unknown)}
        )
    for item_id, value in answers.items():
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
            raise SurveyError(
                _(
                    "The answer to statement %(number)s must be one of the choices shown "
                    "(1 to 5, or Not observed), not %(value)s."
                )
                % {"number": plan.item_ids.index(item_id) + 1, "value": repr(value)}
            )


def _check_comments(comments: Mapping[str, str], plan: PagePlan) -> dict[str, str]:
    allowed = set(plan.question_ids)
    unknown = sorted(set(comments) - allowed)
    if unknown:
        raise SurveyError(
            _("This survey has no open question %(ids)s.") % {"ids": ", ".join(unknown)}
        )
    out = {}
    for question, text in comments.items():
        if not isinstance(text, str):
            raise SurveyError(_("The answer to %(id)s must be text.") % {"id": question})
        clean = text.replace("\r\n", "\n").replace("\x00", "").strip()
        if len(clean) > COMMENT_LIMIT:
            raise SurveyError(
                _(
                    "Please shorten your answer to “%(id)s” to %(limit)s characters or fewer "
                    "(it has %(length)s)."
                )
                % {"id": question, "limit": COMMENT_LIMIT, "length": len(clean)}
            )
        out[question] = clean
    return out


def _insert(model: Any, objects: list[Any]) -> None:
    """INSERT rows; on SQLite with random rowids, so neither numbering nor file order follows
    insertion order. One statement either way."""
    if not objects:
        return
    if connection.vendor != "sqlite":
        model.objects.bulk_create(objects)
        return
    fields = model._meta.concrete_fields
    quote = connection.ops.quote_name
    columns = ", ".join(["rowid", *(quote(field.column) for field in fields)])
    row = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    params: list[Any] = []
    for obj in objects:
        params.append(secrets.randbits(62) + 1)
        params.extend(
            field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields
        )
    values = ", ".join([row] * len(objects))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {values}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def response_shuffle(*, cycle: Cycle) -> int:
    """Rewrite a cycle's responses and comments in a random order; returns how many.

    Call it when a cycle closes: afterwards the rows' physical order (and, on PostgreSQL,
    their transaction ids) no longer follow submission order. Ids and contents are unchanged.
    """
    rng = secrets.SystemRandom()
    in_cycle = Q(organization_id=cycle.organization_id, assessment__cycle=cycle)
    with transaction.atomic():
        responses = list(Response.objects.select_for_update().filter(in_cycle))
        comments = list(
            ResponseComment.objects.filter(
                response__organization_id=cycle.organization_id, response__assessment__cycle=cycle
            )
        )
        rng.shuffle(responses)
        rng.shuffle(comments)
        ResponseComment.objects.filter(
            response__organization_id=cycle.organization_id, response__assessment__cycle=cycle
        ).delete()
        Response.objects.filter(in_cycle).delete()
        for start in range(0, len(responses), 100):
            _insert(Response, responses[start : start + 100])
        for start in range(0, len(comments), 100):
            _insert(ResponseComment, comments[start : start + 100])
    return len(responses)
