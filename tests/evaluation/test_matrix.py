"""The codes-by-groups matrix and code co-occurrence equal counts made independently,
character by character, and the rules are said in French and English."""

import random
from collections import Counter
from itertools import combinations

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from maillage.evaluation.analysis import Coding, Participant, Segment
from maillage.evaluation.matrix import (
    CO_OCCURRENCE_RULE,
    co_occurrence,
    divergence_rule,
    theme_matrix,
)

# Two settings: perinatal (P1, P2) and addiction (P3, P4, P5, P6); M is the moderator.
PEOPLE = [
    Participant("P1", {"setting": "perinatal"}),
    Participant("P2", {"setting": "perinatal"}),
    Participant("P3", {"setting": "addiction"}),
    Participant("P4", {"setting": "addiction"}),
    Participant("P5", {"setting": "addiction"}),
    Participant("P6", {"setting": "addiction"}),
    Participant("P7", {}),  # no setting: in no group
]
# Turns of 10 characters: P1 [0,10) P2 [10,20) P3 [20,30) ... P7 [60,70), moderator [70,80).
TURNS = [Segment("fg", 10 * i, 10 * i + 10, f"P{i + 1}") for i in range(7)]
TURNS.append(Segment("fg", 70, 80, None))


def test_cells_count_passages_participants_and_shares():
    codings = [
        Coding("A", "trust", "fg", 2, 8),  # P1
        Coding("A", "trust", "fg", 15, 25),  # P2 and P3: one passage for each setting
        Coding("A", "trust", "fg", 41, 45),  # P5
        Coding("A", "delay", "fg", 30, 40),  # P4 only: touches P5's turn at 40, not in it
        Coding("A", "delay", "fg", 60, 79),  # P7 (no setting) and the moderator: nobody
    ]
    matrix = theme_matrix(codings, TURNS, PEOPLE, attribute="setting", threshold=0.5)
    assert matrix.groups == ("addiction", "perinatal")
    assert matrix.group_sizes == {"addiction": 4, "perinatal": 2}
    rows = {r.code: r for r in matrix.rows}
    trust, delay = rows["trust"], rows["delay"]
    peri, addi = trust.cells["perinatal"], trust.cells["addiction"]
    assert (peri.passages, peri.participants, peri.share) == (2, {"P1", "P2"}, 1.0)
    assert (addi.passages, addi.participants, addi.share) == (2, {"P3", "P5"}, 0.5)
    assert addi.codings == (codings[1], codings[2])  # in document order, for the quotes
    assert addi.speakers == ({"P3"}, {"P5"})
    assert trust.convergent and not trust.divergent  # 1.0 − 0.5 is not more than 0.5
    assert delay.cells["addiction"].participants == {"P4"}
    assert delay.cells["perinatal"].passages == 0
    assert not delay.convergent


def test_divergent_when_one_group_stands_apart_by_more_than_the_threshold():
    people = [Participant(f"P{i}", {"role": role}) for i, role in enumerate("aabbcc")]
    turns = [Segment("d", 10 * i, 10 * i + 10, f"P{i}") for i in range(6)]
    codings = [
        Coding("A", "x", "d", 0, 20),  # both of a: share 1.0
        Coding("A", "x", "d", 25, 26),  # one of b: 0.5
        Coding("A", "x", "d", 45, 46),  # one of c: 0.5
        Coding("A", "y", "d", 5, 6),  # a: 0.5, b: 0, c: 0.5 (b stands apart below)
        Coding("A", "y", "d", 45, 46),
    ]
    matrix = theme_matrix(codings, turns, people, attribute="role", threshold=0.4)
    rows = {r.code: r for r in matrix.rows}
    # x: a is 0.5 above both others (> 0.4) → divergent, and convergent as well.
    assert rows["x"].divergent and rows["x"].divergent_groups == ("a",)
    assert rows["x"].convergent
    # y: b is 0.5 below both others → divergent; a and c (equal) do not stand apart.
    assert rows["y"].divergent_groups == ("b",)
    # At exactly the threshold, nothing stands apart: the rule says "more than".
    at_threshold = theme_matrix(codings, turns, people, attribute="role", threshold=0.5)
    assert not any(r.divergent for r in at_threshold.rows)


def test_the_rules_are_said_in_english_and_french():
    with translation.override("en"):
        assert "more than 25 percentage points" in str(divergence_rule(0.25))
        assert "12.5" in str(divergence_rule(0.125))
        assert "same coder" in str(CO_OCCURRENCE_RULE)
    with translation.override("fr"):
        sentence = str(divergence_rule(0.125))
        assert "12,5\N{NO-BREAK SPACE}points de pourcentage" in sentence
        matrix = theme_matrix([], TURNS, PEOPLE, attribute="setting")
        assert "convergent" in str(matrix.convergence_rule)
        assert "chaque groupe" in str(matrix.convergence_rule)
        assert "même codeur" in str(CO_OCCURRENCE_RULE)


