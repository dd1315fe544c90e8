import time

from django.core.management.base import BaseCommand, CommandError

from maillage.core.progress import ProgressBar
from maillage.directory.models import Organization
from maillage.seeding.generator import DEMO_PASSWORD, SCALES, NetworkGenerator


class Command(BaseCommand):
    help = "Build a synthetic, bilingual care network (demo or region scale)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=sorted(SCALES), default="demo")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same network")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (and succeed) when the directory already holds data",
        )

    def handle(self, *args, scale, seed, if_empty, **options):
        if Organization.objects.exists():
            if if_empty:
                self.stdout.write("The database already holds a network: nothing to seed.")
                self._print_logins(None)
                return
            raise CommandError(
                "The database already holds a network. Seed an empty database "
                "(delete var/maillage.sqlite3, or use a new DATABASE_URL)."
            )
        bar = ProgressBar(f"Seeding ({scale})", stream=self.stderr._out)
        started = time.monotonic()
        result = NetworkGenerator(SCALES[scale], seed=seed, progress=bar).run()
        bar.close()
        elapsed = time.monotonic() - started
        counts = ", ".join(f"{n:,} {name}" for name, n in result.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Seeded in {elapsed:.1f} s: {counts}."))
        self._print_logins(result)

    def _print_logins(self, result):
        from maillage.seeding.generator import DEMO_DOMAIN

        rows = (
            [(login.role, login.email, login.note) for login in result.logins]
            if result
            else [
                ("Practitioner", f"practitioner@{DEMO_DOMAIN}", ""),
                ("Team lead", f"lead@{DEMO_DOMAIN}", ""),
                ("Network coordinator", f"coordinator@{DEMO_DOMAIN}", "second factor at login"),
                ("Administrator", f"admin@{DEMO_DOMAIN}", "second factor at login"),
            ]
        )
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        for role, email, note in rows:
            self.stdout.write(f"  {role:<22} {email:<36} {note}")
