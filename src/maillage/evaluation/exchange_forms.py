"""Input of the REFI-QDA exchange pages: the uploaded file (size checked before it is read),
how its positions are counted, and the de-identification confirmation."""

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .models import TITLE_MAX
from .qdpx_exchange import LIMITS, REASON_MAX
from .refi_qda import Scheme

POSITION_CHOICES = [
    ("", _("Find out from the file (the standard's code points unless it shows otherwise)")),
    (Scheme.CODE_POINTS.value, _("Unicode code points (the standard)")),
    (Scheme.UTF16.value, _("UTF-16 units (an emoji counts two)")),
    (Scheme.CRLF_AS_ONE.value, _("Code points, a Windows line end counted as one")),
    (Scheme.UTF16_CRLF_AS_ONE.value, _("UTF-16 units, a Windows line end counted as one")),
]


class ExchangeFileForm(forms.Form):
    file = forms.FileField(label=_("File"))
    positions = forms.ChoiceField(
        label=_("Positions in the file"), choices=POSITION_CHOICES, required=False
    )
    deidentified_reason = forms.CharField(
        label=_("The texts are de-identified because…"),
        help_text=_(
            "Only if the de-identification guard finds names or numbers in the texts: why "
            "they may stay (kept in the access log)."
        ),
        max_length=REASON_MAX,
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > LIMITS.archive_bytes:
            raise ValidationError(
                _("The file is %(size)s; at most %(limit)s are accepted.")
                % {
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(LIMITS.archive_bytes),
                }
            )
        return upload


class ProjectImportForm(ExchangeFileForm):
    title = forms.CharField(
        label=_("Title of the new study"),
        help_text=_("Leave empty to take the project's name."),
        max_length=TITLE_MAX,
        required=False,
    )
    field_order = ["file", "title", "positions", "deidentified_reason"]