def test_bad_thresholds_are_refused():
    for threshold in (-0.1, 1, 1.5, "0.2"):
        with pytest.raises(ValueError, match="threshold"):
            theme_matrix([], TURNS, PEOPLE, attribute="setting", threshold=threshold)


def _generated_study(seed):
    """Three settings, four focus groups of 5 to 8 participants, two coders."""
    rng = random.Random(seed)
    settings = ["perinatal", "addiction", "early_childhood"]
    people, turns, codings = [], [], []
    for group in range(4):
        document = f"fg{group}"
        members = [f"G{group}P{i}" for i in range(rng.randint(5, 8))]
        for pseudonym in members:
            people.append(Participant(pseudonym, {"setting": rng.choice(settings)}))
        position = 0
        for _turn in range(40):
            length = rng.randint(20, 120)
            speaker = rng.choice([*members, None])
            turns.append(Segment(document, position, position + length, speaker))
            position += length
        for coder in ("A", "B"):
            for _ in range(30):
                start = rng.randrange(position - 50)
                end = start + rng.randint(5, 150)
                codings.append(
                    Coding(coder, rng.choice("tuvwxyz"), document, start, min(end, position))
                )
    return people, turns, codings


@pytest.mark.parametrize("seed", [1, 2])
def test_matrix_equals_an_independent_count(seed):
    people, turns, codings = _generated_study(seed)
    matrix = theme_matrix(codings, turns, people, attribute="setting", threshold=0.3)

    setting = {p.pseudonym: p.attributes["setting"] for p in people}
    size = Counter(setting.values())
    # Character by character: who speaks at each position of each document.
    voice = {}
    for t in turns:
        for position in range(t.start, t.end):
            voice[(t.document, position)] = t.participant
    expected = {}
    for code in "tuvwxyz":
        for group in size:
            passages, who = [], set()
            for c in codings:
                speakers = {voice.get((c.document, p)) for p in range(c.start, c.end)}
                here = {s for s in speakers if s is not None and setting[s] == group}
                if c.code == code and here:
                    passages.append(c)
                    who |= here
            expected[(code, group)] = (Counter(passages), who, len(who) / size[group])

    assert set(matrix.groups) == set(size)
    assert [r.code for r in matrix.rows] == list("tuvwxyz")
    for row in matrix.rows:
        shares = {}
        for group, cell in row.cells.items():
            passages, who, share = expected[(row.code, group)]
            assert Counter(cell.codings) == passages
            assert cell.passages == sum(passages.values())
            assert cell.participants == who
            assert cell.share == pytest.approx(share)
            shares[group] = share
        assert row.convergent == all(s > 0 for s in shares.values())
        apart = {
            g
            for g in shares
            if all(shares[g] - shares[h] > 0.3 for h in shares if h != g)
            or all(shares[h] - shares[g] > 0.3 for h in shares if h != g)
        }
        assert set(row.divergent_groups) == apart
        assert row.divergent == bool(apart)


# --- co-occurrence ------------------------------------------------------------------------


def test_co_occurrence_counts_overlapping_pairs_of_one_coder():
    codings = [
        Coding("A", "x", "d", 0, 10),
        Coding("A", "y", "d", 5, 15),  # overlaps A's x on 5–9
        Coding("A", "z", "d", 10, 20),  # touches A's x at 10: no character in common
        Coding("B", "z", "d", 0, 3),  # another coder: not paired by default
        Coding("A", "y", "e", 0, 10),  # another document
    ]
    result = co_occurrence(codings)
    assert result.codes == ("x", "y", "z")
    assert result.counts[("x", "y")] == result.counts[("y", "x")] == 1
    assert result.pairs[("x", "y")] == ((codings[0], codings[1]),)
    assert result.counts[("y", "z")] == 1  # A's y [5,15) and z [10,20)
    assert result.counts[("x", "z")] == 0
    assert (result.counts[("x", "x")], result.counts[("y", "y")]) == (1, 2)
    across = co_occurrence(codings, same_coder=False)
    assert across.counts[("x", "z")] == 1  # B's z [0,3) inside A's x


overlapping = st.lists(
    st.builds(
        lambda coder, code, start, n: Coding(coder, code, "d", start, start + n),
        st.sampled_from("AB"),
        st.sampled_from("xyz"),
        st.integers(0, 40),
        st.integers(1, 15),
    ),
    max_size=25,
)


@given(overlapping, st.booleans())
def test_co_occurrence_is_symmetric_and_equals_a_pairwise_count(codings, same_coder):
    result = co_occurrence(codings, codes=["x", "y", "z"], same_coder=same_coder)
    expected = Counter()
    for a, b in combinations(codings, 2):
        shared = set(range(a.start, a.end)) & set(range(b.start, b.end))
        if shared and a.code != b.code and (a.coder == b.coder or not same_coder):
            expected[(a.code, b.code)] += 1
            expected[(b.code, a.code)] += 1
    for a in "xyz":
        for b in "xyz":
            if a == b:
                assert result.counts[(a, a)] == sum(c.code == a for c in codings)
            else:
                assert result.counts[(a, b)] == expected[(a, b)] == result.counts[(b, a)]
