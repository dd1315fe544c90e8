"""Account actions: second factor enrolment, personal API tokens."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.audit.models import Action
from maillage.audit.services import record_event

from .models import ApiToken, User

TOKEN_PREFIX = "mlg_"  # noqa: S105 - a public marker, not a secret


def hash_token(secret: str) -> str:
    # A token is 256 random bits: a fast hash is enough, no salt or stretching needed.
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_api_token(*, user: User, name: str, request=None) -> tuple[ApiToken, str]:
    """Returns the token and its secret. The secret is never stored and never shown again."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip(), prefix=secret[:12], secret_hash=hash_token(secret)
    )
    record_event(action=Action.TOKEN_CREATED, actor=user, obj=token, request=request)
    return token, secret


@transaction.atomic
def revoke_api_token(*, user: User, token_id, request=None) -> ApiToken:
    """A user revokes only their own tokens."""
    token = ApiToken.objects.select_for_update().get(id=token_id, user=user)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_event(action=Action.TOKEN_REVOKED, actor=user, obj=token, request=request)
    return token


def user_for_api_token(secret: str) -> User | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(secret_hash=hash_token(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Recording every use would write on every read; once a minute says enough.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed device a user is enrolling, created on first visit."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def confirm_totp_device(*, user: User, token: str, request=None) -> TOTPDevice | None:
    device = pending_totp_device(user)
    if not device.verify_token(token):
        record_event(action=Action.SECOND_FACTOR_FAILED, actor=user, request=request)
        return None
    device.confirmed = True
    device.save()
    record_event(action=Action.SECOND_FACTOR_ENROLLED, actor=user, obj=device, request=request)
    return device
