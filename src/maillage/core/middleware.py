"""Coordinators and administrators must pass a second factor before anything else."""

from django.shortcuts import redirect
from django.urls import resolve
from django.urls.exceptions import Resolver404

# What a half-logged-in person may still reach: enrolling or entering a code, leaving,
# changing the language, and the assets those pages need.
OPEN_URL_NAMES = {"otp_setup", "otp_verify", "logout", "set_language", "javascript-catalog"}


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.requires_second_factor
            and not user.is_verified()
            # The API answers 401 itself (VerifiedSessionAuth); static files are harmless.
            and not request.path.startswith(("/static/", "/api/"))
        ):
            try:
                name = resolve(request.path_info).url_name
            except Resolver404:
                name = None
            if name not in OPEN_URL_NAMES:
                from django_otp import devices_for_user

                has_device = any(True for _ in devices_for_user(user, confirmed=True))
                return redirect("otp_verify" if has_device else "otp_setup")
        return self.get_response(request)
