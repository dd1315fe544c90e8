from django.urls import path

from . import archive_views, exchange_views, views

app_name = "evaluation"
urlpatterns = [
    path("", views.study_list, name="studies"),
    path("new/", views.study_create, name="study_create"),
    path("import-qdpx/", exchange_views.project_import, name="import_qdpx"),
    path("<uuid:study_id>/export.qdpx", exchange_views.project_export, name="export_qdpx"),
    path("<uuid:study_id>/export.qdc", exchange_views.codebook_export, name="export_qdc"),
    path("<uuid:study_id>/import-qdc/", exchange_views.codebook_import, name="import_qdc"),
    path("<uuid:study_id>/", views.study_detail, name="study"),
    path("<uuid:study_id>/archive.zip", archive_views.study_archive, name="study_archive"),
    path("<uuid:study_id>/delete/", archive_views.study_delete, name="study_delete"),
    path("<uuid:study_id>/evaluators/", views.evaluator_add, name="evaluator_add"),
    path("<uuid:study_id>/reveal/", views.reveal, name="reveal"),
    path("<uuid:study_id>/participants/", views.participants, name="participants"),
    path("<uuid:study_id>/focus-groups/new/", views.session_create, name="session_create"),
    path("<uuid:study_id>/import/", views.document_import, name="import"),
    path("<uuid:study_id>/import/clean/", views.import_clean, name="import_clean"),
    path("<uuid:study_id>/codebook/", views.codebook, name="codebook"),
    path("<uuid:study_id>/codebook/template/", views.codebook_template, name="codebook_template"),
    path("<uuid:study_id>/agreement/", views.agreement, name="agreement"),
    path("<uuid:study_id>/agreement.csv", views.agreement_csv, name="agreement_csv"),
    path("<uuid:study_id>/matrix/", views.matrix, name="matrix"),
    path("<uuid:study_id>/matrix/quotes/", views.matrix_quotes, name="quotes"),
    path("<uuid:study_id>/matrix.csv", views.matrix_csv, name="matrix_csv"),
    path("<uuid:study_id>/report/", views.report, name="report"),
    path("<uuid:study_id>/report.pdf", views.report_pdf, name="report_pdf"),
    path("documents/<uuid:document_id>/", views.document_detail, name="document"),
    path("documents/<uuid:document_id>/codings/", views.coding_add, name="coding_add"),
    path("codings/<uuid:coding_id>/delete/", views.coding_delete, name="coding_delete"),
    path("codings/<uuid:coding_id>/memo/", views.coding_memo, name="coding_memo"),
    path("codes/<uuid:code_id>/", views.code_detail, name="code"),
    path("codes/<uuid:code_id>/merge/", views.code_merge, name="code_merge"),
    path("codes/<uuid:code_id>/split/", views.code_split, name="code_split"),
    path("codes/<uuid:code_id>/memos/", views.code_memo, name="code_memo"),
]
