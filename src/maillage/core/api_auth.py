"""API authentication: a personal access token, or the browser session (with CSRF)."""

from ninja.security import HttpBearer, SessionAuth

from .services import user_for_api_token


class PersonalTokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = user_for_api_token(token)
        if user is None:
            return None
        request.user = user
        return user


class VerifiedSessionAuth(SessionAuth):
    """The browser session, but only once a required second factor has been passed."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is not None and user.requires_second_factor and not user.is_verified():
            return None
        return user


api_auth = [PersonalTokenAuth(), VerifiedSessionAuth()]
