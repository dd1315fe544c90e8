"""Authentication signals from Django and django-axes, recorded in the audit log."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .models import Action
from .services import record_event


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record_event(action=Action.LOGIN, actor=user, request=request)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_event(action=Action.LOGOUT, actor=user, request=request)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    # Never the password: only the identifier that was typed.
    label = str(credentials.get("username") or credentials.get("email") or "")[:254]
    record_event(action=Action.LOGIN_FAILED, actor_label=label, request=request)


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    record_event(
        action=Action.LOCKED_OUT,
        actor_label=str(username or "")[:254],
        request=request,
        details={"ip_address": ip_address},
    )
