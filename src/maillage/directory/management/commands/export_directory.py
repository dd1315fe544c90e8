from pathlib import Path

from django.core.management.base import BaseCommand

from maillage.core.progress import ProgressBar
from maillage.directory.csv_io import export_directory


class Command(BaseCommand):
    help = "Export the whole directory as a ZIP of CSV files that import-directory reads back."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        bar = ProgressBar("Exporting", stream=self.stderr._out)
        file.write_bytes(export_directory(by=None, progress=bar))
        bar.close()
        self.stdout.write(self.style.SUCCESS(f"Directory written to {file}"))
