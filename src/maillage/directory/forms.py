from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Language, Population, Sector, ServiceType


def _with_all(choices) -> list:
    return [("", _("All")), *choices]


class DirectorySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.SearchInput(attrs={"placeholder": _("e.g. périnatalité, home visits, CLSC")}),
    )
    sector = forms.ChoiceField(label=_("Sector"), required=False, choices=_with_all(Sector.choices))
    service = forms.ChoiceField(
        label=_("Service"), required=False, choices=_with_all(ServiceType.choices)
    )
    population = forms.ChoiceField(
        label=_("Population"), required=False, choices=_with_all(Population.choices)
    )
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=_with_all(Language.choices)
    )
    territory = forms.ChoiceField(label=_("Territory"), required=False)

    def __init__(self, *args, territories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].choices = _with_all((t, t) for t in territories)


class DirectoryImportForm(forms.Form):
    file = forms.FileField(
        label=_("Directory file"),
        help_text=_(
            "A ZIP exported from Maillage, or one CSV file (UTF-8) of organizations, "
            "teams, service offers or practitioners."
        ),
    )
