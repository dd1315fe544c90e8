from functools import partial

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class PasswordResetRequestForm(PasswordResetForm):
    """Queues the e-mail instead of sending it: looking the address up, making the token
    and sending all happen in the task, so a known and an unknown address cost the
    request the same (no timing tells them apart)."""

    def save(self, domain_override=None, use_https=False, request=None, **kwargs):
        from .tasks import send_password_reset

        domain = domain_override or get_current_site(request).domain
        transaction.on_commit(
            partial(send_password_reset.enqueue, self.cleaned_data["email"], domain, use_https)
        )


class OneTimeCodeForm(forms.Form):
    token = forms.CharField(
        label=_("6-digit code from your authenticator app"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}"}
        ),
    )


class SecondFactorResetForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the account"),
        help_text=_(
            "Check first, by phone or in person, that the request comes from this person: "
            "until they enrol a new app, their password alone opens the enrolment page."
        ),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("What is this token for?"),
        max_length=100,
        help_text=_("For example: the FHIR bridge of my organization."),
    )


def add_service_errors(form, error: ValidationError) -> None:
    """Puts a service's ValidationError on the form, on the field it names when it can:
    services validate what forms cannot (consent coverage, transitions), pages show it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
