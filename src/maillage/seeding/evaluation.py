"""Seeding stage: a focus-group study of the network (the evaluation app).

Three settings (substance use, child protection, perinatal care), four focus groups of
five to eight participants (the perinatal setting met twice), each transcript some 6,000
words of French written here from a bank of sentences per theme. The codebook starts from
the four-category template (barrier / facilitator) and grows with emerging codes. Two
coders (the demo's lead and practitioner accounts) code every theme-bearing turn; the
second agrees most of the time, with slightly different boundaries, sometimes another
code, sometimes none: realistic disagreement. Codings are revealed, so the demo shows
agreement and the matrix.

Each setting talks about some themes more than others, so that the matrix shows a theme
every setting raises (knowing each other's roles) and one that stands apart (the stigma
of drug use, raised in the substance-use group only).

Rows are written in bulk: the whole stage takes well under a second.
"""

import random
from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone, translation

from maillage.directory.models import Sector
from maillage.evaluation.codebook_templates import template_codes
from maillage.evaluation.models import (
    AttributeValue,
    Code,
    CodebookChange,
    CodebookChangeKind,
    Coding,
    Document,
    DocumentKind,
    EvaluatorRole,
    Participant,
    Session,
    SpeakerTurn,
    Study,
    StudyAttribute,
    StudyEvaluator,
)

from .names import FIRST_NAMES, LAST_NAMES

if TYPE_CHECKING:
    from .generator import NetworkGenerator

WORDS_PER_TRANSCRIPT = 6_000
TURN_SEPARATOR = "\n\n"
MODERATOR = "Animatrice"
SETTINGS = [
    ("Dépendance", Sector.SUBSTANCE_USE),
    ("Protection de la jeunesse", Sector.CHILD_PROTECTION),
    ("Périnatalité", Sector.PERINATAL),
]
GROUPS = [0, 1, 2, 2]  # the perinatal setting held two focus groups

# theme -> sentences said about it (participants' words, in French).
THEMES: dict[str, list[str]] = {
    "org_barrier": [
        "Les listes d'attente sont tellement longues que la famille a le temps de décrocher.",
        "Avec le roulement du personnel, on ne sait jamais à qui parler de l'autre côté.",
        "Nos horaires ne concordent pas, on se rappelle pendant des semaines.",
        "Chaque établissement a ses formulaires et ses règles de confidentialité.",
        "On réfère, puis on n'a plus aucune nouvelle de ce qui est arrivé.",
    ],
    "org_facilitator": [
        "Les rencontres intersectorielles aux deux mois ont tout changé pour nous.",
        "Avoir une entente écrite entre nos deux services, ça rassure tout le monde.",
        "Une personne pivot qui fait le lien, c'est ce qui marche le mieux.",
        "Quand la gestionnaire libère du temps pour la concertation, on avance.",
    ],
    "work_barrier": [
        "Avec nos charges de cas, il ne reste pas de temps pour appeler les partenaires.",
        "On ne connaît pas toujours le mandat exact de l'autre équipe.",
        "Certains intervenants ont peur de se faire juger par l'autre secteur.",
        "Le jargon de chacun nous empêche parfois de nous comprendre.",
    ],
    "work_facilitator": [
        "Depuis que je connais le rôle de chacun, je sais exactement qui appeler.",
        "Se connaître de visage, ça facilite énormément les références.",
        "Les immersions nous ont permis de voir comment l'autre équipe travaille.",
        "Quand on se fait confiance, on ose discuter des situations difficiles.",
        "Comprendre les contraintes de l'autre, ça évite bien des frustrations.",
    ],
    "family_barrier": [
        "Les mères ont peur qu'un signalement soit fait si elles parlent de leur consommation.",
        "Certaines familles refusent de donner leur consentement pour qu'on se parle.",
        "Les parents sont méfiants envers les services, souvent à cause de leur passé.",
        "La famille déménage souvent et on perd sa trace.",
    ],
    "family_facilitator": [
        "Quand la mère a confiance en une intervenante, elle accepte d'en rencontrer d'autres.",
        "Les visites à domicile permettent de rejoindre les familles là où elles sont.",
        "Le père s'est impliqué quand on l'a invité directement aux rencontres.",
        "Une famille qui comprend à quoi sert chaque service s'engage davantage.",
    ],
    "external_barrier": [
        "Sans transport en commun, les rendez-vous au centre-ville sont impossibles.",
        "La crise du logement rend tout le reste secondaire pour ces familles.",
        "Le territoire est immense et les services sont concentrés au même endroit.",
    ],
    "external_facilitator": [
        "Les organismes communautaires du quartier sont des alliés précieux.",
        "Le financement du projet pilote nous a permis d'essayer la co-intervention.",
        "La maison de la famille accueille nos rencontres sans frais.",
    ],
    "co_intervention": [
        "Faire une visite à deux, avec l'intervenante de l'autre équipe, ça rassure la mère.",
        "La co-intervention nous oblige à nous entendre sur le plan avant de voir la famille.",
        "Quand on intervient ensemble, la famille n'a pas à répéter son histoire.",
    ],
    "stigma": [
        "Les autres services voient encore la consommation comme un manque de volonté.",
        "On sent le jugement dès qu'on mentionne qu'une mère est suivie en dépendance.",
        "La stigmatisation fait que les femmes cachent leur consommation pendant la grossesse.",
        "Il faut expliquer encore et encore les effets réels de la consommation sur le fœtus.",
    ],
}
FILLER = [
    "Oui, c'est ça.",
    "Je suis d'accord avec ce qui vient d'être dit.",
    "C'est une bonne question, je n'y avais pas pensé.",
    "Pour moi, c'est un peu différent.",
]
PROMPTS = [
    "Qu'est-ce qui aide la collaboration entre vos équipes?",
    "Qu'est-ce qui la rend plus difficile?",
    "Pouvez-vous donner un exemple récent?",
    "Est-ce que les autres vivent la même chose?",
    "Qu'est-ce qui a changé depuis le début du programme?",
]
# How often each setting talks about each theme (relative weights).
WEIGHTS = {
    0: {"stigma": 6, "family_barrier": 4, "work_facilitator": 4, "co_intervention": 2},
    1: {
        "org_barrier": 5,
        "family_barrier": 5,
        "work_facilitator": 4,
        "work_barrier": 3,
        "stigma": 0,
        "co_intervention": 0,
    },
    2: {
        "org_facilitator": 5,
        "family_facilitator": 4,
        "work_facilitator": 4,
        "external_barrier": 2,
        "stigma": 0,
    },
}
BASE_WEIGHT = 1
EMERGING = {
    "co_intervention": (
        "Co-intervention",
        "Intervenir à deux, de deux équipes, auprès d'une même famille.",
    ),
    "stigma": (
        "Stigmatisation de la consommation",
        "Le jugement porté sur la consommation des parents par les services ou l'entourage.",
    ),
}
LEAF_ORDER = [
    "org_barrier",
    "org_facilitator",
    "work_barrier",
    "work_facilitator",
    "family_barrier",
    "family_facilitator",
    "external_barrier",
    "external_facilitator",
]


