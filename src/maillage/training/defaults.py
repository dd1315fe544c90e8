"""The content a new programme starts with, in French and English: the topics of the
cross-training programme the literature describes, and the four self-assessment items.

These are data, not UI strings: they are copied into each programme's own rows, where the
coordinator may reword them or add others, and they stay as written once answered.
"""

# (French, English)
DEFAULT_TOPICS: list[tuple[str, str]] = [
    (
        "Effets des psychotropes sur le fœtus, l'enfant et le rôle parental",
        "Effects of psychotropic drugs on the foetus, the child and the parenting role",
    ),
    ("Procédures en protection de la jeunesse", "Child-protection procedures"),
    ("Services à la petite enfance", "Early-childhood services"),
    ("Réduction des méfaits", "Harm reduction"),
]

DEFAULT_ITEMS: list[tuple[str, str]] = [
    (
        "Je connais le mandat et les services de ce partenaire.",
        "I know this partner's mandate and services.",
    ),
    ("Je sais qui appeler chez ce partenaire.", "I know whom to call there."),
    (
        "Je me sens capable d'expliquer les effets de la consommation de substances sur le "
        "fœtus, l'enfant et le rôle parental.",
        "I feel able to explain the effects of substance use on the foetus, the child and "
        "parenting.",
    ),
    ("Je dirigerais une famille vers ce partenaire.", "I would refer a family to them."),
]
