"""A focus-group study in a real browser: the lead imports a Word transcript in which a
participant's real name appears; the guard flags it and the lead replaces it by the
pseudonym; the lead codes three passages and the coder two, in blind mode (the coder sees
none of the lead's); the lead reveals; agreement and the matrix are shown. Every page passes
axe-core; screenshots in test-results/browser/."""

from datetime import date

import docx
import pytest
from playwright.sync_api import expect

from maillage.directory.models import Organization, Practitioner, Sector, Team
from maillage.evaluation import services
from maillage.evaluation.models import Coding, Document, EvaluatorRole
from tests.browser.conftest import axe_violations
from tests.browser.test_training_journey import open_as
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRANSCRIPT = [
    "Animatrice : Bonjour à toutes et à tous. Qu'est-ce qui aide la collaboration?",
    "Sylvie Bérubé : Au CLSC, on réfère souvent sans savoir ce qui arrive ensuite.",
    "Marc Côté : Chez nous, les rencontres intersectorielles aident beaucoup, "
    "comme le disait Sylvie Bérubé tantôt.",
    "Sylvie Bérubé : Oui, et connaître le rôle de chacun change tout.",
    "Animatrice : Merci. Autre chose?",
    "Marc Côté : Les listes d'attente restent longues, on perd des familles.",
]


@pytest.fixture
def study(transactional_db, tmp_path):
    org = Organization.objects.create(code="clsc", name="CLSC du Nord", sector=Sector.PRIMARY_CARE)
    Team.objects.create(organization=org, code="clsc-p", name="Périnatalité")
    people = {}
    for key, first, last in [("louise", "Louise", "Lavoie"), ("annie", "Annie", "Roy")]:
        user = make_user(f"{key}@example.org")
        user.full_name = f"{first} {last}"
        user.save(update_fields=["full_name"])
        Practitioner.objects.create(
            user=user, first_name=first, last_name=last, email=user.email, profession="nurse"
        )
        people[key] = user
    lead = people["louise"]
    study = services.start_study(by=lead, title="Groupes de discussion", starts_on=date(2026, 1, 5))
    services.add_evaluator(by=lead, study=study, user=people["annie"], role=EvaluatorRole.CODER)
    services.add_participant(
        by=lead, study=study, real_name="Sylvie Bérubé", attributes={"setting": "CLSC"}
    )
    services.add_participant(
        by=lead, study=study, real_name="Marc Côté", attributes={"setting": "CRD"}
    )
    for name in ("Référer sans suivi", "Connaître les rôles", "Rencontres intersectorielles"):
        services.create_code(by=lead, study=study, name=name)
    document = docx.Document()
    for line in TRANSCRIPT:
        document.add_paragraph(line)
    path = tmp_path / "groupe-clsc.docx"
    document.save(path)
    return {"study": study, "file": path, **people}


def apply(page, code: str) -> None:
    form = page.locator("#coding-form")
    form.get_by_label(code).check()
    # The form posts and the document's page comes back with "1 coding added.": from the
    # second coding on, the page clicked already says so, so the new page is waited for
    # (else the next selection is made in the page about to go).
    with page.expect_navigation():
        form.get_by_role("button", name="Apply the codes").click()
    page.get_by_text("1 coding added.").wait_for()


def select_text(page, fragment: str) -> None:
    """Selects a fragment of the transcript as a mouse would (a DOM selection)."""
    # The transcript's page may still be loading after the redirect that announced it (a
    # slow worker under a parallel run): the selection is made once its text is there.
    page.locator("#transcript").wait_for()
    page.wait_for_load_state("load")
    page.evaluate(
        """(fragment) => {
          const walker = document.createTreeWalker(document.getElementById("transcript"),
            NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const node = walker.currentNode;
            const at = node.textContent.indexOf(fragment);
            if (at >= 0) {
              const range = document.createRange();
              range.setStart(node, at);
              range.setEnd(node, at + fragment.length);
              const selection = window.getSelection();
              selection.removeAllRanges();
              selection.addRange(range);
              return;
            }
          }
          throw new Error("not found: " + fragment);
        }""",
        fragment,
    )
    page.locator("#selection-preview").get_by_text(fragment).wait_for()


