"""Input of the evaluation pages: every text bounded, every date and number checked."""

import hashlib

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from maillage.core.dates import DateField as BoundedDateField

from .codebook_templates import template_choices
from .models import MEMO_MAX, SHORT_TEXT_MAX, TITLE_MAX, DocumentKind, EvaluatorRole
from .services import REASON_MAX, REPLACEMENT_MAX

KEEP = "__keep__"


def finding_id(key: str) -> str:
    """A field name for a finding that stays the same when other findings come or go (the
    speakers' mapping changes what is found)."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]


NEUTRAL = {"phone": "[numéro]", "sin": "[numéro]", "health_card": "[numéro]", "date": "[date]"}
NEUTRAL |= {"address": "[lieu]"}
DATE = forms.DateInput(attrs={"type": "date"})


class StudyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    question = forms.CharField(
        label=_("Research question"),
        max_length=SHORT_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    starts_on = BoundedDateField(label=_("Start date"), widget=DATE)
    ends_on = BoundedDateField(label=_("End date"), required=False, widget=DATE)
    blind_coding = forms.BooleanField(
        label=_("Blind coding"),
        required=False,
        initial=True,
        help_text=_("Each coder sees only their own codings until the lead reveals them."),
    )

    def clean(self):
        data = super().clean()
        if data.get("ends_on") and data.get("starts_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end date comes after the start date."))
        return data


class EvaluatorForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the evaluator's account"), max_length=254)
    role = forms.ChoiceField(label=_("Role"), choices=EvaluatorRole.choices)


class ParticipantForm(forms.Form):
    real_name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("Seen only by the study's lead; everywhere else the pseudonym is used."),
    )
    practitioner_email = forms.EmailField(
        label=_("Or the e-mail address of a practitioner of the directory"),
        max_length=254,
        required=False,
    )
    consent_given_on = BoundedDateField(
        label=_("Research consent given on"), required=False, widget=DATE
    )
    consent_note = forms.CharField(label=_("Consent note"), max_length=300, required=False)
    setting = forms.CharField(label=_("Setting"), max_length=200, required=False)


class SessionForm(forms.Form):
    setting = forms.CharField(label=_("Setting"), max_length=200)
    held_on = BoundedDateField(label=_("Date"), widget=DATE)
    moderator = forms.CharField(label=_("Moderator"), max_length=200, required=False)
    present = forms.MultipleChoiceField(
        label=_("Participants present"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].choices = [(str(pk), name) for pk, name in participants]


class UploadForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    kind = forms.ChoiceField(label=_("Kind"), choices=DocumentKind.choices)
    session = forms.ChoiceField(label=_("Focus group"), required=False)
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A .txt (UTF-8), .docx, .vtt or .srt file of at most 5 MB. Each speaker's turn "
            "starts a line with their name and a colon."
        ),
    )

    def __init__(self, *args, sessions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = [("", "—")] + [(str(s.pk), str(s)) for s in sessions]


class CleaningForm(forms.Form):
    """The second step of an import: who each speaker is, and what to do with each thing
    the guard found. The transcript's turns travel as JSON in a hidden field."""

    title = forms.CharField(widget=forms.HiddenInput, max_length=TITLE_MAX)
    kind = forms.ChoiceField(widget=forms.HiddenInput, choices=DocumentKind.choices)
    session = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)
    source_filename = forms.CharField(widget=forms.HiddenInput, required=False, max_length=255)
    turns = forms.CharField(widget=forms.HiddenInput, max_length=1_200_000)

    def __init__(self, *args, labels=(), findings=(), participants=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.labels = list(labels)
        self.findings = list(findings)
        people = [("", _("Not a participant (keep the label)"))] + [
            (str(pk), name) for pk, name in participants
        ]
        for n, label in enumerate(self.labels):
            self.fields[f"speaker_{n}"] = forms.ChoiceField(
                label=_("Speaker “%(label)s”") % {"label": label}, choices=people, required=False
            )
        replace_choices = (
            [(KEEP, _("Keep it (not identifying): give a reason"))]
            + [
                (name, _("Replace by %(pseudonym)s") % {"pseudonym": name})
                for _pk, name in participants
            ]
            + [
                ("[nom]", _("Replace by [nom]")),
                ("[lieu]", _("Replace by [lieu]")),
                ("[numéro]", _("Replace by [numéro]")),
                ("[date]", _("Replace by [date]")),
            ]
        )
        for item in self.findings:
            n = finding_id(item.key)
            self.fields[f"action_{n}"] = forms.ChoiceField(
                label=_("“%(text)s” (%(kind)s)") % {"text": item.text, "kind": item.kind_label},
                choices=replace_choices,
                # A neutral word by default: never another participant's pseudonym by mistake.
                initial=NEUTRAL.get(item.kind, "[nom]"),
                help_text=ngettext_lazy(
                    "Seen %(count)s time, for example: “…%(context)s…”",
                    "Seen %(count)s times, for example: “…%(context)s…”",
                    item.count,
                )
                % {"count": item.count, "context": item.context},
            )
            self.fields[f"reason_{n}"] = forms.CharField(
                label=_("Reason for keeping “%(text)s”") % {"text": item.text},
                max_length=REASON_MAX,
                required=False,
            )

    def clean(self):
        data = super().clean()
        for n in (finding_id(item.key) for item in self.findings):
            if data.get(f"action_{n}") == KEEP and not (data.get(f"reason_{n}") or "").strip():
                self.add_error(f"reason_{n}", _("Say why this does not identify anyone."))
        return data

    def speakers(self) -> dict[str, str]:
        return {
            label: self.cleaned_data.get(f"speaker_{n}") or ""
            for n, label in enumerate(self.labels)
        }

    def decisions(self) -> tuple[dict[str, str], dict[str, str]]:
        replacements, confirmations = {}, {}
        for item in self.findings:
            n = finding_id(item.key)
            action = self.cleaned_data.get(f"action_{n}")
            if action == KEEP:
                confirmations[item.key] = self.cleaned_data.get(f"reason_{n}", "")
            elif action:
                replacements[item.key] = action[:REPLACEMENT_MAX]
        return replacements, confirmations


class CodeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = forms.ChoiceField(label=_("Parent code"), required=False)
    definition = forms.CharField(
        label=_("Definition"),
        max_length=SHORT_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    use_when = forms.CharField(
        label=_("Use when"),
        max_length=SHORT_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    not_use_when = forms.CharField(
        label=_("Do not use when"),
        max_length=SHORT_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    example = forms.CharField(
        label=_("Example"),
        max_length=SHORT_TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    inductive = forms.BooleanField(label=_("Emerging code (found while reading)"), required=False)
    colour = forms.RegexField(
        label=_("Colour"),
        regex=r"^#[0-9a-fA-F]{6}$",
        initial="#fde68a",
        widget=forms.TextInput(attrs={"type": "color"}),
    )

    def __init__(self, *args, codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", "—")] + [(str(c.pk), c.name) for c in codes]


class TemplateForm(forms.Form):
    template = forms.ChoiceField(label=_("Start from a template"), choices=template_choices)


class MergeForm(forms.Form):
    target = forms.ChoiceField(label=_("Merge into"))

    def __init__(self, *args, codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [(str(c.pk), c.name) for c in codes]


class SplitForm(forms.Form):
    new_name = forms.CharField(label=_("Name of the new code"), max_length=200)
    moved = forms.MultipleChoiceField(
        label=_("Codings that move to the new code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, codings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["moved"].choices = [(str(pk), label) for pk, label in codings]


class MemoForm(forms.Form):
    text = forms.CharField(
        label=_("Memo"), max_length=MEMO_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class CodingForm(forms.Form):
    start = forms.IntegerField(label=_("From character"), min_value=0, max_value=10_000_000)
    end = forms.IntegerField(label=_("To character"), min_value=1, max_value=10_000_000)
    codes = forms.MultipleChoiceField(
        label=_("Codes"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one code.")},
    )
    memo = forms.CharField(
        label=_("Memo"),
        max_length=MEMO_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, codes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["codes"].choices = [(str(c.pk), c.name) for c in codes]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and end <= start:
            raise ValidationError(_("A passage ends after it starts."))
        return data


class AgreementForm(forms.Form):
    """Options of the agreement page (GET): unit, uncoded text, which documents."""

    unit = forms.ChoiceField(
        label=_("Unit"),
        choices=[("character", _("Character")), ("segment", _("Speaker turn"))],
        required=False,
    )
    uncoded = forms.ChoiceField(
        label=_("Text nobody coded"),
        choices=[("excluded", _("Excluded")), ("counted", _("Counted (as agreement)"))],
        required=False,
    )
    scope = forms.ChoiceField(label=_("Documents"), required=False)

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        settings = sorted(set(rows.document_settings.values()))
        self.fields["scope"].choices = (
            [("", _("All documents"))]
            + [(f"setting:{s}", _("Setting: %(setting)s") % {"setting": s}) for s in settings]
            + [(f"document:{pk}", title) for pk, title in rows.document_titles.items()]
        )

    def options(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        scope = data.get("scope") or ""
        documents = None
        if scope.startswith("setting:"):
            setting = scope.removeprefix("setting:")
            documents = [d for d, s in self.rows.document_settings.items() if s == setting]
        elif scope.startswith("document:"):
            documents = [scope.removeprefix("document:")]
        return {
            "unit": data.get("unit") or "character",
            "uncoded": data.get("uncoded") or "excluded",
            "documents": documents,
        }


class MatrixForm(forms.Form):
    attribute = forms.ChoiceField(label=_("Compare the groups of"), required=False)
    threshold = forms.IntegerField(
        label=_("Divergence threshold (percentage points)"),
        min_value=0,
        max_value=99,
        required=False,
        initial=25,
    )
    coder = forms.ChoiceField(label=_("Codings of"), required=False)

    def __init__(self, *args, attributes, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attribute"].choices = [(a, a) for a in attributes] or [("setting", "setting")]
        self.fields["coder"].choices = [
            ("", _("Every coder")),
            *sorted(rows.coder_names.items(), key=lambda item: item[1]),
        ]

    def options(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        choices = [value for value, _label in self.fields["attribute"].choices]
        attribute = data.get("attribute") or ("setting" if "setting" in choices else choices[0])
        threshold = data.get("threshold")
        return {
            "attribute": attribute,
            "threshold": (25 if threshold is None else threshold) / 100,
            "coder": data.get("coder") or None,
        }


class DeleteStudyForm(forms.Form):
    confirm_title = forms.CharField(
        label=_("Type the study's title"),
        help_text=_("Needed only when no up-to-date archive of the study was made."),
        max_length=TITLE_MAX,
        required=False,
    )
