"""The words of the family's access report and of the audit log for what this app writes:
each code an access or change event stores, as a person reads it (audit.labels)."""

from django.utils.translation import gettext_lazy as _

from .models import Category

# The parts of a family a read showed (selectors.access_family, log_listing).
PARTS = {
    **dict(Category.choices),
    "caseload": _("its place in a caseload"),
    "circle": _("the circle of care"),
    "consents": _("the consents"),
    "timeline": _("the timeline"),
    "access_report": _("the access report"),
    "export": _("a copy of the whole record"),
    "consent_scan": _("a signed consent form"),
    "duplicate_check": _("a check for duplicates (name and date of birth)"),
}
# Why (the page or list it was read through).
PURPOSES = {
    "caseload": _("from a caseload"),
    "api caseload": _("from a caseload, through the API"),
    "export of the record": _("for a copy of the record"),
    "duplicate check": _("while recording a new family"),
}
# What an update did.
CHANGES = {
    "withdrawn": _("consent withdrawn"),
    "left": _("left the circle of care"),
    "became_lead": _("lead worker handed over"),
}
# The records a change touched (details["what"]: the model's name) and the object type.
RECORDS = {
    "families.family": _("family record"),
    "family": _("family record"),
    "consent": _("consent"),
    "circlemember": _("member of the circle of care"),
    "goal": _("goal of the plan"),
    "planaction": _("action of the plan"),
    "planreview": _("review of the plan"),
    "timelineentry": _("timeline entry"),
    "emergencyaccess": _("emergency access"),
}
