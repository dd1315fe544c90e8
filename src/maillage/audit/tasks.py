"""The access log's daily upkeep on the task queue: partitions for the coming months,
expired months archived (maintenance.run_daily). It queues its own next run a day later,
where the queue can defer tasks (the database backend, `maillage db_worker`): started once
by `maillage archive_audit_log --schedule`, it keeps the partitions three months ahead."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from .maintenance import run_daily


@task()
def prepare_audit_partitions() -> None:
    run_daily()
    if prepare_audit_partitions.get_backend().supports_defer:
        prepare_audit_partitions.using(run_after=timezone.now() + timedelta(days=1)).enqueue()
