import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from maillage.core.models import User
from maillage.evaluation.models import Study
from maillage.evaluation.qdpx_exchange import ExchangeRefusedError, import_file
from maillage.evaluation.refi_qda import Scheme


class Command(BaseCommand):
    help = (
        "Import a REFI-QDA project (.qdpx, or a bare project.qde) into a new study led by "
        "--lead, or a codebook (.qdc) into the study --study. All or nothing: a refused "
        "element imports nothing and is reported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--study", help="the study (its id) that receives a codebook")
        parser.add_argument(
            "--lead", help="e-mail of the account that leads the new study (or leads --study)"
        )
        parser.add_argument(
            "--sources-dir",
            type=Path,
            help="folder of the project's external (relative:// or absolute://) sources",
        )
        parser.add_argument(
            "--positions",
            choices=[s.name.lower() for s in Scheme],
            help="how the file counts positions, when it is not the standard's code points",
        )

    def handle(self, *args, file: Path, study, lead, sources_dir, positions, **options):
        if not file.is_file():
            raise CommandError(f"No such file: {file}")
        target = None
        if study:
            target = _study(study)
            if target is None:
                raise CommandError(f"No such study: {study}")
        account = User.objects.filter(email=(lead or "").lower(), is_active=True).first()
        if account is None and target is not None:
            first_lead = target.evaluators.filter(role="lead").select_related("user").first()
            account = first_lead.user if first_lead else None
        if account is None:
            raise CommandError("Name the study's lead with --lead EMAIL (an active account).")
        try:
            with file.open("rb") as stream:
                report = import_file(
                    by=account,
                    data=stream,
                    study=target,
                    external_root=sources_dir,
                    positions=Scheme[positions.upper()].value if positions else None,
                )
        except ExchangeRefusedError as error:
            for line in error.lines:
                self.stderr.write(line)
            raise CommandError(f"Nothing was imported: {len(error.lines)} problem(s).") from None
        for line in report.notices:
            self.stderr.write(line)
        self.stdout.write(f"study: {report.study.pk}")
        self.stdout.write(self.style.SUCCESS(report.summary()))


def _study(value: str) -> Study | None:
    try:
        return Study.objects.filter(pk=uuid.UUID(value)).first()
    except ValueError:
        return None
