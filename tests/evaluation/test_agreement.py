# Cohen's κ and Krippendorff's α are named by their Greek letters, as in the literature.
# ruff: noqa: RUF002
"""Agreement figures equal values worked out by hand, Krippendorff's published example,
and a plain per-character count; the bootstrap interval is reproducible."""

import math

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maillage.evaluation.agreement import (
    BLOCK,
    MAX_RESAMPLES,
    PACKAGE_ROWS_LIMIT,
    agreement,
    rating_agreement,
)
from maillage.evaluation.analysis import Coding, Document, Segment, Uncoded, Unit

N = None  # a missing judgement

# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the example with
# missing data: 4 observers, 12 units, values 1–5.
KRIPPENDORFF_EXAMPLE = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3],
    [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N],
]


def test_krippendorff_published_example_nominal_alpha_is_0_743():
    result = rating_agreement(KRIPPENDORFF_EXAMPLE, resamples=0)
    assert round(result.alpha.value, 3) == 0.743
    # 11 units have two values or more (unit 12 has one: not pairable).
    assert result.units == 11
    assert result.kappa is None  # four coders


def test_the_example_is_entered_right_ordinal_0_815_interval_0_849():
    # The same matrix, through the package at the other levels, gives the published values:
    # the input (including where the values are missing) is the published one.
    data = np.array(
        [[np.nan if v is None else v for v in row] for row in KRIPPENDORFF_EXAMPLE], dtype=float
    )
    assert round(krippendorff.alpha(data, level_of_measurement="nominal"), 3) == 0.743
    assert round(krippendorff.alpha(data, level_of_measurement="ordinal"), 3) == 0.815
    assert round(krippendorff.alpha(data, level_of_measurement="interval"), 3) == 0.849


def test_kappa_far_below_percent_agreement_when_a_code_is_rare():
    # 20 units; A says "x" on unit 0 only, B on unit 1 only.
    #            B:x  B:-
    #   A:x       0    1
    #   A:-       1   18
    # p_o = 18/20 = 0.90
    # p_A(x) = p_B(x) = 1/20 = 0.05
    # p_e = 0.05·0.05 + 0.95·0.95 = 0.0025 + 0.9025 = 0.905
    # κ = (0.90 − 0.905) / (1 − 0.905) = −0.005 / 0.095 = −1/19 ≈ −0.0526
    # α: coincidences o(-,-) = 18·2 = 36, o(x,-) = o(-,x) = 2, o(x,x) = 0; n_- = 38,
    #    n_x = 2, n = 40; α = 1 − (n − 1)·(o(x,-) + o(-,x)) / (2·n_x·n_-)
    #    = 1 − 39·4 / 152 = −4/152 ≈ −0.0263
    a = ["x"] + ["-"] * 19
    b = ["-", "x"] + ["-"] * 18
    result = rating_agreement([a, b], resamples=0)
    assert result.percent.value == pytest.approx(0.90)
    assert result.kappa.value == pytest.approx(-1 / 19)
    assert result.alpha.value == pytest.approx(-4 / 152)


def test_perfect_agreement_gives_kappa_and_alpha_of_one():
    # A = B on 5 units: p_o = 1; p_e = (2/5)² + (2/5)² + (1/5)² = 0.36; κ = 0.64/0.64 = 1.
    a = ["x", "y", "z", "x", "y"]
    result = rating_agreement([a, list(a)], resamples=0)
    assert result.percent.value == 1
    assert result.kappa.value == pytest.approx(1)
    assert result.alpha.value == pytest.approx(1)


