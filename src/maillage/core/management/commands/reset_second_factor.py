"""`maillage reset_second_factor EMAIL`: removes someone's authenticator apps when no
administrator can log in to do it from the page (the last administrator lost their
phone). Written to the audit log as done from the command line."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from maillage.core.services import reset_second_factor


class Command(BaseCommand):
    help = "Remove the authenticator apps of an account; it enrols a new one at next login."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        try:
            user = reset_second_factor(by=None, email=email)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Second factor of {user.email} reset; they enrol again at next login.")
