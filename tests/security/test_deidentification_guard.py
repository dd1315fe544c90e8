"""The de-identification guard (core): every way a known name or an identifier is written is
caught — compound names joined by spaces or hyphens, decomposed or missing accents, line
breaks and no-break spaces, typographic apostrophes, Saint/St, initials, titles — and
ordinary clinical text, in French and English, goes through without a single finding.

The guard is pure: these tests give it a NameIndex and need no database, except the last
ones, which check the index of the people on record (families.guard_names)."""

import pytest
from django.utils import translation

from maillage.core.deidentification import (
    MAX_TEXT_LENGTH,
    NameIndex,
    luhn_valid,
    scan,
    text_length,
)
from maillage.seeding.names import FIRST_NAMES, LAST_NAMES
from tests.families.conftest import care  # noqa: F401 - a shared fixture

PEOPLE = [
    ("Marie-Ève", "Saint-Pierre"),
    ("Jean-François", "Lévesque"),
    ("Mélanie", "Côté"),
    ("Luc", "D'Amours"),
    ("Chloé", "Lesœur"),
    ("Marie Ève", "Tremblay"),
]


@pytest.fixture(scope="module")
def names() -> NameIndex:
    return NameIndex.from_names(pairs=PEOPLE, full_names=["Zoé Bérubé"])


def found(text, names):
    return [(f.kind, f.text) for f in scan(text, names=names)]


@pytest.mark.parametrize(
    "written",
    [
        # Compound names: hyphens written as spaces, and the reverse.
        "Marie Ève Saint Pierre",
        "Marie-Ève Saint Pierre",
        "Marie Ève Saint-Pierre",
        "Marie-Ève Tremblay",
        "Marie–Ève Saint–Pierre",  # en dashes, as a word processor writes them
        # Saint abbreviated, with or without its period.
        "Marie-Ève St-Pierre",
        "Marie-Ève St. Pierre",
        # Accents: decomposed (NFD, as pasted from some systems), missing, and case.
        "Me\u0301lanie Co\u0302te\u0301",
        "Melanie Cote",
        "MÉLANIE CÔTÉ",
        "mélanie côté",
        # What may stand between the words: line breaks, several spaces, no-break spaces.
        "Mélanie\nCôté",
        "Mélanie   Côté",
        "Mélanie\u00a0Côté",
        "Marie-\nÈve Saint-Pierre",
        "Côté, Mélanie",
        # Apostrophes, typographic or not, or the particle glued on.
        "Luc D’Amours",
        "Luc D'Amours",
        "Luc Damours",
        # Ligatures spelt out, a soft hyphen inside a word.
        "Chloé Lesoeur",
        "Lé\u00advesque, Jean-François",
        # A name written in one field (an account's full name).
        "zoe berube",
    ],
)
def test_a_known_name_is_caught_however_it_is_written(names, written):
    assert found(f"La mère, {written}, a manqué deux rendez-vous.", names) == [("name", written)]


@pytest.mark.parametrize(
    "written",
    [
        "Mme Côté",
        "Mme\u00a0Côté",
        "M. Côté",
        "Dr Lévesque",
        "Dre St-Pierre",
        "J.-F. Lévesque",
        "J.F. Lévesque",
        "JF Lévesque",
        "J-F Lévesque",
        "J. Lévesque",
        "M.-È. Saint-Pierre",
        "M. D’Amours",
    ],
)
def test_a_last_name_after_a_title_or_its_bearers_initials_is_caught(names, written):
    assert found(f"Le suivi avec {written} a cessé en mars.", names) == [("name", written)]


@pytest.mark.parametrize(
    "text",
    [
        # Initials that are no one's: no Lévesque is a "P." in the index.
        "Le suivi avec P. Lévesque a cessé.",
        # A capital letter without a period is a word, not an initial.
        "A Lévesque file was opened.",
        # Lower-case letters before a last name are words too.
        "On a parlé à j. lévesque hier.",
        # A first name alone, or a last name alone without title nor initials.
        "Mélanie a rappelé. La famille Côté est suivie depuis mars.",
        # A period between two words ends a sentence: they are not one name.
        "Elle s'appelle Mélanie. Côté famille, tout va bien.",
    ],
)
def test_what_only_looks_like_a_name_goes_through(names, text):
    assert found(text, names) == []