def test_kappa_with_a_category_only_one_coder_used():
    # B never uses "z".
    #            B:x  B:y  B:z
    #   A:x       2    0    0
    #   A:y       0    2    0
    #   A:z       0    2    0
    # p_o = 4/6 = 2/3
    # p_A = (1/3, 1/3, 1/3), p_B = (1/3, 2/3, 0)
    # p_e = 1/3·1/3 + 1/3·2/3 + 1/3·0 = 1/9 + 2/9 = 1/3
    # κ = (2/3 − 1/3) / (1 − 1/3) = 0.5
    a = ["x", "x", "y", "y", "z", "z"]
    b = ["x", "x", "y", "y", "y", "y"]
    result = rating_agreement([a, b], resamples=0)
    assert result.percent.value == pytest.approx(2 / 3)
    assert result.kappa.value == pytest.approx(0.5)


def test_percent_agreement_of_three_coders_counts_agreeing_pairs():
    # Unit 1: x x x → 3 agreeing pairs of 3; unit 2: x x y → 1 of 3; unit 3: x y N → 0 of 1;
    # unit 4: x N N → no pair. Pooled: (3 + 1 + 0) / (3 + 3 + 1) = 4/7.
    ratings = [["x", "x", "x", "x"], ["x", "x", "y", N], ["x", "y", N, N]]
    result = rating_agreement(ratings, resamples=0)
    assert result.percent.value == pytest.approx(4 / 7)
    assert result.units == 3


def test_one_category_everywhere_leaves_kappa_and_alpha_undefined():
    result = rating_agreement([["x", "x"], ["x", "x"]], resamples=0)
    assert result.percent.value == 1
    assert result.kappa.value is None
    assert result.alpha.value is None


# --- codings ---------------------------------------------------------------------------

TWENTY = [Document("d", 20)]
OVERLAPPING = [Coding("A", "x", "d", 0, 10), Coding("B", "x", "d", 5, 15)]
TURNS = [Segment("d", i, i + 5, f"P{i}") for i in (0, 5, 10, 15)]


def test_character_level_counting_uncoded_text():
    # Characters 0–4: A only; 5–9: both; 10–14: B only; 15–19: nobody.
    # p_o = (5 + 5) / 20 = 0.5; p_A(x) = p_B(x) = 0.5; p_e = 0.25 + 0.25 = 0.5; κ = 0.
    report = agreement(OVERLAPPING, TWENTY, uncoded=Uncoded.COUNTED, resamples=0)
    x = report.per_code["x"]
    assert report.uncoded is Uncoded.COUNTED and report.unit is Unit.CHARACTER
    assert x.units == 20
    assert x.percent.value == pytest.approx(0.5)
    assert x.kappa.value == pytest.approx(0)


def test_character_level_excluding_uncoded_text():
    # Characters 15–19 (nobody coded them) leave: 15 units.
    # p_o = 5/15 = 1/3; p_A(x) = p_B(x) = 10/15 = 2/3
    # p_e = 2/3·2/3 + 1/3·1/3 = 5/9; κ = (1/3 − 5/9) / (4/9) = −0.5
    report = agreement(OVERLAPPING, TWENTY, uncoded=Uncoded.EXCLUDED, resamples=0)
    x = report.per_code["x"]
    assert report.uncoded is Uncoded.EXCLUDED
    assert x.units == 15
    assert x.percent.value == pytest.approx(1 / 3)
    assert x.kappa.value == pytest.approx(-0.5)


def test_segment_level_judges_each_turn_by_overlap():
    # Turns [0,5) [5,10) [10,15) [15,20): A's coding touches turns 1–2, B's turns 2–3.
    # Counted: A only, both, B only, nobody → p_o = 2/4, κ = 0 (marginals 1/2 and 1/2).
    # Excluded: the last turn leaves → p_o = 1/3, κ = −0.5 (as at character level above).
    counted = agreement(
        OVERLAPPING,
        TWENTY,
        unit=Unit.SEGMENT,
        segments=TURNS,
        uncoded=Uncoded.COUNTED,
        resamples=0,
    )
    assert counted.per_code["x"].units == 4
    assert counted.per_code["x"].percent.value == pytest.approx(0.5)
    assert counted.per_code["x"].kappa.value == pytest.approx(0)
    excluded = agreement(OVERLAPPING, TWENTY, unit="segment", segments=TURNS, resamples=0)
    assert excluded.per_code["x"].units == 3
    assert excluded.per_code["x"].kappa.value == pytest.approx(-0.5)


