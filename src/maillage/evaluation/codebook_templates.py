"""The codebooks a study can start from (deductive codes, decided beforehand): the four
categories of barriers and facilitators of the outreach study, each as a barrier and as a
facilitator; the five questions of a Cooperation Malfunction Review; the five domains of
CFIR 2.0 (the domain names only: its constructs' wording is its authors')."""

from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class TemplateCode:
    name: str
    definition: str = ""
    children: tuple["TemplateCode", ...] = ()


_CATEGORIES = (
    (_("Organizational"), _("How the organizations and their services are run.")),
    (_("Nature of the work and the worker"), _("What the work asks, and who does it.")),
    (_("Family-related"), _("The families' situations, needs and choices.")),
    (_("External"), _("What lies outside the organizations and the families.")),
)

TEMPLATE_LABELS = {
    "barriers_facilitators": _("Barriers and facilitators (four categories)"),
    "review_questions": _("The five questions of a cooperation review"),
    "cfir_domains": _("CFIR 2.0 domains"),
}


def template_codes(key: str) -> tuple[TemplateCode, ...]:
    """The template's codes, in the language active now."""
    if key == "barriers_facilitators":
        return tuple(
            TemplateCode(
                str(name),
                str(definition),
                (
                    TemplateCode(
                        gettext("%(category)s — barrier") % {"category": name},
                        gettext("Something of this category that hinders collaboration."),
                    ),
                    TemplateCode(
                        gettext("%(category)s — facilitator") % {"category": name},
                        gettext("Something of this category that helps collaboration."),
                    ),
                ),
            )
            for name, definition in _CATEGORIES
        )
    if key == "review_questions":
        return tuple(
            TemplateCode(str(q))
            for q in (
                _("What malfunction was revealed?"),
                _("Did it harm the patient?"),
                _("Did it harm the carer?"),
                _("Was it avoidable?"),
                _("What are the avenues for improvement?"),
            )
        )
    if key == "cfir_domains":
        return tuple(
            TemplateCode(str(d))
            for d in (
                _("Innovation"),
                _("Outer setting"),
                _("Inner setting"),
                _("Individuals"),
                _("Implementation process"),
            )
        )
    raise KeyError(key)


def template_choices() -> list[tuple[str, object]]:
    return list(TEMPLATE_LABELS.items())
