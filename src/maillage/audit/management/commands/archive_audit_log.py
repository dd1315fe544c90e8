"""`maillage archive_audit_log`: creates the access log's partitions for the coming months
and archives the months older than AUDIT_RETENTION_YEARS (run it daily, from cron or with
--schedule on the task queue)."""

from django.core.management.base import BaseCommand

from maillage.audit.maintenance import run_daily


class Command(BaseCommand):
    help = "Create the access log's coming partitions; archive the months past retention."

    def add_arguments(self, parser):
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="also queue the daily task that does this (maillage db_worker runs it)",
        )

    def handle(self, *args, schedule=False, **options):
        created, archived = run_daily()
        for name in created:
            self.stdout.write(f"created partition {name}")
        for archive in archived:
            self.stdout.write(
                f"archived {archive.month:%Y-%m}: {archive.rows} events in {archive.path} "
                f"(sha256 {archive.sha256})"
            )
        if schedule:
            from maillage.audit.tasks import prepare_audit_partitions

            prepare_audit_partitions.enqueue()
            self.stdout.write("queued the daily upkeep")
