"""Invitations and reminders: tokens stored only hashed, the raw token only in the email,
reminders only to raters who have not submitted, corrected addresses killing the old link."""

from __future__ import annotations

import datetime as dt
import hashlib
import smtplib

import pytest
from cycle_helpers import token_in
from django.apps import apps
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from leadwell.cycles import services, tasks
from leadwell.cycles.models import Cycle, Invitation, Nomination
from leadwell.cycles.services import CycleError

pytestmark = pytest.mark.django_db


def sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def everything_stored() -> str:
    """Every row of every table, as text."""
    return "\n".join(
        repr(row) for model in apps.get_models() for row in model._default_manager.values_list()
    )


def by_email(mailoutbox) -> dict[str, list]:
    found: dict[str, list] = {}
    for message in mailoutbox:
        (to,) = message.to
        found.setdefault(to, []).append(message)
    return found


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that refuses every recipient (the boundary, stubbed)."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({m.to[0]: (550, b"no such user") for m in messages})


def test_open_emails_each_rater_a_token_stored_only_as_its_sha256(opened, mailoutbox):
    invitations = {i.email: i for i in Invitation.objects.all()}
    assert len(invitations) == len(mailoutbox) == 7
    stored = everything_stored()
    for message in mailoutbox:
        token = token_in(message)
        assert len(token) == 43  # 32 random bytes, URL-safe base64
        assert sha(token) == invitations[message.to[0]].token_hash
        assert token not in stored
        for invitation in invitations.values():
            assert token not in {str(v) for v in vars(invitation).values()}
    assert all(i.status == Invitation.SENT and i.sent_at for i in invitations.values())
    assert len({i.token_hash for i in invitations.values()}) == 7


def test_the_email_says_who_is_rated_in_which_role_the_deadline_and_anonymity(
    ready, cycle, admin, django_capture_on_commit_callbacks, mailoutbox, settings
):
    Cycle.objects.filter(pk=cycle.pk).update(deadline=dt.date(2031, 5, 9))
    cycle.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.cycle_open(cycle, actor=admin)
    sent = by_email(mailoutbox)
    (peer,) = sent["ana@acme.example"]
    assert peer.subject == "Your feedback on Lee (Spring)"
    assert "Hello Ana," in peer.body
    assert "feedback on Lee as one of their peers" in peer.body
    assert "Please answer by Friday 9 May 2031." in peer.body
    assert "anonymous" in peer.body
    assert "at least 3 raters" in peer.body
    assert f"{settings.SITE_URL}/r/{token_in(peer)}/" in peer.body
    (direct,) = sent["dana@acme.example"]
    assert "as one of the people who report to them" in direct.body
    (boss,) = sent["maria@acme.example"]
    assert "as their manager" in boss.body
    assert "will know they are yours" in boss.body
    (own,) = sent["lee@acme.example"]
    assert own.subject == "Your self-assessment (Spring)"
    assert "about yourself" in own.body


def test_no_deadline_means_no_deadline_line(opened, mailoutbox):
    assert all("Please answer by" not in m.body for m in mailoutbox)


def test_reminders_go_only_to_raters_who_have_not_submitted(
    opened, people, admin, django_capture_on_commit_callbacks, mailoutbox
):
    done = [people[n].email for n in ("Ana", "Ben", "Maria")]
    Invitation.objects.filter(email__in=done).update(status=Invitation.SUBMITTED)
    Invitation.objects.filter(email=people["Dana"].email).update(status=Invitation.STARTED)
    before = {i.email: i.token_hash for i in Invitation.objects.all()}
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = services.reminders_send(opened, actor=admin)
    assert (result.reminded, result.bounced) == (4, 0)
    reminded = {m.to[0] for m in mailoutbox}
    assert reminded == {people[n].email for n in ("Lee", "Cy", "Dana", "Eli")}
    assert all(m.subject.startswith("Reminder: ") for m in mailoutbox)
    assert all("Your link is the same as before" in m.body for m in mailoutbox)
    after = {i.email: i for i in Invitation.objects.all()}
    for message in mailoutbox:
        invitation = after[message.to[0]]
        # The same link as the invitation's: a rater with the survey open loses nothing.
        assert sha(token_in(message)) == invitation.token_hash == before[invitation.email]
        assert (invitation.reminders_sent, invitation.last_reminded_at is not None) == (1, True)
    assert after[people["Dana"].email].status == Invitation.STARTED
    assert {after[e].reminders_sent for e in done} == {0}
    assert {after[e].token_hash for e in done} == {before[e] for e in done}


