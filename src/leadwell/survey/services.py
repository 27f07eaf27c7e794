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
class _Columns:
    """One model's columns in a written-out SELECT: where they sit in the row, their converters."""

    model: Any
    start: int
    stop: int
    attnames: tuple[str, ...]
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]

    @classmethod
    def of(cls, model: Any, alias: str, start: int) -> tuple[list[str], _Columns]:
        """The model's column names under ``alias``, and how to read them from ``start`` on.

        The converters are the ones the ORM applies (the backend's and the field's own).
        """
        quote = connection.ops.quote_name
        fields = model._meta.concrete_fields
        converters = []
        for index, field in enumerate(fields):
            expression = field.get_col(alias)
            found = connection.ops.get_db_converters(expression) + field.get_db_converters(
                connection
            )
            if found:
                converters.append((index, tuple(found), expression))
        names = [f"{alias}.{quote(field.column)}" for field in fields]
        attnames = tuple(field.attname for field in fields)
        return names, cls(model, start, start + len(names), attnames, tuple(converters))

    def instance(self, row: tuple[Any, ...]) -> Any:
        values = list(row[self.start : self.stop])
        for index, converters, expression in self.converters:
            for convert in converters:
                values[index] = convert(values[index], expression, connection)
        return self.model.from_db(connection.alias, self.attnames, values)


#: The fields a draft's save changes (the rest are fixed when it is created).
_DRAFT_CHANGES = ("answers", "comments", "page", "updated_at")


@dataclass(frozen=True)
class _Statements:
    """The survey's hot path as SQL, written out once per database vendor.

    Every survey request looks its invitation up and most lock and write it; compiling the
    ORM's queries each time cost more than running them (issue 3, docs/benchmarks.md
    "Submissions"). The look-up is the join ``select_related("assessment__cycle",
    "assessment__leader", "draft")`` would send. On PostgreSQL a submit's four writes go as
    one statement (a WITH of INSERTs, UPDATE and DELETE): every statement there is a round
    trip and work for the database on the same 2 cores; the submit POST went from about 390
    to 400-480 per second.
    """

    lookup: str  # by token hash: invitation, assessment, cycle, leader, draft (or NULLs)
    parts: tuple[_Columns, ...]  # the five models' places in a look-up row
    draft: str  # an invitation's draft, by invitation id
    draft_columns: _Columns
    lock: str  # the invitation (id, status, its cycle's status), locked
    lock_with_submitted: str  # ... and its assessment's submitted invitations, in id order
    draft_update: str  # the fields of _DRAFT_CHANGES, by draft id
    started: str  # mark an invitation started
    submitted: str  # mark it submitted and rewrite the assessment's submitted ones (xmin)
    draft_delete: str  # by invitation id
    # PostgreSQL: a submit's writes as one statement (the response, its comments as arrays,
    # ``submitted`` and ``draft_delete``), in that order of parameters; None elsewhere.
    submit_writes: str | None

    @classmethod
    def build(cls) -> _Statements:
        quote = connection.ops.quote_name
        table = {model: quote(model._meta.db_table) for model in (Invitation, Assessment, Cycle)}
        joined = [
            (Invitation, "i", ""),
            (Assessment, "a", "JOIN {t} a ON a.id = i.assessment_id"),
            (Cycle, "c", "JOIN {t} c ON c.id = a.cycle_id"),
            (Person, "p", "JOIN {t} p ON p.id = a.leader_id"),
            (Draft, "d", "LEFT JOIN {t} d ON d.invitation_id = i.id"),
        ]
        columns: list[str] = []
        joins: list[str] = []
        parts: list[_Columns] = []
        for model, alias, join in joined:
            names, part = _Columns.of(model, alias, len(columns))
            columns.extend(names)
            parts.append(part)
            if join:
                joins.append(join.format(t=quote(model._meta.db_table)))
        draft_names, draft_columns = _Columns.of(Draft, "d", 0)
        draft_table = quote(Draft._meta.db_table)
        lock = (
            f"SELECT i.id, i.status, c.status FROM {table[Invitation]} i "
            f"JOIN {table[Assessment]} a ON a.id = i.assessment_id "
            f"JOIN {table[Cycle]} c ON c.id = a.cycle_id WHERE i.id = %s"
        )
        locked = " ORDER BY i.id"
        if connection.features.has_select_for_update:  # not SQLite: its transactions are IMMEDIATE
            locked += " FOR UPDATE OF i"
        changes = ", ".join(
            f"{quote(Draft._meta.get_field(name).column)} = %s" for name in _DRAFT_CHANGES
        )
        submitted = (
            f"UPDATE {table[Invitation]} SET status = %s "
            "WHERE assessment_id = %s AND (id = %s OR status = %s)"
        )
        draft_delete = f"DELETE FROM {draft_table} WHERE invitation_id = %s"
        submit_writes = None
        if connection.vendor == "postgresql":  # data-modifying WITH; SQLite has none
            response_fields = Response._meta.concrete_fields
            comment_fields = ResponseComment._meta.concrete_fields
            arrays = ", ".join(f"(%s)::{field.db_type(connection)}[]" for field in comment_fields)
            submit_writes = (
                f"WITH response AS (INSERT INTO {quote(Response._meta.db_table)} "
                f"({', '.join(quote(field.column) for field in response_fields)}) "
                f"VALUES ({', '.join(['%s'] * len(response_fields))})), "
                f"comments AS (INSERT INTO {quote(ResponseComment._meta.db_table)} "
                f"({', '.join(quote(field.column) for field in comment_fields)}) "
                f"SELECT * FROM UNNEST({arrays})), "
                f"submitted AS ({submitted}) {draft_delete}"
            )
        return cls(
            lookup=f"SELECT {', '.join(columns)} FROM {table[Invitation]} i {' '.join(joins)} "
            "WHERE i.token_hash = %s",
            parts=tuple(parts),
            draft=f"SELECT {', '.join(draft_names)} FROM {draft_table} d "
            "WHERE d.invitation_id = %s",
            draft_columns=draft_columns,
            lock=lock + locked,
            lock_with_submitted=lock + " OR (i.assessment_id = %s AND i.status = %s)" + locked,
            draft_update=f"UPDATE {draft_table} SET {changes} WHERE id = %s",
            started=f"UPDATE {table[Invitation]} SET status = %s WHERE id = %s",
            submitted=submitted,
            draft_delete=draft_delete,
            submit_writes=submit_writes,
        )