@pytest.mark.parametrize(
    ("text", "kind", "identifier"),
    [
        ("NAS : 046 454 286.", "sin", "046 454 286"),
        ("NAS 046-454-286 au dossier.", "sin", "046-454-286"),
        ("SIN 046454286 on file.", "sin", "046454286"),
        ("Appeler au +1 (514) 555-0123.", "phone", "+1 (514) 555-0123"),
        ("Appeler au 514.555.0123.", "phone", "514.555.0123"),
        ("Appeler au 514–555–0123.", "phone", "514–555–0123"),
        ("Appeler au (819)\u00a0555-0123.", "phone", "(819)\u00a0555-0123"),
        ("Joindre au 514 555-0123 poste 22 demain.", "phone", "514 555-0123 poste 22"),
        ("Son cell. : 555-0123, le soir.", "phone", "cell. : 555-0123"),
        ("Carte RAMQ TREM 8001 0112.", "health_card", "TREM 8001 0112"),
        ("Carte RAMQ TREM-8001-0112.", "health_card", "TREM-8001-0112"),
        ("Carte RAMQ TREM 80 01 01 12.", "health_card", "TREM 80 01 01 12"),
        ("carte trem 8051 0112 notée", "health_card", "trem 8051 0112"),
        ("Code postal G9A 5H7.", "address", "G9A 5H7"),
        ("code postal g9a5h7", "address", "g9a5h7"),
        ("Code postal G9A\u00a05H7.", "address", "G9A\u00a05H7"),
        ("Écrire à m.cote@exemple.qc.ca.", "email", "m.cote@exemple.qc.ca"),
        (
            "Écrire à m.cote (at) exemple (dot) qc (dot) ca.",
            "email",
            "m.cote (at) exemple (dot) qc (dot) ca",
        ),
        ("Écrire à m.cote [at] exemple.qc.ca.", "email", "m.cote [at] exemple.qc.ca"),
        ("Le bébé est né(e) le 3 mars à domicile.", "date", "né(e) le 3 mars"),
        ("Vue le 2024–03–15 au CLSC.", "date", "2024–03–15"),
        ("Born on the 15th of March 2024.", "date", "15th of March 2024"),
        ("Seen on september 3rd, 2024.", "date", "september 3rd, 2024"),
    ],
)
def test_each_identifier_is_caught_however_it_is_written(names, text, kind, identifier):
    assert found(text, names) == [(kind, identifier)]


@pytest.mark.parametrize("number", ["046 454 287", "123 456 789", "123-456-780", "987654321"])
def test_nine_digits_that_fail_the_luhn_check_are_not_a_social_insurance_number(names, number):
    assert not luhn_valid(number.replace(" ", "").replace("-", ""))
    assert found(f"Dossier {number} transmis.", names) == []


def test_a_social_insurance_number_inside_a_longer_number_is_not_one(names):
    assert found("Référence 1 046 454 286 et 046 454 286 9.", names) == []


@pytest.fixture(scope="module")
def region_names() -> NameIndex:
    """Every first name with every last name the synthetic region uses (Quebec names, many
    of them ordinary words in French or English: Roy, Côté, Pierre, Joseph...)."""
    return NameIndex.from_names(pairs=[(f, last) for f in FIRST_NAMES for last in LAST_NAMES])


ORDINARY_FRENCH = """\
La travailleuse sociale du CLSC a orienté la mère vers le centre de réadaptation en
dépendance sans entente de suivi conjoint. Trois semaines d'attente, 2 rencontres annulées
et un appel resté sans réponse : chaque équipe croyait que l'autre assurait le suivi.

Le 2e rendez-vous a eu lieu à 14 h 30, salle 204, avec l'infirmière en périnatalité, la
nutritionniste et l'éducatrice du CPE. Le bébé a pris 300 g en 15 jours; la dose de
méthadone est passée de 40 mg à 35 mg (-12,5 %). En 2023-2024, l'équipe a reçu 1 250
demandes, dont 45 % venaient de l'hôpital. Le plan de services individualisé (PSI) a été
révisé le même jour, version 2.3, avec la DPJ et le médecin de famille.

À côté du CLSC, la rue est fermée pour travaux; la côte est longue et glacée en janvier.
Sainte-Marie, Saint-Jean et la Pointe-aux-Pins sont desservies par la même équipe. La mère
a dit : « Je veux que mon enfant reste avec moi. » Pierre angulaire du suivi, la visite à
domicile a lieu 2 fois par semaine, de 9 h à 11 h, au rang 4.
"""

