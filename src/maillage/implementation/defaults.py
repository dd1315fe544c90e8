"""The sustainability self-assessment's statements as shipped: our own wording, three per
domain of the Program Sustainability Assessment Tool (whose items are its authors'). The
coordinator rewords, adds or retires them on the sustainability page."""

# (domain, French, English)
DEFAULT_ITEMS = [
    (
        "environmental_support",
        "Des décideurs de notre région appuient publiquement le programme.",
        "Decision makers in our region publicly back the programme.",
    ),
    (
        "environmental_support",
        "Les gestionnaires de notre établissement défendent le programme quand il est "
        "remis en question.",
        "Our organization's managers stand up for the programme when it is questioned.",
    ),
    (
        "environmental_support",
        "Les familles et les partenaires savent que le programme existe et le réclament.",
        "Families and partners know the programme exists and ask for it.",
    ),
    (
        "funding_stability",
        "Le financement du programme est assuré pour au moins les deux prochaines années.",
        "The programme's funding is secured for at least the next two years.",
    ),
    (
        "funding_stability",
        "Le programme repose sur plus d'une source de financement.",
        "The programme relies on more than one source of funding.",
    ),
    (
        "funding_stability",
        "Le temps des intervenantes consacré au programme est prévu dans le budget régulier.",
        "Practitioners' time for the programme is part of the regular budget.",
    ),
    (
        "partnerships",
        "Nos partenaires d'autres secteurs nous adressent des familles pour le programme.",
        "Our partners from other sectors refer families to the programme.",
    ),
    (
        "partnerships",
        "Nous rencontrons régulièrement les partenaires pour parler du programme.",
        "We meet our partners regularly to talk about the programme.",
    ),
    (
        "partnerships",
        "Des partenaires offrent des ressources (locaux, temps, expertise) au programme.",
        "Partners give the programme resources (rooms, time, expertise).",
    ),
    (
        "organizational_capacity",
        "Nous avons assez d'intervenantes formées pour répondre aux demandes.",
        "We have enough trained practitioners to meet demand.",
    ),
    (
        "organizational_capacity",
        "Une nouvelle intervenante peut être formée et supervisée sans délai.",
        "A new practitioner can be trained and supervised without delay.",
    ),
    (
        "organizational_capacity",
        "La supervision clinique du programme a lieu comme prévu.",
        "The programme's clinical supervision takes place as planned.",
    ),
    (
        "programme_evaluation",
        "Nous suivons la fidélité des séances et en discutons en équipe.",
        "We follow the fidelity of sessions and discuss it as a team.",
    ),
    (
        "programme_evaluation",
        "Nous savons combien de familles commencent et terminent le programme.",
        "We know how many families start and complete the programme.",
    ),
    (
        "programme_evaluation",
        "Les résultats du programme sont communiqués à ceux qui le financent.",
        "The programme's results are reported to those who fund it.",
    ),
    (
        "programme_adaptation",
        "Nous ajustons le programme à nos familles sans toucher à ses composantes essentielles.",
        "We fit the programme to our families without changing its core components.",
    ),
    (
        "programme_adaptation",
        "Les changements apportés au programme sont notés et justifiés.",
        "Changes made to the programme are written down with their reasons.",
    ),
    (
        "programme_adaptation",
        "Ce que nous apprenons des données sert à améliorer le programme.",
        "What we learn from our data is used to improve the programme.",
    ),
    (
        "communications",
        "Nous parlons du programme et de ses effets dans notre milieu.",
        "We talk about the programme and its effects in our community.",
    ),
    (
        "communications",
        "Les familles qui ont suivi le programme peuvent en témoigner.",
        "Families who took part in the programme can speak about it.",
    ),
    (
        "communications",
        "Nos documents de présentation du programme sont à jour.",
        "Our materials presenting the programme are up to date.",
    ),
    (
        "strategic_planning",
        "Le programme figure dans le plan d'action de notre établissement.",
        "The programme is part of our organization's action plan.",
    ),
    (
        "strategic_planning",
        "Nous avons un plan pour garder le programme au-delà du financement actuel.",
        "We have a plan to keep the programme beyond its current funding.",
    ),
    (
        "strategic_planning",
        "Les rôles de chacun dans le maintien du programme sont clairs.",
        "Everyone's role in keeping the programme going is clear.",
    ),
]