def test_overall_pools_unit_code_pairs():
    # Code y: both coders code characters 0–9 alike. Excluded text: 15 units (0–14).
    # x: 5 of 15 agree; y: 15 of 15 agree (0–9 both present, 10–14 both absent).
    # Overall, 30 unit × code pairs: (5 + 15) / 30 = 2/3.
    codings = [*OVERLAPPING, Coding("A", "y", "d", 0, 10), Coding("B", "y", "d", 0, 10)]
    report = agreement(codings, TWENTY, resamples=0)
    assert report.codes == ("x", "y")
    assert report.per_code["y"].percent.value == 1
    assert report.overall.units == 30
    assert report.overall.percent.value == pytest.approx(2 / 3)
    # Overall table: both present 5 + 10 = 15, A only 5, B only 5, both absent 5.
    # p_o = 20/30; p_A = p_B = 20/30; p_e = 4/9 + 1/9 = 5/9; κ = (2/3 − 5/9)/(4/9) = 0.25
    assert report.overall.kappa.value == pytest.approx(0.25)


def test_a_coder_who_did_not_code_a_document_is_missing_there_not_absent():
    docs = [Document("d1", 10), Document("d2", 10)]
    codings = [
        Coding("A", "x", "d1", 0, 5),
        Coding("B", "x", "d1", 0, 5),
        Coding("A", "x", "d2", 0, 5),
        Coding("B", "x", "d2", 5, 10),
        Coding("C", "x", "d1", 0, 5),  # C coded d1 only
    ]
    counted = {"uncoded": Uncoded.COUNTED, "resamples": 0}
    report = agreement(codings, docs, **counted)
    # d1: 10 characters × 3 pairs, all agree; d2: 10 characters × 1 pair (A, B), none agree.
    assert report.overall.percent.value == pytest.approx(30 / 40)
    # Said explicitly that C coded d2 and found nothing there: C's "absent" now counts.
    everyone = ["A", "B", "C"]
    told = agreement(codings, docs, coded_documents={"d1": everyone, "d2": everyone}, **counted)
    # d2: A|B disagree, A|C and B|C agree on half the characters each: 0 + 5 + 5 of 30.
    assert told.overall.percent.value == pytest.approx((30 + 10) / 60)


def test_coders_and_codes_can_be_chosen():
    codings = [
        *OVERLAPPING,
        Coding("C", "x", "d", 0, 10),
        Coding("A", "y", "d", 0, 3),
    ]
    report = agreement(
        codings, TWENTY, coders=["A", "C"], codes=["x"], uncoded="counted", resamples=0
    )
    assert report.coders == ("A", "C") and report.codes == ("x",)
    # A and C both coded 0–9 and nothing else: perfect agreement, both categories used.
    assert report.per_code["x"].kappa.value == pytest.approx(1)


def test_a_coding_past_the_end_of_its_document_is_refused():
    with pytest.raises(ValueError, match="past the end"):
        agreement([Coding("A", "x", "d", 10, 21)], TWENTY)


def test_bad_spans_and_resample_counts_are_refused():
    with pytest.raises(ValueError):
        Coding("A", "x", "d", 5, 5)
    with pytest.raises(ValueError):
        Segment("d", -1, 3, None)
    with pytest.raises(ValueError, match="resamples"):
        agreement(OVERLAPPING, TWENTY, resamples=MAX_RESAMPLES + 1)


# --- bootstrap -------------------------------------------------------------------------