def test_import_code_blind_reveal_and_compare(live_server, study, new_context, output_dir):
    base = live_server.url
    lead = open_as(new_context, base, "louise@example.org")
    lead.get_by_role("navigation", name="Main").get_by_role("link", name="Studies").click()
    lead.get_by_role("link", name="Groupes de discussion").click()
    lead.get_by_role("link", name="Import a transcript").click()
    lead.get_by_label("Title").fill("Groupe CLSC")
    lead.get_by_label("File").set_input_files(str(study["file"]))
    lead.get_by_role("button", name="Read the file").click()

    # The guard flags the real name, in the speakers' labels and in what was said.
    lead.get_by_role("heading", name="De-identify the transcript").wait_for()
    expect(lead.get_by_text("“Sylvie Bérubé” (name of a person)")).to_have_count(1)
    assert axe_violations(lead) == []
    lead.screenshot(path=output_dir / "1-guard-findings.png", full_page=True)
    lead.get_by_label("Speaker “Sylvie Bérubé”").select_option(label="P01")
    lead.get_by_label("Speaker “Marc Côté”").select_option(label="P02")
    lead.get_by_label("“Sylvie Bérubé” (name of a person)").select_option(label="Replace by P01")
    lead.get_by_label("“Marc Côté” (name of a person)").select_option(label="Replace by P02")
    lead.get_by_role("button", name="Import the cleaned transcript").click()
    lead.get_by_text("Transcript imported, de-identified.").wait_for()
    text = Document.objects.get(title="Groupe CLSC").text
    assert "Bérubé" not in text and "comme le disait P01 tantôt" in text

    # Coder A (the lead): three passages, by mouse selection and by a turn's button.
    select_text(lead, "on réfère souvent sans savoir ce qui arrive ensuite")
    apply(lead, "Référer sans suivi")
    select_text(lead, "les rencontres intersectorielles aident beaucoup")
    apply(lead, "Rencontres intersectorielles")
    lead.get_by_role("button", name="Select the turn of P01").nth(1).click()
    apply(lead, "Connaître les rôles")
    assert axe_violations(lead) == []
    lead.screenshot(path=output_dir / "2-coder-a.png", full_page=True)

    # Coder B, blind: none of A's codings; two passages of their own.
    coder = open_as(new_context, base, "annie@example.org")
    coder.get_by_role("navigation", name="Main").get_by_role("link", name="Studies").click()
    coder.get_by_role("link", name="Groupes de discussion").click()
    coder.get_by_role("link", name="Groupe CLSC").click()
    coder.get_by_text("Blind coding: you see only your own codings.").wait_for()
    # The notice heads the page: no mark is counted before the transcript below it is in.
    coder.wait_for_load_state()
    coder.locator("#transcript").wait_for()
    expect(coder.locator("mark")).to_have_count(0)
    select_text(coder, "on réfère souvent sans savoir")
    apply(coder, "Référer sans suivi")
    select_text(coder, "connaître le rôle de chacun change tout")
    apply(coder, "Connaître les rôles")
    assert axe_violations(coder) == []
    coder.screenshot(path=output_dir / "3-coder-b-blind.png", full_page=True)
    assert Coding.objects.count() == 5
    expect(coder.get_by_role("link", name="Agreement")).to_have_count(0)

    # The lead reveals; agreement and matrix.
    lead.get_by_role("link", name="Groupes de discussion").first.click()
    lead.get_by_role("button", name="Reveal every coder's codings").click()
    lead.get_by_text("Codings revealed: every evaluator now sees every coding.").wait_for()
    lead.get_by_role("link", name="Agreement").click()
    table = lead.locator("#agreement-table")
    table.wait_for()
    expect(table.get_by_role("row")).to_have_count(1 + 1 + 3)
    expect(table).to_contain_text("All codes", use_inner_text=True)
    assert axe_violations(lead) == []
    lead.screenshot(path=output_dir / "4-agreement.png", full_page=True)
    lead.get_by_role("link", name="Matrix").click()
    matrix = lead.locator("#matrix-table")
    matrix.wait_for()
    expect(matrix).to_contain_text("CLSC", use_inner_text=True)
    expect(matrix).to_contain_text("CRD", use_inner_text=True)
    assert axe_violations(lead) == []
    lead.screenshot(path=output_dir / "5-matrix.png", full_page=True)
    lead.locator("#matrix-table").get_by_role("link").first.click()
    lead.locator("blockquote").first.wait_for()
    lead.wait_for_load_state()  # every quote, not the first one only
    assert "Bérubé" not in lead.content()
    lead.screenshot(path=output_dir / "6-quotes.png", full_page=True)