_STATEMENTS: dict[str, _Statements] = {}


def _sql() -> _Statements:
    if (statements := _STATEMENTS.get(connection.vendor)) is None:
        statements = _STATEMENTS[connection.vendor] = _Statements.build()
    return statements


def _run(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    """Execute one written-out statement; the rows it returns (none for a write)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _invitation_by_hash(token_hash: str) -> Invitation | None:
    """The invitation with this token hash and its assessment, cycle, leader and draft cached,
    or None. One statement, as the ORM's select_related would send, without compiling it."""
    statements = _sql()
    rows = _run(statements.lookup, [token_hash])
    if not rows:
        return None
    row = rows[0]
    invitation, assessment, cycle, leader = (part.instance(row) for part in statements.parts[:4])
    draft_part = statements.parts[4]
    draft = None
    if row[draft_part.start] is not None:
        draft = draft_part.instance(row)
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
            _run(_sql().started, [Invitation.STARTED, invitation.pk])
            invitation.status = Invitation.STARTED
    return draft


def _draft_of(invitation: Invitation) -> Draft | None:
    """The invitation's draft as stored now (read under the lock: another tab may have saved)."""
    statements = _sql()
    rows = _run(statements.draft, [invitation.pk])
    if not rows:
        return None
    draft = statements.draft_columns.instance(rows[0])
    Draft._meta.get_field("invitation").set_cached_value(draft, invitation)
    return draft


def _draft_write(draft: Draft) -> None:
    """Save a draft: a new one through the ORM (once per rater), an existing one with one
    UPDATE of the fields a save changes."""
    if draft.pk is None:
        draft.save()
        return
    fields = [Draft._meta.get_field(name) for name in _DRAFT_CHANGES]
    values = [field.get_db_prep_save(field.pre_save(draft, False), connection) for field in fields]
    _run(_sql().draft_update, [*values, draft.pk])


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
    invitation submitted, delete the draft (on PostgreSQL these four writes are one
    statement). A second call, a double click or a second tab
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
        comments = [
            ResponseComment(id=uuid.uuid4(), response=response, question=q, text=t)
            for q, t in texts.items()
        ]
        # Rewrites the already-submitted invitations too (see the module docstring: xmin).
        statements = _sql()
        submitted = [Invitation.SUBMITTED, assessment_id, invitation.pk, Invitation.SUBMITTED]
        if statements.submit_writes is not None:
            columns = ResponseComment._meta.concrete_fields
            arrays = [[_prepared(field, comment) for comment in comments] for field in columns]
            response_values = [
                _prepared(field, response) for field in Response._meta.concrete_fields
            ]
            _run(statements.submit_writes, [*response_values, *arrays, *submitted, invitation.pk])
        else:
            _insert(Response, [response])
            _insert(ResponseComment, comments)
            _run(statements.submitted, submitted)
            _run(statements.draft_delete, [invitation.pk])
    invitation.status = Invitation.SUBMITTED
    return True


def _lock(invitation: Invitation, *, with_submitted: bool = False) -> str:
    """Lock the invitation (with ``with_submitted``, also its assessment's submitted ones) in
    id order; its status, after the cycle check."""
    statements = _sql()
    if with_submitted:
        sql = statements.lock_with_submitted
        params = [invitation.pk, invitation.assessment_id, Invitation.SUBMITTED]
    else:
        sql, params = statements.lock, [invitation.pk]
    mine = next((row for row in _run(sql, params) if row[0] == invitation.pk), None)
    if mine is None:
        raise SurveyNotFound("invitation removed")
    if mine[1] != Invitation.SUBMITTED:
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


def _prepared(field: Any, obj: Any) -> Any:
    """A field's value of ``obj`` as the database takes it."""
    return field.get_db_prep_save(getattr(obj, field.attname), connection)


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
        params.extend(_prepared(field, obj) for field in fields)
    values = ", ".join([row] * len(objects))
    _run(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {values}", params)


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
