"""Coordinators and administrators must pass a second factor before anything else."""

from django.shortcuts import redirect
from django.urls import resolve
from django.urls.exceptions import Resolver404

from .services import has_confirmed_device

# What a half-logged-in person (password accepted, code not yet typed) may still reach:
# leaving, changing the language, the assets those pages need, and either the code page
# (an app is enrolled) or the enrolment page (none yet, first login). Never enrolment when
# an app exists: a stolen password must not be able to bring its own phone.
ALWAYS_OPEN = {"logout", "set_language", "javascript-catalog"}
OPEN_WITH_A_DEVICE = ALWAYS_OPEN | {"otp_verify"}
OPEN_WITHOUT_A_DEVICE = ALWAYS_OPEN | {"otp_setup"}


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            # The API answers 401 itself (VerifiedSessionAuth refuses a half-logged-in
            # session; tests/security check every operation); the FHIR endpoint never
            # reads the session's user, only a personal token (interop.views.endpoint), so
            # its requests do not load it. Static files are harmless. Checked first: the
            # user is read from the database on first use.
            not request.path_info.startswith(("/static/", "/api/", "/fhir/"))
            and user is not None
            and user.is_authenticated
            and user.requires_second_factor
            and not user.is_verified()
        ):
            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
            enrolled = has_confirmed_device(user)
            if name not in (OPEN_WITH_A_DEVICE if enrolled else OPEN_WITHOUT_A_DEVICE):
                return redirect("otp_verify" if enrolled else "otp_setup")
        return self.get_response(request)
