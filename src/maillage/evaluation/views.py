"""Evaluation pages. HTTP only: reads through selectors.py (scoped to the reader, transcript
reads logged), writes through services.py, access decided in permissions.py."""

import json
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from maillage.audit.models import Action
from maillage.audit.services import record_event
from maillage.core import csv_export
from maillage.core.forms import add_service_errors
from maillage.core.permissions import require

from . import cleaning, document_page, figures, reports, selectors, services
from . import report_pdf as report_pdf_module
from .forms import (
    AgreementForm,
    CleaningForm,
    CodeForm,
    CodingForm,
    EvaluatorForm,
    MatrixForm,
    MemoForm,
    MergeForm,
    ParticipantForm,
    SessionForm,
    SplitForm,
    StudyForm,
    TemplateForm,
    UploadForm,
)
from .transcripts import Turn, check_size, read_transcript

PAGE_SIZE = 25


def _study_context(request, study) -> dict:
    user = request.user
    return {
        "study": study,
        "is_lead": user.has_perm("evaluation.manage_study", study),
        "sees_all": user.has_perm("evaluation.view_all_codings", study),
    }


def _form_page(request, study, form, *, title, submit, back, status=200, multipart=False):
    return render(
        request,
        "evaluation/form_page.html",
        {
            **_study_context(request, study),
            "form": form,
            "title": title,
            "submit": submit,
            "back": back,
            "multipart": multipart,
        },
        status=status,
    )


# --- studies -------------------------------------------------------------------------------


