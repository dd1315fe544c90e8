from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.core.progress import ProgressBar
from maillage.directory.csv_io import import_directory


class Command(BaseCommand):
    help = (
        "Import the directory from a ZIP of CSV files (as exported) or one CSV file. "
        "All or nothing: any bad row imports nothing and is reported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.exists():
            raise CommandError(f"No such file: {file}")
        bar = ProgressBar("Importing", stream=self.stderr._out)
        # The command line is the administrator's own: no account is needed, and the
        # audit event records the import without an actor.
        report = import_directory(by=None, name=file.name, data=file.read_bytes(), progress=bar)
        bar.close()
        if not report.ok:
            for error in report.errors:
                self.stderr.write(str(error))
            raise CommandError(f"Nothing was imported: {len(report.errors)} problem(s).")
        self.stdout.write(self.style.SUCCESS(report.summary()))