def test_reminders_count_up_and_skip_bounced_addresses(
    opened, people, admin, django_capture_on_commit_callbacks, mailoutbox
):
    Invitation.objects.filter(email=people["Eli"].email).update(bounced=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(opened, actor=admin)
        result = services.reminders_send(opened, actor=admin)
    assert (result.reminded, result.bounced) == (6, 1)
    assert set(
        Invitation.objects.exclude(bounced=True).values_list("reminders_sent", flat=True)
    ) == {2}
    assert Invitation.objects.get(email=people["Eli"].email).reminders_sent == 0


def test_reminders_and_resends_need_an_open_cycle_and_an_admin(opened, ready, admin, leader):
    with pytest.raises(CycleError, match="Only an org admin"):
        services.reminders_send(opened, actor=leader.user)
    services.cycle_close(opened, actor=admin)
    with pytest.raises(CycleError, match="only while it is open"):
        services.reminders_send(opened, actor=admin)
    with pytest.raises(CycleError, match="only while it is open"):
        services.invitation_correct_email(
            Invitation.objects.first(), email="x@example.com", actor=admin
        )


def test_correcting_an_email_kills_the_old_token_and_sends_a_new_one(
    opened, people, admin, django_capture_on_commit_callbacks, mailoutbox
):
    old_message = by_email(mailoutbox)["cy@acme.example"][0]
    old_token = token_in(old_message)
    invitation = Invitation.objects.get(email="cy@acme.example")
    Invitation.objects.filter(pk=invitation.pk).update(bounced=True)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.invitation_correct_email(invitation, email="cy@home.example", actor=admin)
        # Dead before any email leaves: the old token no longer matches anything.
        assert not Invitation.objects.filter(token_hash=sha(old_token)).exists()
    assert len(callbacks) == 1
    (message,) = mailoutbox
    assert message.to == ["cy@home.example"]
    assert "any earlier link we sent no longer works" in message.body
    invitation.refresh_from_db()
    assert sha(token_in(message)) == invitation.token_hash != sha(old_token)
    assert (invitation.email, invitation.bounced) == ("cy@home.example", False)
    assert Nomination.objects.get(pk=invitation.nomination_id).email == "cy@home.example"


def test_a_submitted_raters_email_cannot_be_corrected(opened, admin):
    invitation = Invitation.objects.get(email="ben@acme.example")
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.SUBMITTED)
    with pytest.raises(CycleError, match="already answered"):
        services.invitation_correct_email(invitation, email="b@example.com", actor=admin)


def test_a_corrected_email_cannot_take_another_raters_address(opened, admin):
    invitation = Invitation.objects.get(email="ben@acme.example")
    with pytest.raises(CycleError, match="already nominated"):
        services.invitation_correct_email(invitation, email="ana@acme.example", actor=admin)


def test_invitations_send_sends_only_those_not_sent_and_never_twice(
    opened, admin, django_capture_on_commit_callbacks, mailoutbox
):
    late = Invitation.objects.get(email="eli@acme.example")
    Invitation.objects.filter(pk=late.pk).update(status=Invitation.PENDING, sent_at=None)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.invitations_send(opened, actor=admin) == 1
    assert [m.to for m in mailoutbox] == [["eli@acme.example"]]
    # The same task again (a retry, a double click) sends nothing more.
    assert tasks.send_invitation_email.call(late.pk, "invitation") == "skipped: already sent"
    assert len(mailoutbox) == 1


def test_a_reminder_link_is_the_invitation_link_and_the_database_cannot_make_it(
    opened, admin, mailoutbox, django_capture_on_commit_callbacks, settings
):
    first = {m.to[0]: token_in(m) for m in mailoutbox}
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_send(opened, actor=admin)
    assert {m.to[0]: token_in(m) for m in mailoutbox} == {e: first[e] for e in first}
    # Salt and hash alone (a stolen database) do not give the link: it needs the secret key.
    from leadwell.cycles._common import link_token

    invitation = Invitation.objects.first()
    settings.SECRET_KEY = "a-different-secret-key-than-the-servers"
    assert link_token(invitation.pk, invitation.token_salt) != first[invitation.email]


def test_a_refused_address_is_marked_bounced_and_keeps_its_earlier_link(
    opened, admin, settings, django_capture_on_commit_callbacks
):
    before = {i.pk: i.token_hash for i in Invitation.objects.all()}
    settings.EMAIL_BACKEND = "test_cycle_invitations.RefusingBackend"
    result = tasks.send_invitation_email.call(min(before), "reminder")
    assert result == "bounced"
    invitation = Invitation.objects.get(pk=min(before))
    assert invitation.bounced
    assert invitation.token_hash == before[invitation.pk]


def test_a_task_for_a_closed_cycle_sends_nothing(opened, admin, mailoutbox):
    services.cycle_close(opened, actor=admin)
    mailoutbox.clear()
    invitation = Invitation.objects.first()
    assert tasks.send_invitation_email.call(invitation.pk, "reminder").startswith("skipped")
    assert mailoutbox == []


# The worker commits and checks connections as in production: no wrapping test transaction.
@pytest.mark.django_db(transaction=True)
def test_the_database_task_queue_never_holds_a_token(ready, cycle, admin, settings):
    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    services.cycle_open(cycle, actor=admin)
    queued = list(DBTaskResult.objects.values_list("args_kwargs", flat=True))
    assert len(queued) == 7
    assert not mail.outbox
    assert {q["args"][1] for q in queued} == {"invitation"}
    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert len(mail.outbox) == 7
    stored = everything_stored()
    for message in mail.outbox:
        token = token_in(message)
        assert token not in stored
        assert Invitation.objects.filter(token_hash=sha(token)).exists()