@login_required
def study_list(request):
    page = Paginator(selectors.studies_for(fetched_by=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "evaluation/study_list.html",
        {"page": page, "can_start": request.user.has_perm("evaluation.start_study")},
    )


@login_required
def study_create(request):
    require(request.user, "evaluation.start_study")
    form = StudyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            study = services.start_study(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Study started. You are its lead evaluator."))
            return redirect("evaluation:study", study_id=study.pk)
    return render(
        request,
        "evaluation/form_page.html",
        {
            "form": form,
            "title": _("Start a study"),
            "submit": _("Start the study"),
            "back": reverse("evaluation:studies"),
        },
        status=422 if form.errors else 200,
    )


@login_required
def study_detail(request, study_id):
    study = selectors.access_study(request.user, study_id)
    return render(
        request,
        "evaluation/study_detail.html",
        {
            **_study_context(request, study),
            "evaluators": selectors.evaluators(study),
            "sessions": selectors.sessions(study),
            "documents": selectors.documents(study),
            "evaluator_form": EvaluatorForm(),
        },
    )


@login_required
@require_POST
def evaluator_add(request, study_id):
    study = selectors.access_study(request.user, study_id, perm="evaluation.manage_study")
    form = EvaluatorForm(request.POST)
    if form.is_valid():
        account = selectors.account_by_email(form.cleaned_data["email"])
        try:
            if account is None:
                raise ValidationError({"email": _("No active account has this e-mail address.")})
            services.add_evaluator(
                by=request.user, study=study, user=account, role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Evaluator added."))
            return redirect("evaluation:study", study_id=study.pk)
    back = reverse("evaluation:study", args=[study.pk])
    return _form_page(
        request, study, form, title=_("Add an evaluator"), submit=_("Add"), back=back, status=422
    )


@login_required
@require_POST
def reveal(request, study_id):
    study = selectors.access_study(request.user, study_id, perm="evaluation.reveal_codings")
    services.reveal_codings(by=request.user, study=study)
    messages.success(request, _("Codings revealed: every evaluator now sees every coding."))
    return redirect("evaluation:study", study_id=study.pk)


@login_required
def participants(request, study_id):
    study = selectors.access_study(request.user, study_id)
    is_lead = request.user.has_perm("evaluation.manage_study", study)
    form = ParticipantForm(request.POST or None)
    if request.method == "POST":
        require(request.user, "evaluation.manage_study", study)
        if form.is_valid():
            data = form.cleaned_data
            practitioner = None
            try:
                if data["practitioner_email"]:
                    practitioner = selectors.practitioner_by_email(data["practitioner_email"])
                    if practitioner is None:
                        raise ValidationError(
                            {"practitioner_email": _("No practitioner has this e-mail address.")}
                        )
                participant = services.add_participant(
                    by=request.user,
                    study=study,
                    real_name=data["real_name"],
                    practitioner=practitioner,
                    consent_given_on=data["consent_given_on"],
                    consent_note=data["consent_note"],
                    attributes={"setting": data["setting"]} if data["setting"] else {},
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Participant added as %(pseudonym)s.") % {"pseudonym": participant.pseudonym},
                )
                return redirect("evaluation:participants", study_id=study.pk)
    return render(
        request,
        "evaluation/participants.html",
        {
            **_study_context(request, study),
            "participants": selectors.participants(request.user, study),
            "form": form if is_lead else None,
        },
        status=422 if form.errors else 200,
    )


@login_required
def session_create(request, study_id):
    study = selectors.access_study(request.user, study_id, perm="evaluation.manage_study")
    form = SessionForm(request.POST or None, participants=selectors.pseudonym_choices(study))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_session(
                by=request.user,
                study=study,
                setting=data["setting"],
                held_on=data["held_on"],
                moderator=data["moderator"],
                present=selectors.participants_by_ids(study, data["present"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Focus group recorded."))
            return redirect("evaluation:study", study_id=study.pk)
    back = reverse("evaluation:study", args=[study.pk])
    return _form_page(
        request,
        study,
        form,
        title=_("Record a focus group"),
        submit=_("Record"),
        back=back,
        status=422 if form.errors else 200,
    )


# --- importing a transcript ----------------------------------------------------------------


def _cleaning_page(request, study, form, status=200):
    return render(
        request,
        "evaluation/import_clean.html",
        {**_study_context(request, study), "form": form},
        status=status,
    )


def _cleaning_form(study, data, turns: list[Turn]):
    speakers = sorted({t.speaker for t in turns if t.speaker})
    choices = selectors.pseudonym_choices(study)
    # Speakers first (their labels become pseudonyms), then what the guard finds in the rest.
    probe = CleaningForm(data, labels=speakers, participants=choices)
    mapping = {}
    if data is not None and probe.is_valid():
        mapping = services.speaker_labels(study, probe.speakers())
    found = cleaning.findings(turns, speakers=mapping, indexes=services.guard_indexes(study))
    return CleaningForm(data, labels=speakers, findings=found, participants=choices)


@login_required
def document_import(request, study_id):
    """Step one: the file is read (nothing stored); step two (import_clean) stores it."""
    study = selectors.access_study(request.user, study_id, perm="evaluation.import_document")
    form = UploadForm(
        request.POST or None, request.FILES or None, sessions=selectors.sessions(study)
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_size(name=upload.name, size=upload.size)
            turns = read_transcript(name=upload.name, data=upload.read())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            data = {
                "title": form.cleaned_data["title"],
                "kind": form.cleaned_data["kind"],
                "session": form.cleaned_data["session"],
                "source_filename": upload.name[-255:],
                "turns": json.dumps([[t.speaker, t.text] for t in turns], ensure_ascii=False),
            }
            cleaning_form = _cleaning_form(study, None, turns)
            cleaning_form.initial = {**cleaning_form.initial, **data}
            return _cleaning_page(request, study, cleaning_form)
    back = reverse("evaluation:study", args=[study.pk])
    return _form_page(
        request,
        study,
        form,
        title=_("Import a transcript"),
        submit=_("Read the file"),
        back=back,
        status=422 if form.errors else 200,
        multipart=True,
    )


def _posted_turns(raw: str) -> list[Turn] | None:
    try:
        rows = json.loads(raw)
        return [Turn(str(speaker)[:100], str(text)) for speaker, text in rows]
    except (ValueError, TypeError):
        return None


@login_required
@require_POST
def import_clean(request, study_id):
    study = selectors.access_study(request.user, study_id, perm="evaluation.import_document")
    turns = _posted_turns(request.POST.get("turns", ""))
    if not turns:
        messages.error(request, _("The transcript was lost on the way: read the file again."))
        return redirect("evaluation:import", study_id=study.pk)
    form = _cleaning_form(study, request.POST, turns)
    if form.is_valid():
        data = form.cleaned_data
        replacements, confirmations = form.decisions()
        try:
            document = services.import_document(
                by=request.user,
                study=study,
                title=data["title"],
                kind=data["kind"],
                session=selectors.session_of(study, data["session"]),
                turns=turns,
                source_filename=data["source_filename"],
                speakers=form.speakers(),
                replacements=replacements,
                confirmations=confirmations,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Transcript imported, de-identified."))
            return redirect("evaluation:document", document_id=document.pk)
    return _cleaning_page(request, study, form, status=422)


# --- reading and coding -------------------------------------------------------------------


def _document_page(request, document, form=None, status=200):
    study = document.study
    reading = selectors.read_document_codings(request.user, document)
    codes = selectors.codebook(request.user, study)
    context = _study_context(request, study)
    can_code = request.user.has_perm("evaluation.code", study)
    return render(
        request,
        "evaluation/document.html",
        {
            **context,
            "document": document,
            "transcript_html": document_page.transcript_html(reading, document, can_code=can_code),
            "coding_count": reading.count,
            "codings_html": document_page.codings_list_html(
                reading, document, reader_id=request.user.pk, csrf_token=get_token(request)
            ),
            "codes": codes,
            "form": form or CodingForm(codes=[c for c, _depth in codes]),
            "can_code": can_code,
        },
        status=status,
    )


@login_required
def document_detail(request, document_id):
    document = selectors.access_document(request.user, document_id)
    return _document_page(request, document)


@login_required
@require_POST
def coding_add(request, document_id):
    document = selectors.access_document(request.user, document_id, perm="evaluation.code")
    codes = [c for c, _depth in selectors.codebook(request.user, document.study)]
    form = CodingForm(request.POST, codes=codes)
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = services.add_codings(
                by=request.user,
                document=document,
                codes=selectors.codes_of(document.study, data["codes"]),
                start=data["start"],
                end=data["end"],
                memo=data["memo"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext("%(count)d coding added.", "%(count)d codings added.", len(created))
                % {"count": len(created)},
            )
            return redirect(reverse("evaluation:document", args=[document.pk]) + "#coding-form")
    return _document_page(request, document, form, status=422)


@login_required
@require_POST
def coding_delete(request, coding_id):
    coding = selectors.access_coding(request.user, coding_id)
    document_id = coding.document_id
    services.delete_coding(by=request.user, coding=coding)
    messages.success(request, _("Coding removed."))
    return redirect("evaluation:document", document_id=document_id)


@login_required
@require_POST
def coding_memo(request, coding_id):
    coding = selectors.access_coding(request.user, coding_id)
    form = MemoForm(request.POST)
    require(request.user, "evaluation.change_coding", coding)
    if form.is_valid():
        services.update_coding_memo(by=request.user, coding=coding, memo=form.cleaned_data["text"])
        messages.success(request, _("Memo saved."))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("evaluation:document", document_id=coding.document_id)


# --- the codebook -------------------------------------------------------------------------


@login_required
def codebook(request, study_id):
    study = selectors.access_study(request.user, study_id)
    codes = selectors.codebook(request.user, study)
    form = CodeForm(request.POST or None, codes=[c for c, _d in codes])
    if request.method == "POST":
        require(request.user, "evaluation.edit_codebook", study)
        if form.is_valid():
            data = dict(form.cleaned_data)
            parent_id = data.pop("parent")
            parents = selectors.codes_of(study, [parent_id]) if parent_id else []
            try:
                services.create_code(
                    by=request.user, study=study, parent=parents[0] if parents else None, **data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Code added."))
                return redirect("evaluation:codebook", study_id=study.pk)
    return render(
        request,
        "evaluation/codebook.html",
        {
            **_study_context(request, study),
            "codes": codes,
            "form": form,
            "template_form": TemplateForm(),
            "history": selectors.codebook_history(study, limit=30),
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def codebook_template(request, study_id):
    study = selectors.access_study(request.user, study_id, perm="evaluation.edit_codebook")
    form = TemplateForm(request.POST)
    if form.is_valid():
        created = services.apply_template(
            by=request.user, study=study, template=form.cleaned_data["template"]
        )
        messages.success(
            request,
            ngettext("%(count)d code added.", "%(count)d codes added.", created)
            % {"count": created},
        )
    else:
        messages.error(request, _("Choose a template."))
    return redirect("evaluation:codebook", study_id=study.pk)


@login_required
def code_detail(request, code_id):
    code = selectors.access_code(request.user, code_id)
    study = code.study
    others = [c for c, _d in selectors.codebook(request.user, study) if c.pk != code.pk]
    codings = selectors.code_codings(request.user, code)
    initial = {f: getattr(code, f) for f in services.CODE_FIELDS}
    initial["parent"] = str(code.parent_id or "")
    form = CodeForm(request.POST or None, codes=others, initial=initial)
    if request.method == "POST":
        require(request.user, "evaluation.edit_codebook", study)
        if form.is_valid():
            data = dict(form.cleaned_data)
            parent_id = data.pop("parent")
            parents = selectors.codes_of(study, [parent_id]) if parent_id else []
            try:
                services.update_code(
                    by=request.user, code=code, parent=parents[0] if parents else None, **data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Code saved."))
                return redirect("evaluation:code", code_id=code.pk)
    return render(
        request,
        "evaluation/code_detail.html",
        {
            **_study_context(request, study),
            "code": code,
            "codings": codings,
            "memos": selectors.code_memos(code),
            "form": form,
            "merge_form": MergeForm(codes=others),
            "split_form": SplitForm(
                codings=[(c.pk, f"{c.document.title} [{c.start}–{c.end}]") for c in codings]
            ),
            "memo_form": MemoForm(),
        },
        status=422 if form.errors else 200,
    )


@login_required
@require_POST
def code_merge(request, code_id):
    code = selectors.access_code(request.user, code_id)
    require(request.user, "evaluation.edit_codebook", code.study)
    others = [c for c, _d in selectors.codebook(request.user, code.study) if c.pk != code.pk]
    form = MergeForm(request.POST, codes=others)
    if not form.is_valid():
        messages.error(request, _("Choose the code to merge into."))
        return redirect("evaluation:code", code_id=code.pk)
    target = selectors.codes_of(code.study, [form.cleaned_data["target"]])[0]
    services.merge_codes(by=request.user, target=target, sources=[code])
    messages.success(
        request,
        _("“%(code)s” merged into “%(target)s”.") % {"code": code.name, "target": target.name},
    )
    return redirect("evaluation:code", code_id=target.pk)


@login_required
@require_POST
def code_split(request, code_id):
    code = selectors.access_code(request.user, code_id)
    require(request.user, "evaluation.edit_codebook", code.study)
    codings = selectors.code_codings(request.user, code)
    form = SplitForm(request.POST, codings=[(c.pk, "") for c in codings])
    if form.is_valid():
        try:
            part = services.split_code(
                by=request.user,
                code=code,
                new_name=form.cleaned_data["new_name"],
                moved_codings=form.cleaned_data["moved"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Code split."))
            return redirect("evaluation:code", code_id=part.pk)
    else:
        messages.error(request, _("Name the new code."))
    return redirect("evaluation:code", code_id=code.pk)


@login_required
@require_POST
def code_memo(request, code_id):
    code = selectors.access_code(request.user, code_id)
    require(request.user, "evaluation.edit_codebook", code.study)
    form = MemoForm(request.POST)
    if form.is_valid():
        services.add_code_memo(by=request.user, code=code, text=form.cleaned_data["text"])
        messages.success(request, _("Memo saved."))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("evaluation:code", code_id=code.pk)


# --- agreement, matrix, report --------------------------------------------------------------


def _analysis_study(request, study_id):
    study = selectors.access_study(request.user, study_id, perm="evaluation.view_analysis")
    return study, selectors.study_rows(request.user, study)


@login_required
def agreement(request, study_id):
    study, rows = _analysis_study(request, study_id)
    form = AgreementForm(request.GET or None, rows=rows)
    options = form.options()
    report = figures.compute_agreement(rows, **options)
    return render(
        request,
        "evaluation/agreement.html",
        {
            **_study_context(request, study),
            "form": form,
            "report": report,
            "table": reports.agreement_rows(report, rows),
            "coders": reports.coder_labels(report.coders, rows),
        },
    )


@login_required
def agreement_csv(request, study_id):
    _study, rows = _analysis_study(request, study_id)
    form = AgreementForm(request.GET or None, rows=rows)
    report = figures.compute_agreement(rows, **form.options())
    table = reports.agreement_rows(report, rows)
    return csv_export.response(
        csv_export.to_text(reports.agreement_csv_rows(table)), "agreement.csv"
    )


def _matrix(request, rows):
    form = MatrixForm(request.GET or None, attributes=figures.attributes_of(rows), rows=rows)
    options = form.options()
    return form, figures.compute_matrix(rows, **options)


@login_required
def matrix(request, study_id):
    study, rows = _analysis_study(request, study_id)
    form, result = _matrix(request, rows)
    co = figures.compute_co_occurrence(rows, coder=form.options()["coder"])
    co_codes, co_rows = reports.co_occurrence_table(co, rows)
    return render(
        request,
        "evaluation/matrix.html",
        {
            **_study_context(request, study),
            "form": form,
            "matrix": result,
            "lines": reports.matrix_table(result, rows),
            "co_codes": co_codes,
            "co_rows": co_rows,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def matrix_quotes(request, study_id):
    study, rows = _analysis_study(request, study_id)
    _form, result = _matrix(request, rows)
    code = request.GET.get("code", "")[:40]
    group = request.GET.get("group", "")[:200]
    return render(
        request,
        "evaluation/quotes.html",
        {
            **_study_context(request, study),
            "code_name": reports.code_name(rows, code),
            "group": group,
            "attribute": result.attribute,
            "quotes": reports.cell_quotes(result, rows, code, group),
        },
    )


@login_required
def matrix_csv(request, study_id):
    _study, rows = _analysis_study(request, study_id)
    _form, result = _matrix(request, rows)
    return csv_export.response(
        csv_export.to_text(reports.matrix_csv_rows(result, rows)), "matrix.csv"
    )


def _report_language(request) -> str:
    language = request.GET.get("language", "")
    return language if language in ("fr", "en") else translation.get_language()


def _report_parts(request, study, rows):
    form, result = _matrix(request, rows)
    codes = selectors.codebook(request.user, study)
    return {
        "form": form,
        "matrix": result,
        "lines": reports.matrix_table(result, rows),
        "codes": [(code, depth, reports.code_quotes(rows, str(code.pk))) for code, depth in codes],
    }


@login_required
def report(request, study_id):
    """The printable report: codebook with definitions and counts, the matrix, quotes per
    code; in the language asked (?language=fr or en), whatever the reader's."""
    language = _report_language(request)
    with translation.override(language):
        study, rows = _analysis_study(request, study_id)
        return render(
            request,
            "evaluation/report.html",
            {
                **_study_context(request, study),
                **_report_parts(request, study, rows),
                "report_language": language,
                "pdf_query": urlencode({**request.GET.dict(), "language": language}),
            },
        )


@login_required
@require_GET
def report_pdf(request, study_id):
    """The same report as a PDF document (as the review minutes are), same options."""
    language = _report_language(request)
    with translation.override(language):
        study, rows = _analysis_study(request, study_id)
        parts = _report_parts(request, study, rows)
        data = report_pdf_module.report_pdf(
            study, codes=parts["codes"], matrix=parts["matrix"], lines=parts["lines"]
        )
    record_event(
        action=Action.EXPORTED,
        actor=request.user,
        obj=study,
        request=request,
        details={"format": "report_pdf", "language": language},
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="report-{study.pk}-{language}.pdf"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
