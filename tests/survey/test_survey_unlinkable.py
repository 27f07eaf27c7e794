"""Once submitted, a response cannot be traced to its rater or invitation (issue 3, item 6)."""

from __future__ import annotations

import pytest
from django.db import connection, models

from leadwell.cycles.models import Draft, Invitation, Response, ResponseComment
from leadwell.survey.services import draft_save, response_shuffle, response_submit

SQLITE = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="SQLite storage detail")
POSTGRES = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL detail")


@pytest.mark.parametrize("model", [Response, ResponseComment])
def test_response_tables_hold_no_link_to_the_rater_and_no_time(model):
    fields = model._meta.get_fields()
    relations = {f.name: f.related_model for f in fields if f.is_relation and f.concrete}
    allowed = {Response: {"organization", "assessment"}, ResponseComment: {"response"}}[model]
    assert set(relations) == allowed
    assert Invitation not in relations.values()
    assert Draft not in relations.values()
    assert not [f for f in fields if isinstance(f, models.DateField | models.TimeField)]
    assert not {"invitation", "nomination", "rater", "email", "name"} & {f.name for f in fields}
    assert isinstance(model._meta.pk, models.UUIDField)


def test_ids_are_random_not_sequential(invite):
    for n in range(5):
        response_submit(invite(f"R{n}").invitation, answers={"M1.1": 3}, comments={}, seconds=None)
    ids = [r.id for r in Response.objects.all()]
    assert all(i.version == 4 for i in ids)
    assert len({i.int >> 64 for i in ids}) == 5


def test_the_raw_token_is_never_stored(client, invite):
    raters = [invite(f"R{n}") for n in range(3)]
    for rater in raters:
        client.post(rater.url("start"))
        client.post(rater.url("autosave"), {"page": "7", "comment-keep": "fine"})
    client.post(raters[0].url("submit"))
    stored = " ".join(
        str(value)
        for model in (Invitation, Draft, Response, ResponseComment)
        for row in model.objects.values_list()
        for value in row
    )
    for rater in raters:
        assert rater.token not in stored
        assert rater.invitation.token_hash in stored  # the hash is what identifies the link


def _rowids(table: str) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {table}")
        return [row[0] for row in cursor.fetchall()]


@SQLITE
def test_sqlite_row_numbers_do_not_follow_submission_order(invite):
    ids = []
    for n in range(10):
        response_submit(
            invite(f"R{n}").invitation, answers={}, comments={"keep": "x"}, seconds=None
        )
        ids.append(Response.objects.exclude(pk__in=ids).get().pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM cycles_response ORDER BY rowid")
        stored = [row[0] for row in cursor.fetchall()]
    assert [i.hex for i in ids] != stored  # 1 chance in 10! of a false failure
    assert min(_rowids("cycles_response")) > 10**6  # random, not 1, 2, 3, …
    assert min(_rowids("cycles_responsecomment")) > 10**6


@SQLITE
def test_sqlite_zeroes_deleted_rows(db):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        assert cursor.fetchone()[0] == 1


def _xmins(table: str, where: str = "") -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT xmin::text FROM {table} {where} ORDER BY id")
        return [row[0] for row in cursor.fetchall()]


@POSTGRES
def test_postgres_transaction_ids_do_not_single_out_a_submitted_invitation(invite):
    raters = [invite(f"R{n}") for n in range(3)]
    responses = []
    for rater in raters:
        response_submit(rater.invitation, answers={"M1.1": 4}, comments={}, seconds=None)
        responses.append(Response.objects.exclude(pk__in=responses).get().pk)
    invitation_xmins = _xmins("cycles_invitation", "WHERE status = 'submitted'")
    first = _xmins("cycles_response", f"WHERE id = '{responses[0]}'")[0]
    last = _xmins("cycles_response", f"WHERE id = '{responses[-1]}'")[0]
    # Every submitted invitation carries the latest submission's transaction id, and the
    # first response's transaction id appears on no invitation.
    assert len(set(invitation_xmins)) == 1
    assert invitation_xmins[0] == last
    assert first not in invitation_xmins


def test_shuffle_keeps_every_response_and_comment(invite, cycle):
    for n in range(12):
        draft_save(invite(f"R{n}").invitation, answers={}, comments={}, page=1)
    for invitation in Invitation.objects.all():
        response_submit(
            invitation,
            answers={"M1.1": 1 + invitation.pk % 5},
            comments={"keep": f"c{invitation.pk}"},
            seconds=None,
        )
    before = sorted(
        (r.pk, bytes(r.answers), r.group, c)
        for r in Response.objects.all()
        for c in r.comments.values_list("pk", "text")
    )
    order_before = _physical_order()
    assert response_shuffle(cycle=cycle) == 12
    after = sorted(
        (r.pk, bytes(r.answers), r.group, c)
        for r in Response.objects.all()
        for c in r.comments.values_list("pk", "text")
    )
    assert after == before
    assert _physical_order() != order_before  # 1 chance in 12! of a false failure
    if connection.vendor == "postgresql":
        assert len(set(_xmins("cycles_response"))) == 1


def _physical_order() -> list[str]:
    column = "rowid" if connection.vendor == "sqlite" else "ctid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM cycles_response ORDER BY {column}")
        return [str(row[0]) for row in cursor.fetchall()]


@POSTGRES
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_submits_store_one_response(invite):
    """Two tabs submitting at the same moment, on two connections: the row lock decides."""
    import threading

    from django.db import connections

    rater = invite("Ana")
    barrier = threading.Barrier(4)
    results: list[object] = []

    def submit(value: int) -> None:
        try:
            copy = Invitation.objects.select_related("assessment__cycle").get(
                pk=rater.invitation.pk
            )
            barrier.wait()
            results.append(
                response_submit(copy, answers={"M1.1": value}, comments={}, seconds=None)
            )
        except Exception as error:
            results.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(v,)) for v in (1, 2, 3, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results, key=str) == [False, False, False, True]
    assert Response.objects.count() == 1
