from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.core.dates import DateField, DateTimeField
from maillage.directory.models import Language, Organization

from .models import (
    ActionStatus,
    Caregiver,
    Category,
    CircleMember,
    ConsentMethod,
    ContactWay,
    EntryKind,
    Reason,
    Visibility,
    VisitOutcome,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FamilyForm(forms.Form):
    team = forms.ChoiceField(label=_("My team for this family"))
    role = forms.CharField(label=_("My role for this family"), max_length=150, required=False)
    parent1_first_name = forms.CharField(label=_("First name"), max_length=100)
    parent1_last_name = forms.CharField(label=_("Last name"), max_length=100)
    parent1_relationship = forms.CharField(
        label=_("Relationship to the child"), max_length=60, required=False
    )
    parent1_date_of_birth = DateField(label=_("Date of birth"), required=False, widget=DATE)
    parent1_languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    parent1_phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    parent1_email = forms.EmailField(label=_("E-mail"), required=False)
    parent1_address = forms.CharField(label=_("Address"), max_length=300, required=False)
    parent1_preferred_contact = forms.ChoiceField(
        label=_("How they prefer to be reached"),
        choices=[("", "—"), *ContactWay.choices],
        required=False,
    )
    parent2_first_name = forms.CharField(label=_("First name"), max_length=100, required=False)
    parent2_last_name = forms.CharField(label=_("Last name"), max_length=100, required=False)
    parent2_relationship = forms.CharField(
        label=_("Relationship to the child"), max_length=60, required=False
    )
    parent2_date_of_birth = DateField(label=_("Date of birth"), required=False, widget=DATE)
    child_first_name = forms.CharField(
        label=_("Child's first name"), max_length=100, required=False
    )
    child_date_of_birth = DateField(label=_("Date of birth (born)"), required=False, widget=DATE)
    child_due_date = DateField(label=_("Due date (expected)"), required=False, widget=DATE)
    reasons = forms.MultipleChoiceField(
        label=_("What brought the family to services"),
        choices=Reason.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    reasons_in_own_words = forms.CharField(
        label=_("In the family's own words"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    confirm_new = forms.BooleanField(
        label=_("I checked: this is a different family, create a new record"), required=False
    )

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].choices = [
            (str(t.id), f"{t.name} — {t.organization.name}") for t in teams
        ]

    def clean(self):
        data = super().clean()
        if bool(data.get("parent2_first_name")) != bool(data.get("parent2_last_name")):
            self.add_error("parent2_last_name", _("Give both names of the second parent, or none."))
        return data


class ConsentForm(forms.Form):
    given_by = forms.ModelChoiceField(label=_("Given by"), queryset=Caregiver.objects.none())
    organizations = forms.ModelMultipleChoiceField(
        label=_("Organizations that may share"),
        queryset=Organization.objects.order_by("name"),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    categories = forms.MultipleChoiceField(
        label=_("Categories of information"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    valid_from = DateField(label=_("From"), required=False, widget=DATE)
    valid_until = DateField(
        label=_("Until"),
        required=False,
        widget=DATE,
        help_text=_("One year after the start if left empty."),
    )
    method = forms.ChoiceField(
        label=_("How it was obtained"), choices=ConsentMethod.choices, widget=forms.RadioSelect
    )
    witness = forms.CharField(label=_("Witness (verbal consent)"), max_length=200, required=False)
    scan = forms.FileField(
        label=_("Scan of the signed form (PDF or image, 5 MB at most)"), required=False
    )

    def __init__(self, *args, family=None, show_names: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if family is not None:
            self.fields["given_by"].queryset = family.caregivers.all()
        if not show_names:
            # Without the identity category the reader sees no name, here neither.
            self.fields["given_by"].label_from_instance = _caregiver_stand_in


def _caregiver_stand_in(caregiver: Caregiver) -> str:
    return caregiver.relationship or _("Parent or caregiver")


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)


class CircleAddForm(forms.Form):
    email = forms.EmailField(label=_("Practitioner's e-mail"))
    team = forms.ChoiceField(label=_("Through which team"), required=False)
    role = forms.CharField(label=_("Role for this family"), max_length=150, required=False)


class HandOverForm(forms.Form):
    to = forms.ModelChoiceField(label=_("New lead worker"), queryset=CircleMember.objects.none())

    def __init__(self, *args, family=None, **kwargs):
        super().__init__(*args, **kwargs)
        if family is not None:
            self.fields["to"].queryset = family.circle.filter(
                left_at__isnull=True, is_lead=False
            ).select_related("practitioner")


class GoalForm(forms.Form):
    need = forms.CharField(
        label=_("Need, in the family's words"), widget=forms.Textarea(attrs={"rows": 2})
    )
    goal = forms.CharField(label=_("Goal"), widget=forms.Textarea(attrs={"rows": 2}))


class ActionForm(forms.Form):
    description = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=CircleMember.objects.none())
    due_date = DateField(label=_("Due date"), required=False, widget=DATE)

    def __init__(self, *args, family=None, **kwargs):
        super().__init__(*args, **kwargs)
        if family is not None:
            self.fields["owner"].queryset = family.circle.filter(
                left_at__isnull=True
            ).select_related("practitioner")


class ActionUpdateForm(ActionForm):
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    version = forms.IntegerField(widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    planned_for = DateField(label=_("Review date"), widget=DATE)
    held_on = DateField(label=_("Held on"), required=False, widget=DATE)
    decisions = forms.CharField(
        label=_("Decisions"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EntryForm(forms.Form):
    # Programme sessions are written with their enrolment (implementation app), not here.
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[c for c in EntryKind.choices if c[0] != EntryKind.PROGRAMME_SESSION],
    )
    occurred_at = DateTimeField(
        label=_("Date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    visibility = forms.ChoiceField(label=_("Visible to"), choices=Visibility.choices)
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}))
    visit_outcome = forms.ChoiceField(
        label=_("Home visit"), choices=[("", "—"), *VisitOutcome.choices], required=False
    )
    visit_reason = forms.CharField(
        label=_("Reason (missed, rescheduled, refused)"), max_length=300, required=False
    )


class EnteredInErrorForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is this entry in error?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: written in the wrong family's record. The entry stays in the "
            "record's history, marked as entered in error."
        ),
    )


class EmergencyAccessForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is a child's safety at stake?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Your access lasts 4 hours, is flagged in the family's access report and "
            "the lead worker is told."
        ),
    )


class CaseloadFilterForm(forms.Form):
    q = forms.CharField(label=_("Search a family"), required=False, max_length=100)
    only_lead = forms.BooleanField(label=_("Only families I lead"), required=False)
    attention = forms.ChoiceField(
        label=_("Needs attention"),
        required=False,
        choices=[
            ("", _("All")),
            ("overdue", _("Overdue actions")),
            ("missed_visits", _("Missed home visits")),
            ("expiring_consents", _("Consents expiring within 30 days")),
        ],
    )
