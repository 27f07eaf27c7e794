"""`leadwell manage purge_expired`: delete answers past LEADWELL_RETENTION_MONTHS (cron)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from leadwell.privacy.selectors import purge_preview, retention_months
from leadwell.privacy.services import responses_purge_expired


class Command(BaseCommand):
    help = (
        "Delete the answers, comments and drafts of cycles closed more than "
        "LEADWELL_RETENTION_MONTHS months ago, and what was computed from them. Run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be deleted, delete nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            months = retention_months()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        if months is None:
            self.stdout.write("LEADWELL_RETENTION_MONTHS is not set: answers are kept for ever.")
            return
        if options["dry_run"]:
            rows = purge_preview()
            for row in rows:
                self.stdout.write(
                    f"{row['organization']}: {row['cycle']} (closed {row['closed_at']:%Y-%m-%d})"
                    f": {row['responses']} responses, {row['comments']} comments, "
                    f"{row['drafts']} drafts would be deleted"
                )
            self.stdout.write(
                f"Dry run: {len(rows)} cycle(s) past {months} months; nothing was deleted."
            )
            return
        logs = responses_purge_expired()
        for log in logs:
            removed = ", ".join(f"{label}: {n}" for label, n in log.counts.items())
            self.stdout.write(f"{log.organization.slug}: {log.cycle}: {removed}")
        self.stdout.write(f"Purged {len(logs)} cycle(s) past {months} months.")