def _study(seed, length=6_000, n_codings=120):
    """A document with turns and two coders who agree on most passages."""
    rng = np.random.default_rng(seed)
    turns, start = [], 0
    while start < length:
        end = min(length, start + int(rng.integers(80, 400)))
        turns.append(Segment("d", start, end, f"P{len(turns) % 6}"))
        start = end
    codings = []
    for _ in range(n_codings):
        code = f"c{rng.integers(0, 4)}"
        s = int(rng.integers(0, length - 300))
        e = s + int(rng.integers(30, 300))
        codings.append(Coding("A", code, "d", s, e))
        if rng.random() < 0.8:  # B mostly sees the same passage, with ragged edges
            shift = int(rng.integers(-20, 20))
            codings.append(Coding("B", code, "d", max(0, s + shift), min(length, e + shift)))
    return codings, [Document("d", length)], turns


def test_bootstrap_interval_contains_the_estimate_and_repeats_with_the_seed():
    codings, docs, turns = _study(1)
    first = agreement(codings, docs, segments=turns, resamples=400, seed=7)
    again = agreement(codings, docs, segments=turns, resamples=400, seed=7)
    other = agreement(codings, docs, segments=turns, resamples=400, seed=8)
    assert first == again
    assert first.resamples == 400 and first.seed == 7 and first.confidence == 0.95
    for result in [first.overall, *first.per_code.values()]:
        for estimate in (result.percent, result.kappa, result.alpha):
            assert estimate.low <= estimate.value <= estimate.high
            assert estimate.low < estimate.high
    assert other.overall.alpha != first.overall.alpha


def test_segment_level_bootstrap_too():
    codings, docs, turns = _study(2)
    report = agreement(codings, docs, unit=Unit.SEGMENT, segments=turns, resamples=300, seed=3)
    alpha = report.overall.alpha
    assert alpha.low <= alpha.value <= alpha.high


def test_without_resamples_there_is_no_interval():
    x = agreement(OVERLAPPING, TWENTY, resamples=0).per_code["x"]
    assert (x.percent.low, x.percent.high) == (None, None)


# --- against a plain count, character by character ---------------------------------------


def _plain(codings, documents, coders, codes, uncoded):
    """Per character, per code: each coder's 0/1, or nan when they did not code the
    document. Returns the reliability data per code (coders × units)."""
    judged = {(c.coder, c.document) for c in codings}
    columns = {code: [] for code in codes}
    for d in documents:
        for position in range(d.length):
            row = {
                code: [
                    float(
                        any(
                            c.coder == coder
                            and c.code == code
                            and c.document == d.id
                            and c.start <= position < c.end
                            for c in codings
                        )
                    )
                    if (coder, d.id) in judged
                    else math.nan
                    for coder in coders
                ]
                for code in codes
            }
            coded = any(v == 1 for values in row.values() for v in values)
            if uncoded is Uncoded.EXCLUDED and not coded:
                continue
            for code in codes:
                columns[code].append(row[code])
    return {
        code: np.array(cols, dtype=float).T.reshape(len(coders), -1)
        for code, cols in columns.items()
    }


def _plain_percent(data):
    agree = pairs = 0
    for unit in data.T:
        values = unit[~np.isnan(unit)]
        for i in range(len(values)):
            for j in range(i + 1, len(values)):
                pairs += 1
                agree += values[i] == values[j]
    return agree / pairs if pairs else None


def _plain_kappa(data):
    both = data[:, ~np.isnan(data).any(axis=0)]
    if both.shape[1] == 0:
        return None
    a, b = both
    p_o = np.mean(a == b)
    p_e = sum(np.mean(a == k) * np.mean(b == k) for k in (0, 1))
    return None if p_e == 1 else (p_o - p_e) / (1 - p_e)


def _plain_alpha(data):
    pairable = data[:, (~np.isnan(data)).sum(axis=0) >= 2]
    if len(set(pairable[~np.isnan(pairable)])) < 2:
        return None  # nothing to compare, or one category only: α undefined
    return krippendorff.alpha(data, value_domain=[0.0, 1.0], level_of_measurement="nominal")


def _same(value, expected):
    return value is None if expected is None else value == pytest.approx(expected)


