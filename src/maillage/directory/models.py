"""Who does what: organizations, their teams, practitioners and the services teams offer."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from maillage.core.models import TimeStamped
from maillage.core.tokens import split_codes


class Sector(models.TextChoices):
    SUBSTANCE_USE = "substance_use", _("Substance use and addiction")
    CHILD_PROTECTION = "child_protection", _("Youth and child protection")
    PERINATAL = "perinatal", _("Perinatal and obstetric care")
    EARLY_CHILDHOOD = "early_childhood", _("Early childhood and day care")
    INFANT_MENTAL_HEALTH = "infant_mental_health", _("Parent–infant and child mental health")
    HOME_VISITING = "home_visiting", _("Home visiting")
    COMMUNITY_OUTREACH = "community_outreach", _("Community outreach")
    COMMUNITY_ORGANIZATION = "community_organization", _("Community organization")
    PRIMARY_CARE = "primary_care", _("Primary care (CLSC)")
    HOSPITAL = "hospital", _("Hospital")
    PRIVATE_PRACTICE = "private_practice", _("Private practice")
    MUNICIPALITY = "municipality", _("Municipality")
    SCHOOL = "school", _("School")


class ServiceType(models.TextChoices):
    ASSESSMENT = "assessment", _("Assessment and orientation")
    ADDICTION_TREATMENT = "addiction_treatment", _("Addiction treatment")
    HARM_REDUCTION = "harm_reduction", _("Harm reduction")
    PRENATAL_CARE = "prenatal_care", _("Prenatal follow-up")
    POSTNATAL_CARE = "postnatal_care", _("Postnatal follow-up")
    HOME_VISITS = "home_visits", _("Home visits")
    PARENTING_SUPPORT = "parenting_support", _("Parenting support")
    PARENT_INFANT_THERAPY = "parent_infant_therapy", _("Parent–infant therapy")
    CHILD_PROTECTION = "child_protection", _("Child protection services")
    CHILD_CARE = "child_care", _("Child care and early education")
    OUTREACH = "outreach", _("Outreach and accompaniment")
    MENTAL_HEALTH = "mental_health", _("Adult mental health")
    MEDICAL_CARE = "medical_care", _("Medical care")
    BASIC_NEEDS = "basic_needs", _("Housing, food and basic needs")
    TRAINING = "training", _("Training for professionals")


class Population(models.TextChoices):
    PREGNANT = "pregnant", _("Pregnant women")
    INFANT_PARENTS = "infant_parents", _("Parents of infants (0–2)")
    YOUNG_CHILD_PARENTS = "young_child_parents", _("Parents of young children (0–5)")
    FATHERS = "fathers", _("Fathers")
    YOUNG_PARENTS = "young_parents", _("Young parents (under 25)")
    SUBSTANCE_USE = "substance_use", _("People who use substances")
    LOW_INCOME = "low_income", _("Families living in poverty")
    INDIGENOUS = "indigenous", _("Indigenous families")
    NEWCOMERS = "newcomers", _("Newcomer families")


class Profession(models.TextChoices):
    NURSE = "nurse", _("Nurse")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    PSYCHOEDUCATOR = "psychoeducator", _("Psycho-educator")
    PHYSICIAN = "physician", _("Physician")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    MIDWIFE = "midwife", _("Midwife")
    HOME_VISITOR = "home_visitor", _("Home visitor")
    OUTREACH_WORKER = "outreach_worker", _("Community outreach worker")
    PEER_HELPER = "peer_helper", _("Peer helper")
    EDUCATOR = "educator", _("Early childhood educator")
    MANAGER = "manager", _("Manager")
    OTHER = "other", _("Other")


class Language(models.TextChoices):
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")
    ARABIC = "ar", _("Arabic")
    CREOLE = "ht", _("Haitian Creole")
    CREE = "cr", _("Cree")
    INUKTITUT = "iu", _("Inuktitut")


class ContactPreference(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    TEXT = "text", _("Text message")
    SECURE_MESSAGE = "secure_message", _("Secure messaging")


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("Member")
    LEAD = "lead", _("Team lead")


def labels_of(codes: str, choices: type[models.TextChoices]) -> list[str]:
    known = dict(choices.choices)
    return [str(known.get(code, code)) for code in split_codes(codes)]


class Organization(TimeStamped):
    # A stable, human-chosen key, used by CSV import/export to recognise a row.
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=40, choices=Sector, db_index=True)
    description = models.TextField(_("description"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    territory = models.CharField(_("territory"), max_length=120, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    # Accent- and case-folded text of the name, sector labels (both languages), territory.
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")

    def __str__(self) -> str:
        return self.name


class Team(TimeStamped):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="teams", verbose_name=_("organization")
    )
    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    site = models.CharField(_("site"), max_length=200, blank=True)
    mandate = models.TextField(_("mandate"), blank=True)
    territory = models.CharField(_("territory"), max_length=120, blank=True, db_index=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    languages = models.CharField(_("languages"), max_length=60, blank=True)
    # Everything a directory search may match for this team, folded: its own fields,
    # its organization, sector labels in both languages, its service offers.
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name

    @property
    def language_labels(self) -> list[str]:
        return labels_of(self.languages, Language)


class Practitioner(TimeStamped):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practitioner",
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"), unique=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    profession = models.CharField(_("profession"), max_length=30, choices=Profession)
    languages = models.CharField(_("languages"), max_length=60, blank=True)
    contact_preference = models.CharField(
        _("preferred contact"),
        max_length=20,
        choices=ContactPreference,
        default=ContactPreference.EMAIL,
    )
    search_text = models.TextField(editable=False, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("practitioner")
        verbose_name_plural = _("practitioners")

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def language_labels(self) -> list[str]:
        return labels_of(self.languages, Language)


class Membership(TimeStamped):
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="memberships"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(
        _("role"), max_length=10, choices=MembershipRole, default=MembershipRole.MEMBER
    )
    # What this person does in this team, in the team's words ("liaison nurse").
    title = models.CharField(_("title"), max_length=150, blank=True)

    class Meta:
        ordering = ["team", "practitioner"]
        constraints = [
            models.UniqueConstraint(fields=["practitioner", "team"], name="one_membership_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} — {self.team}"


class ServiceOffer(TimeStamped):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="service_offers")
    code = models.SlugField(_("code"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    service_type = models.CharField(_("service"), max_length=30, choices=ServiceType, db_index=True)
    populations = models.CharField(_("target population"), max_length=300, blank=True)
    eligibility = models.TextField(_("eligibility"), blank=True)
    how_to_refer = models.TextField(_("how to refer"), blank=True)
    languages = models.CharField(_("languages"), max_length=60, blank=True)
    territory = models.CharField(_("territory"), max_length=120, blank=True)
    expected_wait_days = models.PositiveIntegerField(
        _("expected wait (days)"), null=True, blank=True
    )
    # How soon a referral to this service should be acknowledged, in working days.
    acknowledge_within_days = models.PositiveSmallIntegerField(
        _("acknowledge referrals within (working days)"), default=2
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service offer")
        verbose_name_plural = _("service offers")

    def __str__(self) -> str:
        return self.name

    @property
    def population_labels(self) -> list[str]:
        return labels_of(self.populations, Population)

    @property
    def language_labels(self) -> list[str]:
        return labels_of(self.languages, Language)
