"""The transcript's HTML: pieces cut at every coding boundary, within turns, names escaped."""

from maillage.core.models import User
from maillage.evaluation.coded_text import turn_views
from maillage.evaluation.models import Code, Coding, SpeakerTurn


def _coding(name: str, start: int, end: int, coder: str = "Léa") -> Coding:
    return Coding(code=Code(name=name), coder=User(full_name=coder), start=start, end=end)


TEXT = "P01 : oui\n\nP02 : <non>"
TURNS = [SpeakerTurn(speaker="P01", start=0, end=9), SpeakerTurn(speaker="P02", start=11, end=22)]


def test_overlapping_codings_cut_the_turns_and_cross_their_limits():
    # "Accès" runs from the first turn into the second; "Rôles & liens" overlaps it.
    codings = [_coding("Accès", 6, 14), _coding("Rôles & liens", 8, 20, coder='A "B"')]
    first, second = turn_views(TEXT, TURNS, codings, with_coders=False)
    assert first.turn is TURNS[0]
    assert str(first.html) == (
        '<span data-start="0">P01 : </span>'
        '<span data-start="6" class="coded" title="Accès"><mark>ou</mark></span>'
        '<span data-start="8" class="coded" title="Accès · Rôles &amp; liens"><mark>i</mark></span>'
    )
    assert str(second.html) == (
        '<span data-start="11" class="coded" title="Accès · Rôles &amp; liens">'
        "<mark>P02</mark></span>"
        '<span data-start="14" class="coded" title="Rôles &amp; liens">'
        "<mark> : &lt;no</mark></span>"
        '<span data-start="20">n&gt;</span>'
    )
    _first, second = turn_views(TEXT, TURNS, codings, with_coders=True)
    assert 'title="Accès (Léa) · Rôles &amp; liens (A &quot;B&quot;)"' in str(second.html)


def test_an_uncoded_turn_is_one_piece():
    (view,) = turn_views("Bonjour", [SpeakerTurn(start=0, end=7)], [], with_coders=True)
    assert str(view.html) == '<span data-start="0">Bonjour</span>'
