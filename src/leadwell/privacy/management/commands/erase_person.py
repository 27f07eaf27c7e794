"""`leadwell manage erase_person`: erase one person of an organization (right to erasure)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from leadwell.orgs.models import Organization, Person
from leadwell.privacy.services import PrivacyError, person_erase


class Command(BaseCommand):
    help = (
        "Erase a person: their name and email become a placeholder everywhere, their account, "
        "roles, plans, drafts, linkable answers and the assessments about them are deleted. "
        "Without --yes only says who would be erased."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="the organization's slug")
        parser.add_argument("--email", required=True, help="the person's email address")
        parser.add_argument(
            "--reason", required=True, help="why (a ticket number; not the person's name)"
        )
        parser.add_argument("--yes", action="store_true", help="erase (there is no undo)")

    def handle(self, *args: Any, **options: Any) -> None:
        org = Organization.objects.filter(slug=options["org"]).first()
        if org is None:
            raise CommandError(f"No organization with the slug {options['org']!r}.")
        person = Person.objects.filter(organization=org, email__iexact=options["email"]).first()
        if person is None:
            raise CommandError(f"{org.name} has nobody with the email {options['email']!r}.")
        if not options["yes"]:
            led = person.assessments.count()
            self.stdout.write(
                f"Would erase {person.name} <{person.email}> of {org.name} "
                f"(leader in {led} assessment(s), which would be deleted). "
                "Nothing was changed: run again with --yes to erase."
            )
            return
        try:
            log = person_erase(person=person, actor=None, reason=options["reason"])
        except PrivacyError as error:
            raise CommandError(str(error)) from error
        removed = ", ".join(f"{label}: {n}" for label, n in log.counts.items())
        self.stdout.write(f"Erased (privacy log #{log.pk}). {removed}")
