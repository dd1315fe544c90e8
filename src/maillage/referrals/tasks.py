"""Background work of referrals: e-mails leave through the task queue, never inside the
request that caused them."""

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

from maillage.core.models import User

from .messages import render


@task()
def send_notification_email(user_id: str, kind: str, params: dict, url: str) -> None:
    user = User.objects.filter(id=user_id, is_active=True).first()
    if user is None:
        return
    subject, body = render(kind, params, user.preferred_language)
    send_mail(
        subject=subject,
        message=f"{body}\n\n{settings.MAILLAGE_BASE_URL}{url}\n",
        from_email=None,
        recipient_list=[user.email],
    )