def _codebook(study: Study, lead, rng: random.Random) -> dict[str, Code]:
    """The four-category template (in French) and the emerging codes; theme -> code."""
    colours = ["#fde68a", "#bfdbfe", "#bbf7d0", "#fecaca", "#e9d5ff", "#fed7aa"]
    with translation.override("fr"):
        tree = template_codes("barriers_facilitators")
    parents, leaves = [], []
    for node in tree:
        parent = Code(study=study, name=node.name, definition=node.definition)
        parents.append(parent)
        for child in node.children:
            leaves.append(
                Code(
                    study=study,
                    parent=parent,
                    name=child.name,
                    definition=child.definition,
                    colour=rng.choice(colours),
                )
            )
    emerging = {
        theme: Code(study=study, name=name, definition=definition, inductive=True)
        for theme, (name, definition) in EMERGING.items()
    }
    Code.objects.bulk_create(parents)
    Code.objects.bulk_create([*leaves, *emerging.values()])
    CodebookChange.objects.bulk_create(
        [
            CodebookChange(
                study=study,
                by=lead,
                kind=CodebookChangeKind.TEMPLATE,
                details={"template": "barriers_facilitators"},
            ),
            *(
                CodebookChange(
                    study=study,
                    code=code,
                    by=lead,
                    kind=CodebookChangeKind.CREATED,
                    code_name=code.name,
                )
                for code in emerging.values()
            ),
        ]
    )
    return dict(zip(LEAF_ORDER, leaves, strict=True)) | emerging


def _participants(gen: "NetworkGenerator", study: Study, rng: random.Random):
    """Per focus group, its participants: practitioners of the setting's sector when the
    directory has them, outside people otherwise; each with the setting as attribute."""
    setting_attribute = StudyAttribute.objects.create(study=study, name="setting")
    by_sector: dict[str, list] = {}
    for membership in gen.memberships:
        sector = membership.team.organization.sector
        person = membership.practitioner
        if person.email.startswith(("practitioner@", "lead@")):
            continue
        by_sector.setdefault(sector, []).append(person)
    used: set = set()
    groups, people, values = [], [], []
    number = 0
    for setting_index in GROUPS:
        setting, sector = SETTINGS[setting_index]
        size = rng.randint(5, 8)
        pool = [p for p in by_sector.get(sector, []) if p.pk not in used]
        members = []
        for _ in range(size):
            number += 1
            practitioner = pool.pop(rng.randrange(len(pool))) if pool else None
            if practitioner is not None:
                used.add(practitioner.pk)
                name = f"{practitioner.first_name} {practitioner.last_name}"
            else:
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            participant = Participant(
                study=study,
                pseudonym=f"P{number:02d}",
                real_name=name,
                practitioner=practitioner,
                consent_given_on=study.starts_on,
            )
            members.append(participant)
            people.append(participant)
            values.append(
                AttributeValue(participant=participant, attribute=setting_attribute, value=setting)
            )
        groups.append((setting_index, members))
    Participant.objects.bulk_create(people)
    AttributeValue.objects.bulk_create(values)
    return groups


