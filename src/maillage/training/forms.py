"""Input validation for the cross-training pages. The rules themselves live in services.py."""

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.core.dates import DateField, DateTimeField
from maillage.directory.models import Team

from .defaults import DEFAULT_TOPICS
from .models import HostActivity, Phase

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

# The 1–5 agreement scale, each point named so that a screen reader says what it means.
SCALE_CHOICES = [
    (1, _("1 — Strongly disagree")),
    (2, _("2 — Disagree")),
    (3, _("3 — Neither agree nor disagree")),
    (4, _("4 — Agree")),
    (5, _("5 — Strongly agree")),
]


class TeamChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Team) -> str:
        return f"{obj.name} — {obj.organization.name}"


def team_field(queryset, label, help_text="") -> TeamChoiceField:
    return TeamChoiceField(
        label=label,
        queryset=queryset.select_related("organization").order_by(
            "organization__name", "name", "id"
        ),
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


def _topic_lines(pairs) -> str:
    return "\n".join(f"{fr} | {en}" for fr, en in pairs)


class ProgrammeForm(forms.Form):
    name = forms.CharField(label=_("Name of the programme"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    starts_on = DateField(label=_("Starts on"), widget=DATE_INPUT)
    ends_on = DateField(
        label=_("Ends on"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Leave empty while the end is not decided."),
    )
    teams = forms.ModelMultipleChoiceField(queryset=Team.objects.none())
    topics = forms.CharField(
        label=_("Topics"),
        widget=forms.Textarea(attrs={"rows": 5}),
        initial=_topic_lines(DEFAULT_TOPICS),
        help_text=_(
            "One topic per line: the French version, a vertical bar “|”, the English version. "
            "One of the two may be left out."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"] = team_field(
            Team.objects.all(),
            _("Participating teams"),
            _("At least two teams, from the sectors that should know each other better."),
        )

    def clean_teams(self):
        teams = self.cleaned_data["teams"]
        if len(teams) < 2:
            raise forms.ValidationError(_("A programme brings together at least two teams."))
        return teams

    def clean_topics(self) -> list[tuple[str, str]]:
        rows = []
        for number, line in enumerate(self.cleaned_data["topics"].splitlines(), start=1):
            if not line.strip():
                continue
            french, _bar, english = line.partition("|")
            if not (french.strip() or english.strip()):
                raise forms.ValidationError(_("Line %(number)s has no text.") % {"number": number})
            rows.append((french.strip(), english.strip()))
        if not rows:
            raise forms.ValidationError(_("Give at least one topic."))
        return rows

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end date is before the start date."))
        return cleaned


class AddTeamsForm(forms.Form):
    teams = forms.ModelMultipleChoiceField(queryset=Team.objects.none())

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"] = team_field(
            Team.objects.exclude(id__in=programme.programme_teams.values("team_id")),
            _("Teams to add"),
        )


class BilingualForm(forms.Form):
    """A translatable item: French, English, or both."""

    def clean(self):
        cleaned = super().clean()
        names = list(self.fields)[:2]
        if not any((cleaned.get(name) or "").strip() for name in names):
            self.add_error(names[0], _("Write it in French, in English, or in both."))
        return cleaned


class TopicForm(BilingualForm):
    name_fr = forms.CharField(label=_("Topic in French"), max_length=300, required=False)
    name_en = forms.CharField(label=_("Topic in English"), max_length=300, required=False)


class ItemForm(BilingualForm):
    text_fr = forms.CharField(label=_("Statement in French"), max_length=300, required=False)
    text_en = forms.CharField(label=_("Statement in English"), max_length=300, required=False)


class PhaseForm(forms.ModelForm):
    class Meta:
        model = Phase
        fields = ["name_fr", "name_en", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE_INPUT, "ends_on": DATE_INPUT}
        field_classes = {"starts_on": DateField, "ends_on": DateField}

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end date is before the start date."))
        return cleaned


class SessionForm(forms.Form):
    host_team = forms.ModelChoiceField(label=_("Host team"), queryset=Team.objects.none())
    starts_at = DateTimeField(label=_("Date and time"), widget=DATETIME_INPUT)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=30, max_value=24 * 60, initial=180
    )
    capacity = forms.IntegerField(
        label=_("Places for visitors"), min_value=1, max_value=50, initial=4
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    host_activities = forms.MultipleChoiceField(
        label=_("What the host shows"),
        choices=HostActivity.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    host_activities_details = forms.CharField(
        label=_("Details of what the host shows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    agenda = forms.CharField(
        label=_("Agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    location = forms.CharField(
        label=_("Where"),
        required=False,
        max_length=300,
        help_text=_("Leave empty to use the host team's address."),
    )

    def __init__(self, *args, programme, **kwargs):
        super().__init__(*args, **kwargs)
        host = self.fields["host_team"]
        host.queryset = (
            Team.objects.filter(id__in=programme.programme_teams.values("team_id"))
            .select_related("organization")
            .order_by("organization__name", "name")
        )
        host.label_from_instance = lambda t: f"{t.name} — {t.organization.name}"
        topics = self.fields["topics"]
        topics.queryset = programme.topics.all()
        topics.label_from_instance = lambda t: t.name


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=300)


class AttendanceForm(forms.Form):
    """One checkbox per confirmed participant: ticked when they came."""

    present = forms.MultipleChoiceField(
        label=_("Who came"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, sign_ups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [
            (str(s.pk), f"{s.practitioner} — {s.team.name}") for s in sign_ups
        ]
        if not self.is_bound:
            self.initial["present"] = [str(s.pk) for s in sign_ups if s.attended is not False]


class SelfAssessmentForm(forms.Form):
    """One 1-5 scale per statement of the programme's questionnaire."""

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        for item in items:
            self.fields[f"item_{item.pk}"] = forms.TypedChoiceField(
                label=item.text,
                choices=SCALE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose a number from 1 to 5 for this statement.")},
            )
        self.items = list(items)

    @property
    def answers(self) -> dict[str, int]:
        return {str(item.pk): self.cleaned_data[f"item_{item.pk}"] for item in self.items}
