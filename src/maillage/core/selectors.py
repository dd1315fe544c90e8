"""Reads of a person's own account data."""

from django.db.models import QuerySet

from .models import ApiToken, User


def api_tokens_of(*, fetched_by: User) -> QuerySet[ApiToken]:
    """The user's own API tokens, newest first (revoked ones too, marked as such)."""
    return ApiToken.objects.filter(user=fetched_by)
