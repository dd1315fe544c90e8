"""Account actions: second factor enrolment and reset, personal API tokens."""

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.audit.models import Action
from maillage.audit.services import record_event

from .compiled import CompiledQuery
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


def _user_fields() -> list[str]:
    return [f.attname for f in User._meta.concrete_fields]


# The token of a request and its user, in one query compiled once (core/compiled.py): every
# request of a partner system (the FHIR endpoint, the API with a token) reads it.
_TOKEN = CompiledQuery(
    lambda secret_hash: (
        ApiToken.objects.filter(
            secret_hash=secret_hash, revoked_at__isnull=True, user__is_active=True
        )
        .order_by()
        .values_list("id", "last_used_at", *(f"user__{name}" for name in _user_fields()))
    ),
    [CharField()],
)


def user_for_api_token(secret: str) -> User | None:
    """The active user of a token in use (not revoked), or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    rows = _TOKEN.rows(hash_token(secret))
    if not rows:
        return None
    token_id, last_used_at, *user_values = rows[0]
    now = timezone.now()
    # Recording every use would write on every read; once a minute says enough.
    if last_used_at is None or (now - last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    return User.from_db("default", _user_fields(), user_values)


def is_fully_verified(user) -> bool:
    """Whether this request's user typed a code from an enrolled device (django-otp's
    middleware sets `is_verified` on the request's user; elsewhere nobody is)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def may_enrol_a_device(user) -> bool:
    """The first device is enrolled after the password alone (there is no other factor
    yet); adding or replacing one takes a session verified with the current device, so a
    stolen password cannot bring its own phone."""
    return is_fully_verified(user) or not has_confirmed_device(user)


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed device a user is enrolling, created on first visit."""
    if not may_enrol_a_device(user):
        raise PermissionDenied
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def confirm_totp_device(*, user: User, token: str, request=None) -> TOTPDevice | None:
    """Confirms the device being enrolled; it replaces any device enrolled before (one
    phone per person: a lost or changed phone stops working at once)."""
    device = pending_totp_device(user)
    if not device.verify_token(token):
        record_event(action=Action.SECOND_FACTOR_FAILED, actor=user, request=request)
        return None
    device.confirmed = True
    device.save()
    replaced, _by_model = TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    record_event(
        action=Action.SECOND_FACTOR_ENROLLED,
        actor=user,
        obj=device,
        request=request,
        details={"replaced": replaced},
    )
    return device


@transaction.atomic
def reset_second_factor(*, by: User | None, email: str, request=None) -> User:
    """An administrator, from a fully verified session, removes someone's devices (a lost
    phone); the person enrols a new one at their next login. `by=None` is the command
    line, for when no administrator can log in. Logged either way."""
    if by is not None and not (by.is_administrator and is_fully_verified(by)):
        raise PermissionDenied
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise ValidationError({"email": _("No account has this e-mail address.")})
    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    record_event(
        action=Action.SECOND_FACTOR_RESET,
        actor=by,
        actor_label="" if by else "command line",
        obj=user,
        object_label=user.email,
        request=request,
        details={"devices_removed": removed},
    )
    return user
