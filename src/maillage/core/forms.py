from functools import partial

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.sites.shortcuts import get_current_site
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import transaction
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from maillage.core.deidentification import MAX_TEXT_LENGTH, text_length


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


def _length_help(help_text, max_length: int) -> str:
    limit = gettext("At most %(max)s characters.") % {
        "max": number_format(max_length, force_grouping=True)
    }
    return f"{help_text} {limit}" if help_text else limit


class GuardedTextField(forms.CharField):
    """Free text that goes through the de-identification guard: at most MAX_TEXT_LENGTH
    characters, said in the help text and, when exceeded, in an error that names the field.
    A line break counts as one character, as in the browser's own limit."""

    default_error_messages = {
        "too_long": _(
            "“%(field)s” is too long: at most %(max)s characters, and this text has "
            "%(length)s. Shorten it."
        ),
    }

    def __init__(self, *, max_length: int = MAX_TEXT_LENGTH, help_text="", **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        super().__init__(
            max_length=max_length,
            help_text=lazy(_length_help, str)(help_text, max_length),
            **kwargs,
        )
        # Django's own check counts "\r\n" as two characters: text_length() replaces it.
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def validate(self, value):
        super().validate(value)
        length = text_length(value)
        if self.max_length is not None and length > self.max_length:
            raise ValidationError(
                self.error_messages["too_long"],
                code="max_length",
                params={
                    "field": self.label,
                    "max": number_format(self.max_length, force_grouping=True),
                    "length": number_format(length, force_grouping=True),
                },
            )
