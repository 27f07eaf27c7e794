"""The emails a rater gets: the invitation, a reminder, a re-send to a corrected address.

Plain text: who writes, whom the rater rates and in which role, their personal link, the
deadline if the cycle has one, and one line on anonymity. The raw token appears here and
nowhere else.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format

from leadwell.cycles.models import Invitation

__all__ = ["KINDS", "invitation_message", "rater_link"]

KINDS = ("invitation", "reminder", "resend")

_ROLES = {
    "manager": "as their manager",
    "peer": "as one of their peers",
    "direct": "as one of the people who report to them",
    "other": "as someone who works with them",
}


def rater_link(token: str) -> str:
    """The absolute address of a rater's survey for a raw token."""
    try:
        path = reverse("survey:start", args=[token])
    except NoReverseMatch:  # the survey's URLs are not there yet
        path = f"/r/{token}/"
    return f"{settings.SITE_URL}{path}"


def _anonymity(invitation: Invitation, leader: str, k: int) -> str:
    if invitation.group == "self":
        return (
            "Your self-assessment is shown next to your raters' views, to you, your coach "
            "and the program's admins."
        )
    if invitation.group == "manager":
        return (
            f"As the manager, your answers are shown as the manager's view, so {leader} "
            "will know they are yours; they are stored without your name."
        )
    return (
        "Your answers are anonymous: they are stored without your name or this link, and "
        f"shown only combined with those of at least {k} raters, so nobody, not {leader} "
        "and not the admins, can tell which answers are yours."
    )


def _subject(invitation: Invitation, leader: str, kind: str) -> str:
    cycle = invitation.assessment.cycle.name
    base = (
        f"Your self-assessment ({cycle})"
        if invitation.group == "self"
        else f"Your feedback on {leader} ({cycle})"
    )
    return f"Reminder: {base}" if kind == "reminder" else base


def invitation_message(invitation: Invitation, *, token: str, kind: str) -> EmailMessage:
    """The email for ``invitation`` carrying the raw ``token``; ``kind`` is one of KINDS."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    assessment = invitation.assessment
    cycle, leader = assessment.cycle, assessment.leader.name
    if invitation.group == "self":
        ask = (
            f"This is your self-assessment in {cycle.name}: you answer about yourself the "
            "questions your raters answer about you."
        )
    else:
        ask = f"You have been asked to give feedback on {leader} {_ROLES[invitation.group]}."
    lines = [f"Hello {invitation.name},", "", ask]
    if kind == "reminder":
        lines.append(
            "We have not received your answers yet. Your link is the same as before, and "
            "anything you have already answered is kept."
        )
    elif kind == "resend":
        lines.append("Here is your link again; any earlier link we sent no longer works.")
    lines += ["", "Your personal link (please do not forward it):", rater_link(token), ""]
    if cycle.deadline:
        lines.append(f"Please answer by {date_format(cycle.deadline, 'l j F Y')}.")
    lines += [
        "It takes about 12 minutes. You can stop at any time and come back through the same "
        "link: your answers are saved as you go.",
        "",
        _anonymity(invitation, leader, cycle.min_anonymous),
        "",
        f"leadwell, for {invitation.organization.name}",
    ]
    return EmailMessage(
        subject=_subject(invitation, leader, kind),
        body="\n".join(lines) + "\n",
        to=[invitation.email],
    )
