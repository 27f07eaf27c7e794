"""Helpers of the privacy tests: the person erased, and answers stored as the survey does."""

from __future__ import annotations

import secrets

from leadwell.cycles.answers import encode_answers
from leadwell.instrument import load_instrument

NAME, EMAIL = "Maria Quist", "maria.quist@acme.example"
INSTRUMENT = load_instrument("1")


def answers_of(group: str, seed: int) -> bytes:
    """A full set of answers, different for each rater (1-5, deterministic)."""
    values = {
        item.id: 1 + (position * 7 + seed * 3) % 5
        for position, item in enumerate(INSTRUMENT.items)
        if group != "self" or item.facet is not None
    }
    return encode_answers(values, INSTRUMENT)


def invite(assessment, person, group, status="submitted"):
    from leadwell.cycles.models import Invitation, Nomination

    nomination = Nomination.objects.create(
        organization_id=assessment.organization_id,
        assessment=assessment,
        person=person,
        name=person.name,
        email=person.email,
        group=group,
        status=Nomination.APPROVED,
    )
    return Invitation.objects.create(
        organization_id=assessment.organization_id,
        assessment=assessment,
        nomination=nomination,
        group=group,
        name=person.name,
        email=person.email,
        token_hash=secrets.token_hex(32),
        token_salt=secrets.token_hex(16),
        status=status,
    )


def rate(assessment, person, group, seed, comment=None):
    """``person`` is invited and answers: an invitation marked submitted and an unlinked
    response, as the survey leaves them."""
    from leadwell.cycles.models import Response, ResponseComment

    invite(assessment, person, group)
    response = Response.objects.create(
        organization_id=assessment.organization_id,
        assessment=assessment,
        group=group,
        answers=answers_of(group, seed),
    )
    if comment:
        ResponseComment.objects.create(response=response, question="keep", text=comment)
    return response