ORDINARY_ENGLISH = """\
The nurse referred the mother in March; the team waited 3 weeks for an answer and 2 visits
were cancelled. The outreach worker and the nurse met 4 times; the baby gained 300 g. No
one called back after the discharge, and the family came to the emergency department at
11:45 pm.

Room 12B was booked from 1 to 3 pm. Doses went from 40 mg to 35 mg, a 12.5% drop, and the
follow-up plan (version 2.3.1) was reviewed with child protection on day 10. In 2023-2024
the service received 1,250 requests; 45% came from the hospital. Joseph, the father's
first name, was all she would say; the social worker saw Mark at the clinic.

May was hard: the mother said "I want my child to stay with me". The clinic on Grand
Street closes at 5; April and June were better. Rose, the home visitor, called twice.
"""


@pytest.mark.parametrize("text", [ORDINARY_FRENCH, ORDINARY_ENGLISH])
def test_ordinary_clinical_text_has_no_finding_even_against_a_region_of_names(region_names, text):
    assert scan(text, names=region_names) == []


def test_the_ordinary_texts_do_contain_the_region_names_words():
    # The test above means something only if the text holds words the index knows.
    words = ORDINARY_FRENCH + ORDINARY_ENGLISH
    assert "Pierre" in words and "Joseph" in words and "Marie" in words and "côte" in words


def test_a_line_break_counts_as_one_character_like_in_the_browser():
    assert text_length("a\r\nb") == 3 == text_length("a\nb")
    assert MAX_TEXT_LENGTH == 20_000


def test_a_finding_says_what_it_is_in_french_and_english(names):
    finding = scan("NAS 046 454 286", names=names)[0]
    with translation.override("en"):
        assert finding.label == "social insurance number"
    with translation.override("fr"):
        assert finding.label == "numéro d'assurance sociale"


# --- the people on record, and the limits of a guarded text (database) --------------------


@pytest.mark.django_db
def test_the_index_of_people_on_record_is_built_once_then_again_when_a_name_changes(network):
    from maillage.directory.models import Practitioner
    from maillage.families import guard_names
    from maillage.families.models import Caregiver, Family

    def names_now():
        return found("Visite de Zoé Bérubé avec Annie Lapierre.", guard_names.name_index())

    assert names_now() == []
    builds = guard_names._cache.builds
    assert names_now() == [] and guard_names._cache.builds == builds  # no change: no rebuild

    family = Family.objects.create(
        recording_organization=network["orgs"]["clsc"], created_by=network["users"]["nurse"]
    )
    Caregiver.objects.create(family=family, first_name="Zoé", last_name="Bérubé")
    assert names_now() == [("name", "Zoé Bérubé")]
    assert guard_names._cache.builds == builds + 1

    nurse = Practitioner.objects.get(user=network["users"]["nurse"])
    nurse.first_name, nurse.last_name = "Annie", "Lapierre"
    nurse.save()
    assert names_now() == [("name", "Zoé Bérubé"), ("name", "Annie Lapierre")]

    family.delete()
    assert names_now() == [("name", "Annie Lapierre")]


@pytest.mark.django_db
def test_a_consultation_question_over_the_limit_is_refused_naming_the_field(care):  # noqa: F811
    from django.core.exceptions import ValidationError

    from maillage.referrals import services
    from maillage.referrals.forms import ReplyForm
    from maillage.referrals.models import Consultation

    question = "Comment accompagner une mère qui consomme? " * 500  # 21,500 characters
    with translation.override("en"), pytest.raises(ValidationError) as error:
        services.ask_consultation(
            by=care["users"]["owner"],
            from_team=care["teams"]["perinatal"],
            to_team=care["teams"]["mother_child"],
            subject="Sevrage",
            question=question,
        )
    assert list(error.value.message_dict) == ["question"]
    assert error.value.message_dict["question"] == [
        "This text is too long: at most 20,000 characters (it has 21,500)."
    ]
    assert not Consultation.objects.exists()

    with translation.override("fr"):
        form = ReplyForm({"text": question})
        assert not form.is_valid()
        assert form.errors["text"] == [
            "«\xa0Votre message\xa0» est trop long\xa0: au plus 20\xa0000 caractères, et ce "
            "texte en compte 21\xa0499. Raccourcissez-le."  # the field strips the last space
        ]
        assert "Au plus 20\xa0000 caractères." in str(form.fields["text"].help_text)
        assert 'maxlength="20000"' in str(form["text"])
