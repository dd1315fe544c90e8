"""Input of the programmes-in-practice pages. The services check again what only they can
(dates against the enrolment, the site, the transitions) and name the field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.core.dates import DateField
from maillage.directory.models import Sector
from maillage.reviews.models import ActionStatus

from .models import (
    FIDELITY_MAX,
    FIDELITY_MIN,
    SUSTAINABILITY_MAX,
    SUSTAINABILITY_MIN,
    Domain,
    EnrolmentStatus,
    ExitReason,
    FactorCategory,
    FactorStatus,
    HeardIn,
    Polarity,
    RatedBy,
    Stage,
    TrainingKind,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgrammeForm(forms.Form):
    name_fr = forms.CharField(label=_("Name (French)"), max_length=200)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea, required=False, max_length=5000
    )
    planned_dose = forms.IntegerField(label=_("Planned dose (sessions)"), min_value=1)
    completion_threshold = forms.IntegerField(
        label=_("Completion threshold (sessions)"),
        min_value=1,
        required=False,
        help_text=_("Leave empty to count a family as completed at the planned dose."),
    )
    core_components = forms.CharField(
        label=_("Core components"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line."),
    )
    eligibility = forms.CharField(label=_("Eligibility"), widget=forms.Textarea, required=False)

    def components(self) -> list[str]:
        return [line for line in self.cleaned_data["core_components"].splitlines() if line.strip()]


class SiteForm(forms.Form):
    team = forms.ModelChoiceField(label=_("Team"), queryset=None)

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices)
    started_on = DateField(label=_("Started on"), widget=DATE)
    finished_on = DateField(label=_("Finished on"), widget=DATE, required=False)
    activities_planned = forms.IntegerField(label=_("Activities planned"), min_value=0, initial=0)
    activities_done = forms.IntegerField(label=_("Activities done"), min_value=0, initial=0)
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class _PractitionerForm(forms.Form):
    practitioner = forms.ModelChoiceField(label=_("Practitioner"), queryset=None)

    def __init__(self, *args, practitioners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["practitioner"].queryset = practitioners


class TrainingForm(_PractitionerForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=TrainingKind.choices)
    on = DateField(label=_("Date"), widget=DATE)
    hours = forms.DecimalField(label=_("Hours"), min_value=0, max_digits=5, decimal_places=1)
    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)


class SupervisionForm(_PractitionerForm):
    on = DateField(label=_("Date"), widget=DATE)
    minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=1, max_value=600)
    reflective = forms.BooleanField(label=_("Reflective supervision"), required=False)
    cases_discussed = forms.IntegerField(label=_("Cases discussed"), min_value=0, initial=0)


class DepartureForm(_PractitionerForm):
    left_on = DateField(label=_("Left the team on"), widget=DATE)


class EnrolForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Programme and site"), queryset=None)
    referred_on = DateField(label=_("Referred on"), widget=DATE)
    offered_on = DateField(label=_("Offered on"), widget=DATE, required=False)
    enrolled_on = DateField(label=_("Enrolled on"), widget=DATE, required=False)
    eligible = forms.BooleanField(label=_("Eligible"), required=False, initial=True)

    def __init__(self, *args, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].label_from_instance = lambda s: f"{s.programme.name} — {s.team.name}"


class SessionForm(forms.Form):
    """One fidelity field per core component (fidelity_0, fidelity_1…), named as the
    service names its errors."""

    held_on = DateField(label=_("Date of the session"), widget=DATE)
    attended = forms.BooleanField(label=_("The family came"), required=False, initial=True)
    components = forms.MultipleChoiceField(
        label=_("Components covered"), widget=forms.CheckboxSelectMultiple, required=False
    )
    rated_by = forms.ChoiceField(
        label=_("Fidelity rated by"), choices=[("", "—"), *RatedBy.choices], required=False
    )
    note = forms.CharField(
        label=_("Note for the timeline"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, components=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.component_names = list(components)
        self.fields["components"].choices = [(c, c) for c in self.component_names]
        for index, component in enumerate(self.component_names):
            # The range is the service's to check, so that a wrong score is refused with
            # the component named (and an API client hears the same).
            self.fields[f"fidelity_{index}"] = forms.IntegerField(
                label=_("Fidelity: %(component)s (%(low)s–%(high)s)")
                % {"component": component, "low": FIDELITY_MIN, "high": FIDELITY_MAX},
                required=False,
            )

    def fidelity(self) -> dict:
        return {
            c: self.cleaned_data.get(f"fidelity_{k}")
            for k, c in enumerate(self.component_names)
            if self.cleaned_data.get(f"fidelity_{k}") is not None
        }


class StepForm(forms.Form):
    to = forms.ChoiceField(label=_("New status"), choices=EnrolmentStatus.choices)
    on = DateField(label=_("Date"), widget=DATE)
    exit_reason = forms.ChoiceField(
        label=_("Exit reason"), choices=[("", "—"), *ExitReason.choices], required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, allowed=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [c for c in EnrolmentStatus.choices if c[0] in allowed]


class AdaptationForm(forms.Form):
    made_on = DateField(label=_("Date"), widget=DATE)
    what = forms.CharField(label=_("What was changed"), widget=forms.Textarea(attrs={"rows": 2}))
    why = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))
    made_by = forms.CharField(label=_("By whom"), max_length=200)
    planned = forms.BooleanField(label=_("Planned"), required=False)
    component = forms.ChoiceField(label=_("Component touched"), required=False)

    def __init__(self, *args, components=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["component"].choices = [("", "—"), *((c, c) for c in components)]


class SustainabilityForm(forms.Form):
    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(k), str(k)) for k in range(SUSTAINABILITY_MIN, SUSTAINABILITY_MAX + 1)]
        for item in items:
            self.fields[f"item_{item.id}"] = forms.TypedChoiceField(
                label=item.text,
                choices=choices,
                coerce=int,
                widget=forms.RadioSelect,
                help_text=item.get_domain_display(),
            )

    def scores(self) -> dict:
        return {
            name.removeprefix("item_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("item_")
        }


class ItemForm(forms.Form):
    domain = forms.ChoiceField(label=_("Domain"), choices=Domain.choices)
    text_fr = forms.CharField(label=_("Statement (French)"), max_length=300)
    text_en = forms.CharField(label=_("Statement (English)"), max_length=300)
    is_active = forms.BooleanField(label=_("In use"), required=False, initial=True)


class FactorForm(forms.Form):
    polarity = forms.ChoiceField(label=_("Barrier or facilitator"), choices=Polarity.choices)
    category = forms.ChoiceField(label=_("Category"), choices=FactorCategory.choices)
    title = forms.CharField(label=_("Short title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    heard_in = forms.ChoiceField(label=_("Where it was heard"), choices=HeardIn.choices)
    heard_on = DateField(label=_("Heard on"), widget=DATE)
    sectors = forms.MultipleChoiceField(
        label=_("Sectors concerned"),
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    programme = forms.ModelChoiceField(label=_("Programme"), queryset=None, required=False)

    def __init__(self, *args, programmes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes


class FactorStatusForm(forms.Form):
    to = forms.ChoiceField(label=_("Status"), choices=FactorStatus.choices)


class FactorActionForm(forms.Form):
    description = forms.CharField(
        label=_("Improvement action"), widget=forms.Textarea(attrs={"rows": 2})
    )
    due_date = DateField(label=_("Due date"), widget=DATE)


class ActionStatusForm(forms.Form):
    to = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)


class FileSituationForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=FactorCategory.choices)
