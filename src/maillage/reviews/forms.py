"""Input validation for the review pages. The rules themselves live in services.py."""

from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.core import deidentification
from maillage.core.dates import DateField, DateTimeField
from maillage.core.forms import GuardedTextField
from maillage.core.models import User
from maillage.directory.models import Organization, Sector
from maillage.families.guard_names import name_index

from .models import (
    ActionStatus,
    Avoidable,
    Harm,
    MalfunctionType,
    SituationKind,
    SlotKind,
)

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FindingChoiceField(forms.MultipleChoiceField):
    """Confirmations of findings. A key whose finding is gone (the text was corrected) is
    dropped rather than refused."""

    def validate(self, value):
        pass

    def clean(self, value):
        known = {key for key, _label in self.choices}
        return [key for key in super().clean(value) if key in known]


class DeidentifiedTextForm(forms.Form):
    """A form whose free text goes through the de-identification guard.

    When the guard finds something, the page shows it highlighted, with one checkbox per
    finding ("this does not identify anyone") and a reason. The checkboxes' choices come from
    scanning the text as submitted, so a confirmation always refers to what is on screen.
    """

    guarded_fields: tuple[str, ...] = ()

    confirm = FindingChoiceField(
        label=_("Confirm as not identifying"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    confirm_reason = forms.CharField(
        label=_("Why does this not identify anyone?"),
        required=False,
        max_length=500,
        help_text=_("Required when you confirm a finding. It is kept in the audit log."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.findings: dict[str, list[deidentification.Finding]] = {}
        if self.is_bound:
            texts = {name: self.data.get(self.add_prefix(name), "") for name in self.guarded_fields}
            # A text over the limit is refused by its field, unread.
            texts = {
                name: text
                for name, text in texts.items()
                if deidentification.text_length(text) <= deidentification.MAX_TEXT_LENGTH
            }
            if any(texts.values()):
                self.findings = deidentification.scan_fields(texts, names=name_index())
        self.fields["confirm"].choices = [
            (finding.key, f"{finding.text} — {finding.label}")
            for items in self.findings.values()
            for finding in items
        ]
        if not self.findings:
            # Nothing to confirm: the two fields stay out of the page.
            self.fields["confirm"].widget = forms.MultipleHiddenInput()
            self.fields["confirm_reason"].widget = forms.HiddenInput()

    @property
    def finding_blocks(self) -> list[tuple[str, str, list[deidentification.Finding]]]:
        """For the page: each field with findings, its label, its text as typed, the findings."""
        return [
            (self.fields[name].label, self.data.get(self.add_prefix(name), ""), items)
            for name, items in self.findings.items()
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("confirm") and not (cleaned.get("confirm_reason") or "").strip():
            self.add_error(
                "confirm_reason", _("Say why the findings you confirmed do not identify anyone.")
            )
        return cleaned

    @property
    def confirmations(self) -> dict[str, str]:
        reason = (self.cleaned_data.get("confirm_reason") or "").strip()
        return dict.fromkeys(self.cleaned_data.get("confirm") or [], reason)


class ReviewGroupForm(forms.Form):
    name = forms.CharField(label=_("Name of the group"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    organizations = forms.ModelMultipleChoiceField(
        label=_("Member organizations"),
        queryset=Organization.objects.order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("At least two. The meetings rotate between them."),
    )
    moderator_email = forms.EmailField(
        label=_("Moderator's e-mail address"),
        help_text=_("The moderator may work for none of the member organizations."),
    )
    participant_emails = forms.CharField(
        label=_("Participants' e-mail addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One address per line."),
    )

    def clean_organizations(self):
        # Also checked by the service; said here too so that every error shows at once.
        organizations = self.cleaned_data["organizations"]
        if len(organizations) < 2:
            raise forms.ValidationError(
                _("A review group brings together at least two organizations.")
            )
        return organizations

    def clean_moderator_email(self) -> User:
        return _user_by_email(self.cleaned_data["moderator_email"])

    def clean_participant_emails(self) -> list[User]:
        emails = [line.strip() for line in self.cleaned_data["participant_emails"].splitlines()]
        return [_user_by_email(email) for email in emails if email]


def _user_by_email(email: str) -> User:
    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is None:
        raise forms.ValidationError(
            _("No active account has the address %(email)s."), params={"email": email}
        )
    return user


class ParticipantForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the participant"))
    organization = forms.ModelChoiceField(
        label=_("Organization they speak for"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Left empty, it is taken from their teams in the directory."),
    )

    def __init__(self, *args, organizations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is not None:
            self.fields["organization"].queryset = organizations

    def clean_email(self) -> User:
        return _user_by_email(self.cleaned_data["email"])


class ModeratorForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the new moderator"))

    def clean_email(self) -> User:
        return _user_by_email(self.cleaned_data["email"])


def default_meeting_start(usual_time: time | None = None, *, today: date | None = None):
    """A first guess for a new meeting: a week from today, moved to a weekday, at the group's
    usual time of day (that of its latest meeting), or at noon; local time."""
    day = (today or timezone.localdate()) + timedelta(days=7)
    while day.weekday() >= 5:  # Saturday, Sunday
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, usual_time or time(12, 0)))


class MeetingForm(forms.Form):
    starts_at = DateTimeField(
        label=_("Date and time"),
        widget=DATETIME_INPUT,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=15, max_value=480, initial=120
    )
    host = forms.ModelChoiceField(label=_("Venue (host organization)"), queryset=None)
    venue_details = forms.CharField(label=_("Room and access"), max_length=300, required=False)
    new_situation_slots = forms.TypedChoiceField(
        label=_("New situations to present"),
        choices=[(1, "1"), (2, "2")],
        coerce=int,
        initial=2,
    )

    def __init__(self, *args, organizations, proposed=None, usual_time=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = organizations
        if proposed is not None:
            self.fields["host"].initial = proposed.pk
            self.fields["host"].help_text = _(
                "Proposed by rotation: %(name)s, the member that hosted least recently."
            ) % {"name": proposed.name}
        if not self.is_bound and "starts_at" not in self.initial:
            self.initial["starts_at"] = default_meeting_start(usual_time)

    def clean_starts_at(self) -> datetime:
        value = self.cleaned_data["starts_at"]
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class SituationForm(DeidentifiedTextForm):
    guarded_fields = ("title", "narrative")

    kind = forms.ChoiceField(
        label=_("What kind of situation is it?"),
        choices=SituationKind.choices,
        widget=forms.RadioSelect,
        initial=SituationKind.MALFUNCTION,
    )
    title = forms.CharField(
        label=_("Short title"),
        max_length=150,
        help_text=_("For example: “Referral to addiction services without shared follow-up”."),
    )
    narrative = GuardedTextField(
        label=_("Narrative"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "What happened between the carers, told without names, dates of birth, "
            "addresses, phone numbers or file numbers."
        ),
    )
    sectors = forms.MultipleChoiceField(
        label=_("Kinds of organizations involved"),
        choices=Sector.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    field_order = ["kind", "title", "narrative", "sectors", "confirm", "confirm_reason"]


class AnalysisForm(DeidentifiedTextForm):
    guarded_fields = ("malfunction", "patient_harm_how", "carer_harm_how")

    malfunction = GuardedTextField(
        label=_("1. What malfunction (or what success) did the situation reveal?"),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    malfunction_types = forms.MultipleChoiceField(
        label=_("Types of malfunction"),
        choices=MalfunctionType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    patient_harm = forms.ChoiceField(
        label=_("2. Did it harm the patient?"), choices=Harm.choices, widget=forms.RadioSelect
    )
    patient_harm_how = GuardedTextField(
        label=_("How did it harm the patient?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    carer_harm = forms.ChoiceField(
        label=_("3. Did it harm the carer?"), choices=Harm.choices, widget=forms.RadioSelect
    )
    carer_harm_how = GuardedTextField(
        label=_("How did it harm the carer?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    avoidable = forms.ChoiceField(
        label=_("4. Was it avoidable?"), choices=Avoidable.choices, widget=forms.RadioSelect
    )

    field_order = [
        "malfunction",
        "malfunction_types",
        "patient_harm",
        "patient_harm_how",
        "carer_harm",
        "carer_harm_how",
        "avoidable",
        "confirm",
        "confirm_reason",
    ]


class ImprovementActionForm(DeidentifiedTextForm):
    guarded_fields = ("description",)

    description = GuardedTextField(
        label=_("5. Avenue for improvement"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Each avenue becomes an action followed up at the next meetings."),
    )
    owner = forms.ChoiceField(label=_("Who carries it?"))
    due_date = DateField(label=_("Due date"), widget=DATE_INPUT)

    field_order = ["description", "owner", "due_date", "confirm", "confirm_reason"]

    def __init__(self, *args, organizations=(), members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = {f"org:{org.pk}": org for org in organizations} | {
            f"user:{m.user.pk}": m.user for m in members
        }
        self.fields["owner"].choices = [
            ("", "—"),
            (_("Organizations"), [(f"org:{org.pk}", org.name) for org in organizations]),
            (_("Participants"), [(f"user:{m.user.pk}", m.user.full_name) for m in members]),
        ]

    def owner_kwargs(self) -> dict:
        key = self.cleaned_data["owner"]
        owner = self.owners[key]
        if key.startswith("org:"):
            return {"owner_organization": owner}
        return {"owner_participant": owner}


class ActionStatusForm(DeidentifiedTextForm):
    guarded_fields = ("note",)

    status = forms.ChoiceField(label=_("New status"), choices=ActionStatus.choices)
    note = GuardedTextField(
        label=_("What became of it"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    field_order = ["status", "note", "confirm", "confirm_reason"]


class FollowUpForm(DeidentifiedTextForm):
    guarded_fields = ("note",)

    note = GuardedTextField(
        label=_("What became of this situation?"), widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = ["note", "confirm", "confirm_reason"]


class SlotForm(DeidentifiedTextForm):
    guarded_fields = ("title", "notes")

    kind = forms.ChoiceField(label=_("Kind"), choices=SlotKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    notes = GuardedTextField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = ["kind", "title", "notes", "confirm", "confirm_reason"]


class AttendanceForm(forms.Form):
    present = forms.MultipleChoiceField(
        label=_("Present"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(m.user.pk): m.user for m in members}
        self.fields["present"].choices = [
            (str(m.user.pk), f"{m.user.full_name} ({m.get_role_display()})") for m in members
        ]

    def present_users(self) -> list[User]:
        return [self.members[key] for key in self.cleaned_data["present"]]


class RoundTableForm(DeidentifiedTextForm):
    guarded_fields = ("notes",)

    notes = GuardedTextField(
        label=_("How did the meeting go?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    field_order = ["notes"]

    def __init__(self, *args, raters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rater_fields = {}
        for user in raters:
            name = f"rating_{user.pk.hex}"
            self.fields[name] = forms.TypedChoiceField(
                label=_("Rating by %(name)s") % {"name": user.full_name},
                choices=[("", "—")] + [(n, str(n)) for n in range(1, 6)],
                coerce=int,
                empty_value=None,
                required=False,
            )
            self.rater_fields[name] = user
        # The confirmation fields come last, after the ratings.
        self.order_fields(["notes", *self.rater_fields, "confirm", "confirm_reason"])

    def ratings(self) -> dict:
        return {user.pk: self.cleaned_data.get(name) for name, user in self.rater_fields.items()}


class PeriodForm(forms.Form):
    start = DateField(label=_("From"), widget=DATE_INPUT)
    end = DateField(label=_("To"), widget=DATE_INPUT)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            self.add_error("end", _("The end of the period comes before its start."))
        return cleaned
