"""Counting requests per key (an e-mail address, a network address) over a sliding window,
in the database so that every worker process counts together."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from .models import RateLimitHit


@dataclass(frozen=True)
class Limit:
    scope: str  # what is counted, e.g. "password-reset-address"
    key: str  # whose requests: the address, the IP…
    limit: int  # how many per window; 0 or less means no limit


def _hash(scope: str, key: str) -> str:
    return salted_hmac(
        f"maillage.ratelimit.{scope}", key.strip().lower(), algorithm="sha256"
    ).hexdigest()


@transaction.atomic
def allow(limits: list[Limit], *, window: timedelta) -> bool:
    """Counts this request against every limit and says True, or, if any limit is already
    reached within the window, counts nothing and says False."""
    now = timezone.now()
    since = now - window
    scopes = {limit.scope for limit in limits}
    RateLimitHit.objects.filter(scope__in=scopes, at__lt=since).delete()
    hits = [
        RateLimitHit(scope=lim.scope, key_hash=_hash(lim.scope, lim.key), at=now) for lim in limits
    ]
    for lim, hit in zip(limits, hits, strict=True):
        if lim.limit > 0 and (
            RateLimitHit.objects.filter(
                scope=lim.scope, key_hash=hit.key_hash, at__gte=since
            ).count()
            >= lim.limit
        ):
            return False
    RateLimitHit.objects.bulk_create(hits)
    return True
