"""`maillage restore_audit_archive FILE`: loads an archived month of the access log (after
checking its checksum) into a table of its own, `audit_archive_YYYY_MM`, for queries."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.audit.partitions import DamagedArchive, restore


class Command(BaseCommand):
    help = "Restore an archived month of the access log into a table that can be queried."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--table", default="", help="table name (audit_archive_YYYY_MM)")

    def handle(self, *args, file: Path, table: str, **options):
        if not file.exists():
            raise CommandError(f"{file}: no such file")
        try:
            name, rows = restore(file, table)
        except (DamagedArchive, ValueError, FileNotFoundError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"restored {rows} events into {name}")
