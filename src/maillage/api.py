"""The root of the JSON API: /api/v1/, its OpenAPI document and docs page."""

from ninja import NinjaAPI

from maillage.core.api_auth import api_auth
from maillage.directory.api import router as directory_router
from maillage.families.api import router as families_router
from maillage.implementation.api import router as implementation_router
from maillage.referrals.api import router as referrals_router
from maillage.reviews.api import router as reviews_router
from maillage.training.api import router as training_router

api = NinjaAPI(
    title="Maillage API",
    version="1.0.0",
    description=(
        "The Maillage JSON API. Authenticate with a personal access token created on the "
        "'API tokens' page: `Authorization: Bearer <token>`. Lists are paginated."
    ),
    auth=api_auth,
    urls_namespace="api-1.0.0",
)
api.add_router("/directory/", directory_router)
api.add_router("/reviews/", reviews_router)
api.add_router("/families/", families_router)
api.add_router("/training/", training_router)
api.add_router("/referrals/", referrals_router)
api.add_router("/implementation/", implementation_router)
