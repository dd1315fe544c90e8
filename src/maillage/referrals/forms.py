from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.core.dates import DateField, DateTimeField
from maillage.core.forms import GuardedTextField
from maillage.directory.models import Language, ServiceOffer, Team
from maillage.families.models import Category, Family

from .models import FollowUp, RejectReason, Urgency

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files]


class ReferralForm(forms.Form):
    family = forms.ModelChoiceField(label=_("Family"), queryset=Family.objects.none())
    from_team = forms.ModelChoiceField(label=_("From my team"), queryset=Team.objects.none())
    to_team = forms.ModelChoiceField(label=_("To the team"), queryset=Team.objects.none())
    service_offer = forms.ModelChoiceField(
        label=_("Service"), required=False, queryset=ServiceOffer.objects.none()
    )
    reason = forms.CharField(
        label=_("Reason for the referral"), widget=forms.Textarea(attrs={"rows": 3})
    )
    family_wishes = forms.CharField(
        label=_("What the family wants"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        choices=Urgency.choices,
        widget=forms.RadioSelect,
        initial=Urgency.ROUTINE,
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"), required=False, choices=[("", "—"), *Language.choices]
    )
    preferred_contact = forms.CharField(
        label=_("How to reach the family"), max_length=200, required=False
    )
    categories = forms.MultipleChoiceField(
        label=_("Information shared with the receiving team"),
        choices=Category.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Category.IDENTITY],
    )
    attachments = MultipleFileField(
        label=_("Attachments (PDF or image, 5 MB each)"), required=False
    )
    referrer_leaves_on_hand_over = forms.BooleanField(
        label=_("If the receiving team takes over as lead worker, I leave the circle of care"),
        help_text=_("Otherwise you stay in the circle of care as a partner."),
        required=False,
    )

    def __init__(self, *args, families=None, my_teams=None, to_teams=None, offers=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer_families(self.fields["family"], families)
        self.fields["from_team"].queryset = _as_queryset(Team, my_teams)
        self.fields["to_team"].queryset = to_teams if to_teams is not None else Team.objects.none()
        self.fields["to_team"].label_from_instance = lambda t: f"{t.name} — {t.organization.name}"
        self.fields["service_offer"].queryset = (
            offers if offers is not None else ServiceOffer.objects.none()
        )


def _as_queryset(model, objects):
    """A model choice field validates against a queryset: the same rows as the list given."""
    if objects is None:
        return model.objects.none()
    if hasattr(objects, "all"):
        return objects
    return model.objects.filter(pk__in=[o.pk for o in objects])


def offer_families(field, families) -> None:
    """The families a form may name, labelled as the reader may name them (family.label,
    set by families.selectors): never a name the consent does not cover."""
    families = list(families or [])
    labels = {f.pk: f.label for f in families}
    field.queryset = _as_queryset(Family, families).order_by("-created_at")
    field.label_from_instance = lambda f: labels.get(f.pk, f.reference)


class StepForm(forms.Form):
    step = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note (optional)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    follow_up = forms.ChoiceField(
        label=_("After acceptance"),
        choices=FollowUp.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    assign_to = forms.UUIDField(label=_("Who follows the family"), required=False)
    reject_reason = forms.ChoiceField(
        label=_("Reason for declining"), required=False, choices=[("", "—"), *RejectReason.choices]
    )
    reject_text = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    on_hold_until = DateField(label=_("Expected date"), required=False, widget=DATE)
    first_contact_at = DateTimeField(
        label=_("First contact made on"), required=False, widget=DATETIME
    )
    outcome = forms.CharField(
        label=_("Outcome, for the referrer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class WarmHandoffForm(forms.Form):
    at = DateTimeField(label=_("Joint first meeting with the family"), widget=DATETIME)
    done = forms.BooleanField(label=_("The meeting was held"), required=False)


class ConsultationForm(forms.Form):
    from_team = forms.ModelChoiceField(label=_("From my team"), queryset=Team.objects.none())
    to_team = forms.ModelChoiceField(label=_("Team consulted"), queryset=Team.objects.none())
    family = forms.ModelChoiceField(
        label=_("About a family (leave empty for a de-identified question)"),
        queryset=Family.objects.none(),
        required=False,
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    question = GuardedTextField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args, my_teams=None, to_teams=None, families=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_team"].queryset = _as_queryset(Team, my_teams)
        self.fields["to_team"].queryset = to_teams if to_teams is not None else Team.objects.none()
        self.fields["to_team"].label_from_instance = lambda t: f"{t.name} — {t.organization.name}"
        offer_families(self.fields["family"], families)


class ReplyForm(forms.Form):
    text = GuardedTextField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 3}))


class PreferencesForm(forms.Form):
    referral_steps = forms.BooleanField(
        label=_("Each step of the referrals I sent"), required=False
    )
    overdue_reminders = forms.BooleanField(
        label=_("New referrals and reminders for my teams"), required=False
    )
    consultation_answers = forms.BooleanField(
        label=_("Messages in my consultations"), required=False
    )


class IndicatorsForm(forms.Form):
    start = DateField(label=_("From"), widget=DATE)
    end = DateField(label=_("To"), widget=DATE)
    by = forms.ChoiceField(
        label=_("By"),
        choices=[
            ("team", _("Team")),
            ("organization", _("Organization")),
            ("sector_pair", _("Sector pair")),
        ],
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end date is before the start date."))
        return data
