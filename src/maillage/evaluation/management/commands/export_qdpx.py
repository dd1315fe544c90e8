import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.evaluation.models import Study
from maillage.evaluation.qdpx_exchange import ExchangeRefusedError, export_study


class Command(BaseCommand):
    help = (
        "Export a study as a REFI-QDA project (.qdpx), or its codebook alone when FILE ends "
        "in .qdc. The command line is the administrator's own: every coding is exported."
    )

    def add_arguments(self, parser):
        parser.add_argument("study_id")
        parser.add_argument("file", type=Path)

    def handle(self, *args, study_id: str, file: Path, **options):
        try:
            study = Study.objects.filter(pk=uuid.UUID(study_id)).first()
        except ValueError:
            study = None
        if study is None:
            raise CommandError(f"No such study: {study_id}")
        try:
            data = export_study(by=None, study=study, codebook_only=file.suffix.lower() == ".qdc")
        except ExchangeRefusedError as error:
            for line in error.lines:
                self.stderr.write(line)
            raise CommandError("Nothing was exported.") from None
        file.write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"{file}: {len(data)} bytes"))
