"""Background work of accounts: the password reset e-mail leaves through the task queue,
so that the request does the same work whether or not the address has an account."""

from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

RESET_SUBJECT_TEMPLATE = "core/email/password_reset_subject.txt"
RESET_EMAIL_TEMPLATE = "core/email/password_reset.txt"


@task()
def send_password_reset(email: str, domain: str, use_https: bool) -> None:
    """Writes to the active accounts with this address (usually one, or none), each in
    its own language; an unknown address gets nothing, and the requester never learns
    which it was."""
    form = PasswordResetForm()
    for user in form.get_users(email):
        context = {
            "email": user.email,
            "domain": domain,
            "site_name": domain,
            "uid": urlsafe_base64_encode(force_bytes(user.pk)),
            "user": user,
            "token": default_token_generator.make_token(user),
            "protocol": "https" if use_https else "http",
        }
        with translation.override(user.preferred_language):
            form.send_mail(RESET_SUBJECT_TEMPLATE, RESET_EMAIL_TEMPLATE, context, None, user.email)
