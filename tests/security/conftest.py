"""The security tests reuse the apps' own settings: a family and its referral, a review
group, a cross-training programme (each built only by the tests that ask for it)."""

from tests.families.conftest import care, practitioner  # noqa: F401 - shared fixtures
from tests.referrals.conftest import referral  # noqa: F401
from tests.reviews.conftest import moderator_client, review  # noqa: F401
from tests.training.conftest import make_session, run_immersion, session, training  # noqa: F401
