"""Who may see and do what in a study. The one place these decisions are made.

- A study, its transcripts, codebook and codings are for its evaluators only (the lead and
  the coders). Nobody else sees them: not a coordinator without an evaluator role, not an
  evaluator of another study, not a practitioner who took part (a participant is spoken
  of, never a reader). A study one may not see answers "not found", as a missing one.
- The lead runs the study: its team, participants, focus groups, the reveal of blind
  codings, the export and deletion; the lead alone sees participants' real names.
- Coders import documents, grow the codebook and code. Each coding is its coder's own:
  nobody else changes or removes it.
- Any practitioner or coordinator may start a study (and becomes its lead).
"""

import rules

from maillage.core.permissions import is_active_user, is_coordinator, is_practitioner

from .models import EvaluatorRole


def _study_id(obj):
    if obj is None:
        return None
    study_id = getattr(obj, "study_id", None)
    return study_id if study_id is not None else getattr(obj, "pk", None)


def study_roles(user) -> dict:
    """{study id: role} for the user, read once per request (cached on the user object)."""
    cached = getattr(user, "_evaluation_roles", None)
    if cached is None:
        from .models import StudyEvaluator

        cached = dict(StudyEvaluator.objects.filter(user=user).values_list("study_id", "role"))
        user._evaluation_roles = cached
    return cached


def forget_roles(user) -> None:
    """After a change of the study's team within a request."""
    if hasattr(user, "_evaluation_roles"):
        del user._evaluation_roles


@rules.predicate
def is_study_evaluator(user, study) -> bool:
    if study is None or not is_active_user(user):
        return False
    return _study_id(study) in study_roles(user)


@rules.predicate
def is_study_lead(user, study) -> bool:
    if study is None or not is_active_user(user):
        return False
    return study_roles(user).get(_study_id(study)) == EvaluatorRole.LEAD


@rules.predicate
def sees_others_codings(user, study) -> bool:
    """In blind mode, until the lead reveals, each coder sees their own codings only (the
    lead too: the lead codes as well)."""
    study_obj = getattr(study, "study", study)
    return is_study_evaluator(user, study_obj) and not study_obj.is_blind


@rules.predicate
def is_the_coder(user, coding) -> bool:
    return coding is not None and is_active_user(user) and coding.coder_id == user.pk


rules.add_perm("evaluation.start_study", is_practitioner | is_coordinator)
rules.add_perm("evaluation.view_study", is_study_evaluator)
rules.add_perm("evaluation.view_transcript", is_study_evaluator)
rules.add_perm("evaluation.manage_study", is_study_lead)
rules.add_perm("evaluation.view_real_names", is_study_lead)
rules.add_perm("evaluation.import_document", is_study_evaluator)
rules.add_perm("evaluation.edit_codebook", is_study_evaluator)
rules.add_perm("evaluation.code", is_study_evaluator)
rules.add_perm("evaluation.reveal_codings", is_study_lead)
rules.add_perm("evaluation.view_all_codings", sees_others_codings)
# Agreement and the matrix compare coders: after the reveal (or in an open study).
rules.add_perm("evaluation.view_analysis", sees_others_codings)
rules.add_perm("evaluation.change_coding", is_the_coder)