spans = st.tuples(
    st.sampled_from("ABC"),
    st.sampled_from("xy"),
    st.sampled_from(["d1", "d2"]),
    st.integers(0, 24),
    st.integers(1, 10),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(spans, min_size=1, max_size=12),
    st.sampled_from(list(Uncoded)),
    st.sampled_from([("A", "B"), ("A", "B", "C")]),
)
def test_character_level_equals_a_plain_count(raw, uncoded, coders):
    documents = [Document("d1", 30), Document("d2", 17)]
    lengths = {d.id: d.length for d in documents}
    codings = [
        Coding(coder, code, doc, min(s, lengths[doc] - 1), min(s + n, lengths[doc]))
        for coder, code, doc, s, n in raw
    ]
    codings = [c for c in codings if c.coder in coders]
    report = agreement(
        codings, documents, coders=list(coders), codes=["x", "y"], uncoded=uncoded, resamples=0
    )
    plain = _plain(codings, documents, coders, ["x", "y"], uncoded)
    pooled = np.concatenate([plain["x"], plain["y"]], axis=1)
    for result, data in [
        (report.per_code["x"], plain["x"]),
        (report.per_code["y"], plain["y"]),
        (report.overall, pooled),
    ]:
        assert result.units == int(((~np.isnan(data)).sum(axis=0) >= 2).sum())
        assert _same(result.percent.value, _plain_percent(data))
        assert _same(result.alpha.value, _plain_alpha(data))
        if len(coders) == 2:
            assert _same(result.kappa.value, _plain_kappa(data))
        else:
            assert result.kappa is None


def test_long_text_alpha_equals_the_package_on_every_character():
    # Past PACKAGE_ROWS_LIMIT characters α comes from the summed coincidences: the same
    # value as the package given every character, with three coders and C missing on "e".
    length = PACKAGE_ROWS_LIMIT + 7 * BLOCK + 123
    codings = [
        Coding("A", "x", "d", 0, 30_000),
        Coding("B", "x", "d", 10_000, 40_000),
        Coding("C", "x", "d", 20_000, 35_000),
        Coding("A", "x", "d", 45_000, 52_000),
        Coding("B", "x", "d", 45_500, 51_000),
        Coding("A", "x", "e", 0, 600),
        Coding("B", "x", "e", 300, 1_000),
    ]
    documents = [Document("d", length), Document("e", 1_000)]
    report = agreement(codings, documents, uncoded="counted", resamples=0)
    data = np.zeros((3, length + 1_000))
    data[0, 0:30_000] = data[0, 45_000:52_000] = data[0, length : length + 600] = 1
    data[1, 10_000:40_000] = data[1, 45_500:51_000] = data[1, length + 300 :] = 1
    data[2, 20_000:35_000] = 1
    data[2, length:] = np.nan
    expected = krippendorff.alpha(data, level_of_measurement="nominal")
    assert report.per_code["x"].alpha.value == pytest.approx(expected)


# --- properties ----------------------------------------------------------------------------

ratings = st.lists(st.sampled_from("abc"), min_size=2, max_size=30)


@given(ratings)
def test_identical_coders_have_alpha_and_kappa_of_one(values):
    result = rating_agreement([values, list(values), list(values)], resamples=0)
    pair = rating_agreement([values, list(values)], resamples=0)
    if len(set(values)) > 1:
        assert result.alpha.value == pytest.approx(1)
        assert pair.kappa.value == pytest.approx(1)
    else:
        assert result.alpha.value is None and pair.kappa.value is None
    assert result.percent.value == 1


@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("abc")), min_size=1))
def test_kappa_and_alpha_are_symmetric_in_the_coders(pairs):
    a, b = [p[0] for p in pairs], [p[1] for p in pairs]
    forward = rating_agreement([a, b], resamples=0)
    backward = rating_agreement([b, a], resamples=0)
    assert forward.kappa.value == pytest.approx(backward.kappa.value)
    assert forward.alpha.value == pytest.approx(backward.alpha.value)
