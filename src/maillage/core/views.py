"""Accounts: login, second factor, personal API tokens, home."""

from base64 import b32encode
from contextlib import suppress

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token

from maillage.audit.models import Action
from maillage.audit.services import client_ip, record_event

from . import ratelimit, selectors, services
from .forms import (
    ApiTokenForm,
    EmailLoginForm,
    OneTimeCodeForm,
    PasswordResetRequestForm,
    SecondFactorResetForm,
    add_service_errors,
)
from .models import ApiToken
from .permissions import require
from .redirects import safe_next_url


class LoginView(auth_views.LoginView):
    form_class = EmailLoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    template_name = "core/password_reset.html"

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        window = settings.PASSWORD_RESET_LIMIT_WINDOW
        if not ratelimit.allow(
            [
                ratelimit.Limit(
                    "password-reset-address", email, settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
                ),
                ratelimit.Limit(
                    "password-reset-ip",
                    client_ip(self.request) or "",
                    settings.PASSWORD_RESET_LIMIT_PER_IP,
                ),
            ],
            window=window,
        ):
            # The same answer whether or not the address has an account.
            minutes = int(window.total_seconds() // 60)
            form.add_error(
                None,
                ngettext(
                    "Too many password reset requests for this address or from your "
                    "connection. Try again in %(count)d minute.",
                    "Too many password reset requests for this address or from your "
                    "connection. Try again in %(count)d minutes.",
                    minutes,
                )
                % {"count": minutes},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        # Logged without saying whether the address exists (the page never says either).
        record_event(
            action=Action.PASSWORD_RESET_REQUESTED,
            actor_label=email[:254],
            request=self.request,
        )
        return super().form_valid(form)


@login_required
def home(request):
    return render(request, "core/home.html")


@login_required
def otp_setup(request):
    """Enrol an authenticator app: scan the QR code, type a code to confirm. A person who
    already has one must first pass it (then the new app replaces the old one)."""
    if not services.may_enrol_a_device(request.user):
        return redirect("otp_verify")
    replacing = services.is_fully_verified(request.user)
    device = services.pending_totp_device(request.user)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed = services.confirm_totp_device(
            user=request.user, token=form.cleaned_data["token"], request=request
        )
        if confirmed:
            otp_login(request, confirmed)
            messages.success(request, _("Your authenticator app is enrolled."))
            return redirect("home")
        form.add_error(
            "token", _("This code is not valid. Check your phone's clock and try again.")
        )
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#111")
    return render(
        request,
        "core/otp_setup.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "secret": b32encode(device.bin_key).decode(),
            "replacing": replacing,
        },
    )


@login_required
def otp_verify(request):
    if request.user.is_verified():
        return redirect(safe_next_url(request, request.GET.get("next")))
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(safe_next_url(request, request.GET.get("next")))
        record_event(action=Action.SECOND_FACTOR_FAILED, actor=request.user, request=request)
        form.add_error(
            "token", _("This code is not valid. Check your phone's clock and try again.")
        )
    return render(request, "core/otp_verify.html", {"form": form})


@login_required
def otp_reset(request):
    """An administrator resets the second factor of someone who lost their phone."""
    require(request.user, "core.reset_second_factor", hide=True)
    form = SecondFactorResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.reset_second_factor(
                by=request.user, email=form.cleaned_data["email"], request=request
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "The second factor of %(email)s is reset: they will enrol a new "
                    "authenticator app at their next login."
                )
                % {"email": user.email},
            )
            return redirect("otp_reset")
    return render(request, "core/otp_reset.html", {"form": form})


@login_required
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        _token, new_secret = services.create_api_token(
            user=request.user, name=form.cleaned_data["name"], request=request
        )
        form = ApiTokenForm()
    tokens = selectors.api_tokens_of(fetched_by=request.user)
    return render(
        request, "core/api_tokens.html", {"form": form, "tokens": tokens, "new_secret": new_secret}
    )


@login_required
@require_POST
def revoke_api_token(request, token_id):
    # Another user's token gets the same answer as a missing one.
    with suppress(ApiToken.DoesNotExist):
        services.revoke_api_token(user=request.user, token_id=token_id, request=request)
    messages.success(request, _("The token is revoked."))
    return redirect("api_tokens")
