"""What each sector of the fictional network looks like: its organizations' names, its
teams, the services they offer, who works there. French and English, as in Quebec."""

from dataclasses import dataclass, field

from maillage.directory.models import Population as P  # noqa: N817 - short, for tables
from maillage.directory.models import Profession as R
from maillage.directory.models import Sector as S  # noqa: N817 - short, for tables
from maillage.directory.models import ServiceType as T


@dataclass(frozen=True)
class TeamProfile:
    name: str
    mandate: str
    services: list[tuple[str, str]]  # (service type, offer name)
    populations: list[str]
    professions: list[str]
    eligibility: str = ""
    how_to_refer: str = ""


@dataclass(frozen=True)
class SectorProfile:
    sector: str
    org_names: list[str]  # "{t}" is the territory, "{n}" a surname, "{f}" a flower name
    teams: list[TeamProfile]
    weight: int = 1  # how common such organizations are in a region
    english_share: float = 0.15
    titles: dict[str, str] = field(default_factory=dict)


REFER_FORM = "Formulaire de demande de service, par télécopieur ou messagerie sécurisée."
REFER_PHONE = "Appeler l'accueil de l'équipe ; une intervenante rappelle dans les 48 heures."
REFER_EN = "Call the intake line. A worker calls back within two working days."

PROFILES = [
    SectorProfile(
        S.SUBSTANCE_USE,
        [
            "Centre de réadaptation en dépendance de {t}",
            "Maison de thérapie Le Tournant",
            "{t} Addiction Recovery Centre",
        ],
        [
            TeamProfile(
                "Services externes en dépendance",
                "Évaluation et traitement ambulatoire des "
                "troubles liés à l'usage de substances, y compris pendant la grossesse.",
                [
                    (T.ASSESSMENT, "Évaluation spécialisée en dépendance"),
                    (T.ADDICTION_TREATMENT, "Suivi externe en dépendance"),
                ],
                [P.SUBSTANCE_USE, P.PREGNANT],
                [R.SOCIAL_WORKER, R.NURSE, R.PSYCHOEDUCATOR],
                "Adultes de 18 ans et plus.",
                REFER_FORM,
            ),
            TeamProfile(
                "Équipe mère-enfant en dépendance",
                "Accompagnement des femmes enceintes et "
                "des mères qui consomment, et de leurs tout-petits.",
                [
                    (T.ADDICTION_TREATMENT, "Programme mère-enfant"),
                    (T.PARENTING_SUPPORT, "Soutien au rôle parental en contexte de consommation"),
                ],
                [P.PREGNANT, P.INFANT_PARENTS, P.SUBSTANCE_USE],
                [R.NURSE, R.SOCIAL_WORKER, R.PSYCHOEDUCATOR, R.PEER_HELPER],
                "Femmes enceintes ou mères d'un enfant de 0 à 5 ans.",
                REFER_PHONE,
            ),
            TeamProfile(
                "Réduction des méfaits",
                "Matériel, dépistage et accompagnement sans jugement.",
                [(T.HARM_REDUCTION, "Site fixe de réduction des méfaits")],
                [P.SUBSTANCE_USE, P.LOW_INCOME],
                [R.PEER_HELPER, R.OUTREACH_WORKER, R.NURSE],
            ),
        ],
        weight=3,
    ),
    SectorProfile(
        S.CHILD_PROTECTION,
        [
            "Direction de la protection de la jeunesse de {t}",
            "Youth Protection Services {t}",
        ],
        [
            TeamProfile(
                "Réception et traitement des signalements",
                "Reçoit et analyse les "
                "signalements concernant la sécurité ou le développement d'un enfant.",
                [(T.CHILD_PROTECTION, "Réception des signalements (24/7)")],
                [P.YOUNG_CHILD_PARENTS],
                [R.SOCIAL_WORKER, R.PSYCHOEDUCATOR],
                "Tout enfant dont la sécurité ou le développement peut être compromis.",
                "Signalement par téléphone à la ligne 24/7.",
            ),
            TeamProfile(
                "Application des mesures 0-5 ans",
                "Suivi des enfants de 0 à 5 ans et de leurs parents sous mesures de protection.",
                [
                    (T.CHILD_PROTECTION, "Suivi en protection 0-5 ans"),
                    (T.PARENTING_SUPPORT, "Soutien aux compétences parentales"),
                ],
                [P.INFANT_PARENTS, P.YOUNG_CHILD_PARENTS],
                [R.SOCIAL_WORKER, R.PSYCHOEDUCATOR],
            ),
        ],
        weight=2,
    ),
    SectorProfile(
        S.PERINATAL,
        [
            "Clinique périnatale de {t}",
            "Maison de naissance de {t}",
            "{t} Birthing Centre",
        ],
        [
            TeamProfile(
                "Suivi de grossesse",
                "Suivi prénatal médical et sage-femme.",
                [(T.PRENATAL_CARE, "Suivi prénatal"), (T.MEDICAL_CARE, "Échographies et tests")],
                [P.PREGNANT],
                [R.MIDWIFE, R.PHYSICIAN, R.NURSE],
                "Toute personne enceinte du territoire.",
                REFER_PHONE,
            ),
            TeamProfile(
                "Périnatalité sociale",
                "Accompagnement psychosocial des futurs parents "
                "vulnérables, de la grossesse aux premiers mois.",
                [
                    (T.PRENATAL_CARE, "Accompagnement prénatal psychosocial"),
                    (T.POSTNATAL_CARE, "Suivi postnatal à domicile"),
                ],
                [P.PREGNANT, P.INFANT_PARENTS, P.YOUNG_PARENTS],
                [R.NURSE, R.SOCIAL_WORKER, R.HOME_VISITOR],
            ),
        ],
        weight=2,
    ),
    SectorProfile(
        S.EARLY_CHILDHOOD,
        [
            "CPE {f}",
            "Garderie {f}",
            "{t} Early Learning Centre",
        ],
        [
            TeamProfile(
                "Installation {f}",
                "Centre de la petite enfance, places réservées pour "
                "les familles orientées par le CLSC.",
                [(T.CHILD_CARE, "Places en services de garde éducatifs")],
                [P.YOUNG_CHILD_PARENTS, P.LOW_INCOME],
                [R.EDUCATOR, R.MANAGER],
                "Enfants de 0 à 5 ans.",
                "Demande par le guichet unique ou entente CLSC.",
            ),
            TeamProfile(
                "Soutien pédagogique et éveil",
                "Soutien au développement et dépistage.",
                [
                    (T.CHILD_CARE, "Halte-garderie et éveil"),
                    (T.PARENTING_SUPPORT, "Ateliers parents-enfants"),
                ],
                [P.YOUNG_CHILD_PARENTS],
                [R.EDUCATOR, R.PSYCHOEDUCATOR],
            ),
        ],
        weight=4,
    ),
    SectorProfile(
        S.INFANT_MENTAL_HEALTH,
        [
            "Clinique de santé mentale parent-bébé de {t}",
            "Infant Mental Health Program {t}",
        ],
        [
            TeamProfile(
                "Équipe santé mentale 0-5 ans",
                "Évaluation et intervention en santé "
                "mentale de la petite enfance ; consultations pour les partenaires.",
                [
                    (T.PARENT_INFANT_THERAPY, "Psychothérapie parent-enfant"),
                    (T.ASSESSMENT, "Consultation clinique pour les référents"),
                    (T.TRAINING, "Formation en santé mentale du nourrisson"),
                ],
                [P.INFANT_PARENTS, P.YOUNG_CHILD_PARENTS, P.PREGNANT],
                [R.PSYCHOLOGIST, R.PHYSICIAN, R.SOCIAL_WORKER, R.NURSE],
                "Enfants de 0 à 5 ans et leurs parents ; femmes enceintes.",
                REFER_FORM,
            ),
        ],
        weight=1,
    ),
    SectorProfile(
        S.HOME_VISITING,
        [
            "Programme de visites à domicile de {t}",
            "{t} Home Visiting Program",
        ],
        [
            TeamProfile(
                "Visites à domicile SIPPE",
                "Services intégrés en périnatalité et petite "
                "enfance : visites régulières de la grossesse jusqu'aux 5 ans de l'enfant.",
                [
                    (T.HOME_VISITS, "Visites à domicile prénatales et postnatales"),
                    (T.PARENTING_SUPPORT, "Soutien relationnel au rôle parental"),
                ],
                [P.PREGNANT, P.INFANT_PARENTS, P.LOW_INCOME, P.YOUNG_PARENTS],
                [R.HOME_VISITOR, R.NURSE, R.SOCIAL_WORKER],
                "Familles vivant en contexte de vulnérabilité.",
                REFER_PHONE,
            ),
        ],
        weight=2,
    ),
    SectorProfile(
        S.COMMUNITY_OUTREACH,
        [
            "Travail de rue de {t}",
            "{t} Street Outreach",
            "Projet d'intervention de milieu {t}",
        ],
        [
            TeamProfile(
                "Travail de milieu famille",
                "Rejoindre les familles là où elles sont et les accompagner vers les services.",
                [
                    (T.OUTREACH, "Accompagnement vers les services"),
                    (T.HARM_REDUCTION, "Réduction des méfaits de proximité"),
                ],
                [P.SUBSTANCE_USE, P.LOW_INCOME, P.YOUNG_PARENTS],
                [R.OUTREACH_WORKER, R.PEER_HELPER],
                "Sans critère : accueil inconditionnel.",
                "Par téléphone ou texto, ou directement dans la rue.",
            ),
        ],
        weight=2,
    ),
    SectorProfile(
        S.COMMUNITY_ORGANIZATION,
        [
            "Maison de la famille de {t}",
            "Carrefour familial {t}",
            "{t} Family Resource Centre",
        ],
        [
            TeamProfile(
                "Accueil et haltes",
                "Halte-garderie, repas communautaires, groupes de parents, aide matérielle.",
                [
                    (T.PARENTING_SUPPORT, "Groupes de parents"),
                    (T.BASIC_NEEDS, "Dépannage alimentaire et matériel"),
                    (T.CHILD_CARE, "Halte-garderie communautaire"),
                ],
                [P.YOUNG_CHILD_PARENTS, P.FATHERS, P.NEWCOMERS, P.LOW_INCOME],
                [R.EDUCATOR, R.OUTREACH_WORKER, R.PEER_HELPER],
                "",
                REFER_EN,
            ),
        ],
        weight=4,
        english_share=0.25,
    ),
    SectorProfile(
        S.PRIMARY_CARE,
        [
            "CLSC de {t}",
        ],
        [
            TeamProfile(
                "Enfance-famille",
                "Suivi des familles, vaccination, périnatalité, accueil psychosocial.",
                [
                    (T.POSTNATAL_CARE, "Suivi postnatal"),
                    (T.ASSESSMENT, "Accueil psychosocial"),
                    (T.MEDICAL_CARE, "Vaccination et santé des tout-petits"),
                ],
                [P.INFANT_PARENTS, P.YOUNG_CHILD_PARENTS, P.PREGNANT],
                [R.NURSE, R.SOCIAL_WORKER, R.PHYSICIAN],
                "Résidents du territoire du CLSC.",
                REFER_FORM,
            ),
            TeamProfile(
                "Santé mentale adulte",
                "Évaluation et suivi en santé mentale adulte.",
                [(T.MENTAL_HEALTH, "Suivi en santé mentale adulte")],
                [P.YOUNG_PARENTS],
                [R.SOCIAL_WORKER, R.PSYCHOLOGIST, R.NURSE],
            ),
            TeamProfile(
                "Accueil dépendance",
                "Première ligne en dépendance.",
                [(T.ASSESSMENT, "Dépistage et orientation en dépendance")],
                [P.SUBSTANCE_USE],
                [R.SOCIAL_WORKER, R.NURSE],
            ),
        ],
        weight=2,
        english_share=0.0,
    ),
    SectorProfile(
        S.HOSPITAL,
        [
            "Hôpital de {t}",
            "{t} General Hospital",
            "Centre hospitalier Sainte-Rosalie",
        ],
        [
            TeamProfile(
                "Obstétrique et néonatalogie",
                "Accouchements, grossesses à risque, soins "
                "aux nouveau-nés (y compris sevrage néonatal).",
                [
                    (T.PRENATAL_CARE, "Clinique de grossesse à risque"),
                    (T.MEDICAL_CARE, "Soins néonatals"),
                ],
                [P.PREGNANT, P.INFANT_PARENTS, P.SUBSTANCE_USE],
                [R.PHYSICIAN, R.NURSE, R.SOCIAL_WORKER],
            ),
            TeamProfile(
                "Pédopsychiatrie",
                "Évaluation pédopsychiatrique.",
                [(T.PARENT_INFANT_THERAPY, "Consultation pédopsychiatrique")],
                [P.YOUNG_CHILD_PARENTS],
                [R.PHYSICIAN, R.PSYCHOLOGIST, R.NURSE],
            ),
        ],
        weight=1,
        english_share=0.3,
    ),
    SectorProfile(
        S.PRIVATE_PRACTICE,
        [
            "Clinique {n} et associés",
            "{n} Psychology Clinic",
            "Cabinet de sages-femmes {n}",
        ],
        [
            TeamProfile(
                "Pratique privée",
                "Consultations sur rendez-vous.",
                [
                    (T.MENTAL_HEALTH, "Psychothérapie"),
                    (T.PARENT_INFANT_THERAPY, "Thérapie parent-enfant"),
                ],
                [P.INFANT_PARENTS, P.YOUNG_CHILD_PARENTS],
                [R.PSYCHOLOGIST, R.PHYSICIAN],
                "Sur rendez-vous, frais selon la couverture.",
                REFER_EN,
            ),
        ],
        weight=2,
        english_share=0.3,
    ),
    SectorProfile(
        S.MUNICIPALITY,
        [
            "Ville de {t}",
            "Municipalité de {t}",
        ],
        [
            TeamProfile(
                "Loisirs et vie communautaire",
                "Politique familiale, parcs, bibliothèques.",
                [(T.BASIC_NEEDS, "Soutien aux familles (politique familiale)")],
                [P.YOUNG_CHILD_PARENTS, P.NEWCOMERS],
                [R.MANAGER, R.OUTREACH_WORKER],
            ),
        ],
        weight=1,
        english_share=0.0,
    ),
    SectorProfile(
        S.SCHOOL,
        [
            "École primaire {f}",
            "{t} Elementary School",
        ],
        [
            TeamProfile(
                "Maternelle 4 ans et services complémentaires",
                "Maternelle 4 ans, psychoéducation, travail social scolaire.",
                [(T.CHILD_CARE, "Maternelle 4 ans"), (T.PARENTING_SUPPORT, "Passage à l'école")],
                [P.YOUNG_CHILD_PARENTS],
                [R.EDUCATOR, R.PSYCHOEDUCATOR, R.SOCIAL_WORKER],
            ),
        ],
        weight=1,
    ),
]
PROFILE_BY_SECTOR = {p.sector: p for p in PROFILES}

# English renderings of team names for English-speaking organizations.
ENGLISH_TEAM_NAMES = {
    "Services externes en dépendance": "Outpatient Addiction Services",
    "Équipe mère-enfant en dépendance": "Mother-Child Addiction Team",
    "Réduction des méfaits": "Harm Reduction",
    "Réception et traitement des signalements": "Intake and Screening of Reports",
    "Application des mesures 0-5 ans": "Child Protection Follow-up 0-5",
    "Suivi de grossesse": "Pregnancy Care",
    "Périnatalité sociale": "Social Perinatal Care",
    "Soutien pédagogique et éveil": "Early Learning Support",
    "Équipe santé mentale 0-5 ans": "Infant and Early Childhood Mental Health Team",
    "Visites à domicile SIPPE": "Home Visiting Team",
    "Travail de milieu famille": "Family Outreach",
    "Accueil et haltes": "Drop-in and Family Programs",
    "Obstétrique et néonatalogie": "Obstetrics and Neonatology",
    "Pédopsychiatrie": "Child Psychiatry",
    "Pratique privée": "Private Practice",
    "Maternelle 4 ans et services complémentaires": "Pre-kindergarten and Support Services",
}
