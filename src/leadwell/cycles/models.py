"""A 360° cycle: its assessments, who rates whom, the links sent, and the answers.

Privacy by construction: a submitted response is stored with a random id and no link back to
the rater or the invitation, and with no time of its own; only the invitation records *that*
its rater answered. A draft stays linked to its invitation until it is submitted.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from leadwell.orgs.models import Organization, Person


class Cycle(models.Model):
    DRAFT, NOMINATING, OPEN, CLOSED, RELEASED = "draft", "nominating", "open", "closed", "released"
    STATUSES = [
        (DRAFT, "Draft"),
        (NOMINATING, "Nominating"),
        (OPEN, "Open"),
        (CLOSED, "Closed"),
        (RELEASED, "Released"),
    ]

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="cycles")
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=STATUSES, default=DRAFT)
    instrument_version = models.CharField(max_length=50, default="1")
    min_anonymous = models.PositiveSmallIntegerField(default=3)
    max_raters = models.PositiveSmallIntegerField(default=15)
    # Shown to raters in their emails; the cycle does not close by itself on this date.
    deadline = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    """One leader in one cycle."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="assessments")
    leader = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assessments")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "leader"], name="one_assessment_per_leader")
        ]

    def __str__(self) -> str:
        return f"{self.leader.name} in {self.cycle.name}"


GROUP_CHOICES = [
    ("self", "Self"),
    ("manager", "Manager"),
    ("peer", "Peer"),
    ("direct", "Direct report"),
    ("other", "Other"),
]


class Nomination(models.Model):
    PROPOSED, APPROVED, DECLINED = "proposed", "approved", "declined"
    STATUSES = [(PROPOSED, "Proposed"), (APPROVED, "Approved"), (DECLINED, "Declined")]

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="nominations")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL)
    name = models.CharField(max_length=200)
    email = models.EmailField()
    group = models.CharField(max_length=10, choices=GROUP_CHOICES)
    status = models.CharField(max_length=10, choices=STATUSES, default=PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "email"], name="nominate_once")
        ]


class Invitation(models.Model):
    """The link a rater gets: a token stored only as its SHA-256 hash (and the salt it was
    derived from with the server's secret key)."""

    PENDING, SENT, STARTED, SUBMITTED = "pending", "sent", "started", "submitted"
    STATUSES = [
        (PENDING, "Not sent"),
        (SENT, "Sent"),
        (STARTED, "Started"),
        (SUBMITTED, "Submitted"),
    ]

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="invitations")
    nomination = models.OneToOneField(
        Nomination, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitation"
    )
    group = models.CharField(max_length=10, choices=GROUP_CHOICES)
    name = models.CharField(max_length=200)
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    # The link's token is HMAC(SECRET_KEY, id, salt): a reminder re-derives the same link, and
    # the database alone (salt and hash) does not give it away. Empty until a link is sent.
    token_salt = models.CharField(max_length=32, blank=True)
    status = models.CharField(max_length=10, choices=STATUSES, default=PENDING)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    bounced = models.BooleanField(default=False)


class Draft(models.Model):
    """Answers in progress, linked to the invitation until they are submitted."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="draft")
    answers = models.BinaryField()  # one byte per item in instrument order, 0 = not observed
    comments = models.JSONField(default=dict)
    page = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)


class Response(models.Model):
    """A submitted response: random id, no invitation, no rater, no time."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="responses")
    group = models.CharField(max_length=10, choices=GROUP_CHOICES)
    answers = models.BinaryField()  # one byte per item in instrument order, 0 = not observed
    seconds = models.FloatField(null=True, blank=True)


class ResponseComment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="comments")
    question = models.CharField(max_length=20)
    text = models.TextField()