def _transcript(members, setting_index: int, rng: random.Random):
    """The turns of one focus group: (speaker, text, theme or None)."""
    weights = WEIGHTS[setting_index]
    themes = list(THEMES)
    theme_weights = [weights.get(t, BASE_WEIGHT) for t in themes]
    turns = [(MODERATOR, "Bonjour à toutes et à tous, merci d'être là. " + PROMPTS[0], None)]
    words = 0
    while words < WORDS_PER_TRANSCRIPT:
        if rng.random() < 0.12:
            prompt = rng.choice(PROMPTS)
            turns.append((MODERATOR, prompt, None))
            words += len(prompt.split()) + 2  # with the label and its colon
            continue
        speaker = rng.choice(members)
        if rng.random() < 0.1:
            text, theme = rng.choice(FILLER), None
        else:
            theme = rng.choices(themes, theme_weights)[0]
            sentences = rng.sample(THEMES[theme], k=min(len(THEMES[theme]), rng.randint(2, 4)))
            text = " ".join(sentences)
        turns.append((speaker.pseudonym, text, theme))
        words += len(text.split()) + 2
    return turns


def build_focus_group_study(gen: "NetworkGenerator") -> None:
    rng = random.Random(gen.seed * 7919 + 15)
    accounts = {u.email.split("@")[0]: u for u in gen.users}
    lead = accounts.get("lead") or gen.users[0]
    coder = accounts.get("practitioner") or gen.users[-1]
    today = timezone.localdate()
    study = Study.objects.create(
        title="Collaborer autour des familles : groupes de discussion 2026",
        question=(
            "Qu'est-ce qui aide et qu'est-ce qui nuit à la collaboration entre les milieux "
            "de la dépendance, de la protection de la jeunesse et de la périnatalité?"
        ),
        starts_on=today - timedelta(days=120),
        blind_coding=True,
        revealed_at=timezone.now(),
        created_by=lead,
    )
    StudyEvaluator.objects.bulk_create(
        [
            StudyEvaluator(study=study, user=lead, role=EvaluatorRole.LEAD),
            StudyEvaluator(study=study, user=coder, role=EvaluatorRole.CODER),
        ]
    )
    codes = _codebook(study, lead, rng)
    groups = _participants(gen, study, rng)
    turns_rows, codings = [], []
    for number, (setting_index, members) in enumerate(groups, start=1):
        setting = SETTINGS[setting_index][0]
        session = Session.objects.create(
            study=study,
            setting=setting,
            held_on=study.starts_on + timedelta(days=14 * number),
            moderator=MODERATOR,
        )
        session.present.set(members)
        turns = _transcript(members, setting_index, rng)
        paragraphs, spans, position = [], [], 0
        for speaker, text, theme in turns:
            paragraph = f"{speaker}\u00a0: {text}"
            if paragraphs:
                position += len(TURN_SEPARATOR)
            spans.append((speaker, position, position + len(paragraph), len(speaker) + 3, theme))
            paragraphs.append(paragraph)
            position += len(paragraph)
        document = Document.objects.create(
            study=study,
            session=session,
            title=f"Groupe de discussion {number} — {setting}",
            kind=DocumentKind.TRANSCRIPT,
            text=TURN_SEPARATOR.join(paragraphs),
            source_filename=f"groupe-{number}.docx",
            imported_by=lead,
        )
        by_pseudonym = {m.pseudonym: m for m in members}
        for speaker, start, end, label, theme in spans:
            turns_rows.append(
                SpeakerTurn(
                    document=document,
                    participant=by_pseudonym.get(speaker),
                    speaker=speaker,
                    start=start,
                    end=end,
                )
            )
            if theme is None:
                continue
            said = (start + label, end)
            codings.append(
                Coding(document=document, code=codes[theme], coder=lead, start=said[0], end=said[1])
            )
            draw = rng.random()
            if draw < 0.78:  # agrees, boundaries a little different
                shift = rng.randint(0, 12)
                codings.append(
                    Coding(
                        document=document,
                        code=codes[theme],
                        coder=coder,
                        start=said[0] + shift,
                        end=said[1],
                    )
                )
            elif draw < 0.92:  # another code for the same passage
                other = rng.choice([t for t in codes if t != theme])
                codings.append(
                    Coding(
                        document=document,
                        code=codes[other],
                        coder=coder,
                        start=said[0],
                        end=said[1],
                    )
                )
            # otherwise the second coder left the passage uncoded
    SpeakerTurn.objects.bulk_create(turns_rows)
    Coding.objects.bulk_create(codings)
    gen.result.counts["focus group transcripts"] = len(groups)
    gen.result.counts["codings"] = len(codings)
