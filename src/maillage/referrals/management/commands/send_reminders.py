from django.core.management.base import BaseCommand

from maillage.referrals.services import send_overdue_reminders


class Command(BaseCommand):
    help = (
        "Remind receiving teams of referrals waiting past their acknowledgement target. "
        "Run once a day (cron or a systemd timer); e-mails leave through the task queue."
    )

    def handle(self, *args, **options):
        count = send_overdue_reminders()
        self.stdout.write(f"{count} overdue referral(s): their teams were reminded.")
