"""The document page keeps its rendered transcript and list of codings (document_page.py):
every change of what a reader may see shows at the next read, no reader is served a
rendition made for a reader who sees more, and every read is still logged."""

import re

import pytest
from django.core.cache import caches
from django.urls import reverse

from maillage.audit.models import Action, AuditEvent
from maillage.evaluation import services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(client):
    client.cookies["maillage_language"] = "en"


@pytest.fixture
def codes(study_world):
    lead, study = study_world["lead"], study_world["study"]
    return [
        services.create_code(by=lead, study=study, name="Référer sans suivi"),
        services.create_code(by=lead, study=study, name="Connaître les rôles"),
    ]


def page(client, user, document) -> str:
    client.force_login(user)
    response = client.get(reverse("evaluation:document", args=[document.pk]))
    assert response.status_code == 200
    return response.content.decode()


def marks(html: str) -> list[str]:
    """The titles of the transcript's coded pieces."""
    return re.findall(r'class="coded" title="([^"]*)"', html)


def test_a_new_coding_a_renamed_code_and_a_deleted_coding_show_at_the_next_read(
    study_world, client, codes
):
    w = study_world
    document, lead = w["document"], w["lead"]
    assert marks(page(client, lead, document)) == []
    (coding,) = services.add_codings(by=lead, document=document, codes=codes[:1], start=70, end=90)
    html = page(client, lead, document)
    assert marks(html) == ["Référer sans suivi"]
    assert "Référer sans suivi</strong>" in html  # the list of codings too
    services.update_code(by=lead, code=codes[0], name="Orienter sans suivi")
    html = page(client, lead, document)
    assert marks(html) == ["Orienter sans suivi"] and "Référer sans suivi</strong>" not in html
    services.update_coding_memo(by=lead, coding=coding, memo="À revoir")
    assert '<p class="memo">À revoir</p>' in page(client, lead, document)
    services.delete_coding(by=lead, coding=coding)
    html = page(client, lead, document)
    assert marks(html) == [] and "No coding yet." in html
    # The page is served from the kept renditions: the cache holds them.
    assert caches["transcripts"]._cache  # type: ignore[attr-defined]


def test_each_read_from_the_kept_rendition_is_logged(study_world, client, codes):
    w = study_world
    document = w["document"]
    services.add_codings(by=w["lead"], document=document, codes=codes[:1], start=70, end=90)
    first = page(client, w["lead"], document)
    second = page(client, w["lead"], document)
    # The same page, apart from the CSRF token, masked anew at each request.
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
    assert token.sub("", first) == token.sub("", second)
    reads = AuditEvent.objects.filter(
        action=Action.VIEWED, object_id=str(document.pk), actor=w["lead"]
    )
    assert reads.count() == 2


def test_blind_coders_never_get_a_rendition_made_for_a_reader_who_sees_more(
    study_world, client, codes
):
    w = study_world
    document, lead, coder = w["document"], w["lead"], w["coder"]
    services.add_codings(by=lead, document=document, codes=codes[:1], start=70, end=90)
    services.add_codings(by=coder, document=document, codes=codes[1:], start=100, end=120)
    # Blind: each sees their own coding only, even right after the other read the page.
    assert marks(page(client, lead, document)) == ["Référer sans suivi"]
    html = page(client, coder, document)
    assert marks(html) == ["Connaître les rôles"]
    assert "Référer sans suivi</strong>" not in html  # nor in the list of codings
    assert marks(page(client, lead, document)) == ["Référer sans suivi"]
    # A coding added by the other coder while blind stays out of the coder's page.
    services.add_codings(by=lead, document=document, codes=codes[1:], start=10, end=20)
    assert marks(page(client, coder, document)) == ["Connaître les rôles"]
    # After the reveal, both see all three, with the coders' names.
    services.reveal_codings(by=lead, study=w["study"])
    html = page(client, coder, document)
    assert len(marks(html)) == 3 and f"({lead.full_name})" in html
    # Only the reader's own coding carries the forms, in each reader's list.
    assert html.count('class="inline-form"') == 2
    assert page(client, lead, document).count('class="inline-form"') == 4


def test_a_renamed_coder_shows_at_the_next_read(study_world, client, codes):
    w = study_world
    document, lead, coder = w["document"], w["lead"], w["coder"]
    services.add_codings(by=coder, document=document, codes=codes[:1], start=70, end=90)
    services.reveal_codings(by=lead, study=w["study"])
    assert "(Coder Before)" not in page(client, lead, document)
    coder.full_name = "Coder Before"
    coder.save()
    assert 'title="Référer sans suivi (Coder Before)"' in page(client, lead, document)
    coder.full_name = "Coder After"
    coder.save()
    html = page(client, lead, document)
    assert 'title="Référer sans suivi (Coder After)"' in html and "Coder Before" not in html
