from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from maillage.core import views as core_views

from .api import api

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", core_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("account/second-factor/setup/", core_views.otp_setup, name="otp_setup"),
    path("account/second-factor/", core_views.otp_verify, name="otp_verify"),
    path("account/second-factor/reset/", core_views.otp_reset, name="otp_reset"),
    path("account/api-tokens/", core_views.api_tokens, name="api_tokens"),
    path(
        "account/api-tokens/<uuid:token_id>/revoke/",
        core_views.revoke_api_token,
        name="revoke_api_token",
    ),
    path("i18n/setlang/", set_language, name="set_language"),
    path("directory/", include("maillage.directory.urls")),
    path("families/", include("maillage.families.urls")),
    path("training/", include("maillage.training.urls")),
    path("referrals/", include("maillage.referrals.urls")),
    path("audit/", include("maillage.audit.urls")),
    path("reviews/", include("maillage.reviews.urls")),
    path("programmes/", include("maillage.implementation.urls")),
    path("studies/", include("maillage.evaluation.urls")),
    path("api/v1/", api.urls),
    path("fhir/R4/", include("maillage.interop.urls")),
]
