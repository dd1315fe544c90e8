# The statistics are named by their Greek letters (κ, α) and tables by ×, as in the literature.
# ruff: noqa: RUF002
"""Agreement between coders: percent agreement, Cohen's κ, Krippendorff's α.

The definitions (docs/evaluation.md, "How agreement is computed", says the same for readers):

Units and judgements
    Character level: every character of every compared document is a unit. Segment level:
    every speaker turn (`Segment`) is a unit, and a coder applied a code to it when one of
    the coder's codings of that code shares at least one character with the turn; text
    outside every turn is not a unit at that level.
    For one code, each coder judges each unit *present* or *absent*: two categories.
    A coder judges only the documents they coded (`coded_documents`; by default, the
    documents where they made at least one coding, of any code): elsewhere their judgement
    is *missing*, not "absent", and only Krippendorff's α uses units with missing values.

Uncoded text (the `uncoded` parameter, echoed in the report)
    A unit is uncoded when no compared coder applied any compared code to it.
    `Uncoded.COUNTED` keeps such units (every coder agrees there: "absent" for every code),
    which raises every figure with the share of text nobody coded; `Uncoded.EXCLUDED`
    (the default) drops them, so that only text someone judged codable is compared.

Per code and overall
    Per code: the units above, categories absent/present. Overall: every (unit, code) pair
    is one judgement, the same two categories; so the overall tables are the sums of the
    per-code tables. Per document or per setting: the caller passes only those documents,
    codings and turns.

The statistics
    Percent agreement: among all pairs of coders who both judged a unit, the share that
    agree, pooled over units (for two coders: the share of units where they agree).
    Cohen's κ (exactly two coders; units both judged): κ = (p_o − p_e) / (1 − p_e), p_o the
    observed share of agreement, p_e = Σ_k p_1k · p_2k over the categories k, p_ck the
    share of units coder c put in category k (Cohen 1960).
    Krippendorff's α, nominal: α = 1 − D_o / D_e from the coincidence matrix of all
    pairable values (any number of coders, missing values allowed); computed by the
    `krippendorff` package with `level_of_measurement="nominal"` (its default is
    interval, wrong for codes). Undefined statistics (nothing to compare, or every
    judgement in one category so that chance agreement is total) are None.

Bootstrap 95 % interval
    Percentile interval (2.5th and 97.5th percentiles) of `resamples` replicates. Neighbouring
    characters are not independent judgements, so what is resampled, with replacement, is
    clusters of units: speaker turns (at character level, the characters of a turn move
    together; characters outside every turn in blocks of `BLOCK` characters) and, at segment
    level, turns. The same drawn clusters serve every code and the overall figures. The
    draws come from `numpy.random.default_rng(seed)`: the same seed, the same interval.
    Work is bounded: at most `MAX_RESAMPLES` replicates, each a weighted sum of per-cluster
    tables (a matrix product), never a re-scan of the text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import krippendorff
import numpy as np

from .analysis import (
    Agreement,
    AgreementReport,
    Coding,
    Document,
    Estimate,
    Segment,
    Uncoded,
    Unit,
)

DEFAULT_RESAMPLES = 1_000
MAX_RESAMPLES = 10_000
# Characters outside every speaker turn are resampled in blocks of this many characters.
BLOCK = 1_000
CONFIDENCE = 0.95
# Above this many value-count rows the point α comes from the same coincidence formula the
# bootstrap uses, instead of the package (which holds a units × categories² array in memory).
PACKAGE_ROWS_LIMIT = 50_000
# Value-count rows of pairable units (units × categories) and how many units each stands for.
_Rows = tuple[np.ndarray, np.ndarray]
# Replicates drawn per matrix product: bounds memory whatever `resamples` is.
_BATCH = 250
_MISSING = -1


def _sorted(items: Iterable[Hashable]) -> list[Hashable]:
    unique = set(items)
    try:
        return sorted(unique)  # type: ignore[type-var]
    except TypeError:
        return sorted(unique, key=repr)


# ---------------------------------------------------------------------------------------
# Sufficient statistics: per cluster of units, the few counts every statistic needs.
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    """Where each statistic sits in a row of per-cluster counts, for K categories."""

    categories: int
    two_coders: bool

    @property
    def width(self) -> int:
        k2 = self.categories**2
        # agreeing pairs, all pairs, pairable units, coincidences (K×K), Cohen's table (K×K)
        return 3 + k2 + (k2 if self.two_coders else 0)


def _cluster_counts(
    values: np.ndarray,
    clusters: np.ndarray,
    n_clusters: int,
    layout: _Layout,
    weights: np.ndarray | None = None,
) -> tuple[np.ndarray, _Rows]:
    """values: coders × units (category index, or -1 when missing); clusters: unit → cluster;
    weights: how many identical units each column stands for (runs of characters).

    Returns the per-cluster counts (n_clusters × layout.width) and the value-count rows of
    the pairable units, with their weights, for the package.
    """
    k = layout.categories
    if weights is None:
        weights = np.ones(values.shape[1])
    out = np.zeros((n_clusters, layout.width))
    counts = np.stack([(values == c).sum(axis=0) for c in range(k)], axis=1)  # units × K
    m = counts.sum(axis=1)
    pairable = m >= 2
    counts, m, cl, w = counts[pairable], m[pairable], clusters[pairable], weights[pairable]

    def per_cluster(per_unit: np.ndarray) -> np.ndarray:
        return np.bincount(cl, weights=per_unit * w, minlength=n_clusters)

    out[:, 0] = per_cluster((counts * (counts - 1)).sum(axis=1) / 2)
    out[:, 1] = per_cluster(m * (m - 1) / 2)
    out[:, 2] = per_cluster(np.ones(len(m)))
    for a in range(k):
        for b in range(k):
            pairs = counts[:, a] * (counts[:, b] - (1 if a == b else 0))
            out[:, 3 + a * k + b] = per_cluster(pairs / (m - 1))
    if layout.two_coders:
        first, second = values[0], values[1]
        both = (first >= 0) & (second >= 0)
        cell = first[both].astype(np.int64) * k + second[both]
        table = np.bincount(
            clusters[both].astype(np.int64) * k * k + cell,
            weights=weights[both],
            minlength=n_clusters * k * k,
        )
        out[:, 3 + k * k :] = table.reshape(n_clusters, k * k)
    return out, (counts, w)


def _percent(stats: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(stats[..., 1] > 0, stats[..., 0] / stats[..., 1], np.nan)


def _alpha(stats: np.ndarray, k: int) -> np.ndarray:
    """Nominal α from summed coincidences: 1 − (n − 1) Σ_{c≠k} o_ck / Σ_{c≠k} n_c n_k."""
    o = stats[..., 3 : 3 + k * k].reshape((*stats.shape[:-1], k, k))
    n_c = o.sum(axis=-1)
    n = n_c.sum(axis=-1)
    disagreeing = n - np.trace(o, axis1=-2, axis2=-1)
    expected = n**2 - (n_c**2).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        alpha = 1 - (n - 1) * disagreeing / expected
    return np.where(expected > 1e-9, alpha, np.nan)


def _kappa(stats: np.ndarray, k: int) -> np.ndarray:
    """Cohen's κ = (p_o − p_e) / (1 − p_e), p_e = Σ_k p_1k p_2k."""
    t = stats[..., 3 + k * k :].reshape((*stats.shape[:-1], k, k))
    total = t.sum(axis=(-2, -1))
    with np.errstate(invalid="ignore", divide="ignore"):
        p_o = np.trace(t, axis1=-2, axis2=-1) / total
        p_e = (t.sum(axis=-1) * t.sum(axis=-2)).sum(axis=-1) / total**2
        kappa = (p_o - p_e) / (1 - p_e)
    return np.where((total > 0) & (1 - p_e > 1e-12), kappa, np.nan)


def _package_alpha(rows: Sequence[_Rows], k: int, stats: np.ndarray) -> float:
    """The point α through the `krippendorff` package (nominal, said explicitly).

    The package takes one row per unit; past PACKAGE_ROWS_LIMIT units (long texts at
    character level) the same nominal formula is applied to the summed coincidences the
    bootstrap uses — tests check that both give the package's value.
    """
    formula = float(_alpha(stats, k))
    if np.isnan(formula):
        return formula  # the package would warn and answer nan: the caller says None
    total = sum(float(w.sum()) for _, w in rows)
    if total > PACKAGE_ROWS_LIMIT:
        return formula
    value_counts = np.concatenate([np.repeat(c, w.astype(np.int64), axis=0) for c, w in rows])
    return float(
        krippendorff.alpha(
            value_counts=value_counts,
            value_domain=list(range(k)),
            level_of_measurement="nominal",
        )
    )


def _number(x: float) -> float | None:
    return None if np.isnan(x) else float(x)


def _interval(replicates: np.ndarray) -> tuple[float | None, float | None]:
    defined = replicates[~np.isnan(replicates)]
    # Fewer than 40 defined replicates leave the 2.5th percentile to a single draw.
    if len(defined) < 40:
        return None, None
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.percentile(defined, [tail, 100 - tail])
    return float(low), float(high)


def _bootstrap(
    tables: Sequence[np.ndarray], layout: _Layout, resamples: int, seed: int
) -> list[dict[str, tuple[float | None, float | None]]]:
    """Resample clusters once per replicate, for every table (codes, overall) together."""
    if resamples <= 0 or not tables or tables[0].shape[0] == 0:
        return [
            {"percent": (None, None), "kappa": (None, None), "alpha": (None, None)} for _ in tables
        ]
    k = layout.categories
    n_clusters = tables[0].shape[0]
    stacked = np.concatenate(tables, axis=1)  # clusters × (tables · width)
    rng = np.random.default_rng(seed)
    drawn: list[np.ndarray] = []
    remaining = resamples
    while remaining > 0:
        batch = min(_BATCH, remaining)
        weights = rng.multinomial(n_clusters, np.full(n_clusters, 1 / n_clusters), size=batch)
        # Both operands in float64, so that the product goes to BLAS.
        drawn.append(weights.astype(np.float64) @ stacked)
        remaining -= batch
    replicated = np.concatenate(drawn).reshape(resamples, len(tables), layout.width)
    results = []
    for i in range(len(tables)):
        stats = replicated[:, i, :]
        results.append(
            {
                "percent": _interval(_percent(stats)),
                "kappa": _interval(_kappa(stats, k)) if layout.two_coders else (None, None),
                "alpha": _interval(_alpha(stats, k)),
            }
        )
    return results


def _agreements(
    keyed: Sequence[tuple[Hashable | None, np.ndarray, Sequence[_Rows]]],
    layout: _Layout,
    resamples: int,
    seed: int,
) -> list[Agreement]:
    """keyed: (code, per-cluster counts, value-count rows) → one Agreement each."""
    k = layout.categories
    intervals = _bootstrap([table for _, table, _ in keyed], layout, resamples, seed)
    results = []
    for (code, table, rows), ci in zip(keyed, intervals, strict=True):
        total = table.sum(axis=0)
        kappa = None
        if layout.two_coders:
            kappa = Estimate(_number(float(_kappa(total, k))), *ci["kappa"])
        results.append(
            Agreement(
                code=code,
                units=int(total[2]),
                percent=Estimate(_number(float(_percent(total))), *ci["percent"]),
                kappa=kappa,
                alpha=Estimate(_number(_package_alpha(rows, k, total)), *ci["alpha"]),
            )
        )
    return results


def _check_resamples(resamples: int) -> None:
    if not 0 <= resamples <= MAX_RESAMPLES:
        raise ValueError(f"resamples must be between 0 and {MAX_RESAMPLES}, got {resamples}")


# ---------------------------------------------------------------------------------------
# Ratings: coders × units of nominal categories (the textbook form of reliability data)
# ---------------------------------------------------------------------------------------


def rating_agreement(
    ratings: Sequence[Sequence[Hashable | None]],
    *,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> Agreement:
    """Agreement on reliability data: one row per coder, one column per unit, each cell
    the category the coder chose for the unit, or None when missing.

    Categories are nominal. Units are resampled one by one for the interval. Cohen's κ
    is given when there are exactly two rows.
    """
    _check_resamples(resamples)
    if not ratings:
        raise ValueError("ratings: need at least one coder")
    n_units = len(ratings[0])
    if any(len(row) != n_units for row in ratings):
        raise ValueError("ratings: every coder needs one value per unit")
    categories = _sorted(v for row in ratings for v in row if v is not None)
    index = {c: i for i, c in enumerate(categories)}
    values = np.array(
        [[_MISSING if v is None else index[v] for v in row] for row in ratings], dtype=np.int64
    ).reshape(len(ratings), n_units)
    layout = _Layout(categories=max(len(categories), 1), two_coders=len(ratings) == 2)
    table, rows = _cluster_counts(values, np.arange(n_units), n_units, layout)
    return _agreements([(None, table, [rows])], layout, resamples, seed)[0]


# ---------------------------------------------------------------------------------------
# Codings: character and segment level
# ---------------------------------------------------------------------------------------


def agreement(
    codings: Iterable[Coding],
    documents: Iterable[Document],
    *,
    unit: Unit = Unit.CHARACTER,
    segments: Iterable[Segment] = (),
    uncoded: Uncoded = Uncoded.EXCLUDED,
    coders: Sequence[Hashable] | None = None,
    codes: Sequence[Hashable] | None = None,
    coded_documents: Mapping[Hashable, Collection[Hashable]] | None = None,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
) -> AgreementReport:
    """Agreement between coders on `documents`, per code and overall (module docstring).

    `coders` / `codes`: which to compare (default: every coder / code in `codings`).
    `coded_documents`: document → the coders who coded it; by default a coder coded a
    document when they made at least one coding in it. `segments`: the speaker turns —
    the units at segment level, the resampled clusters at both levels. Codings and turns
    of documents not in `documents` are left out. A coding or turn past the end of its
    document raises ValueError.
    """
    _check_resamples(resamples)
    unit, uncoded = Unit(unit), Uncoded(uncoded)
    docs = list(documents)
    lengths = {d.id: d.length for d in docs}
    if len(lengths) != len(docs):
        raise ValueError("documents: each document once")
    all_codings = [c for c in codings if c.document in lengths]
    turns = [s for s in segments if s.document in lengths]
    spans: list[Coding | Segment] = [*all_codings, *turns]
    for item in spans:
        if item.end > lengths[item.document]:
            raise ValueError(
                f"{type(item).__name__} {item.start}–{item.end} ends past the end of document "
                f"{item.document!r} ({lengths[item.document]} characters)"
            )
    coder_list = list(coders) if coders is not None else _sorted(c.coder for c in all_codings)
    code_list = list(codes) if codes is not None else _sorted(c.code for c in all_codings)
    if len(set(coder_list)) != len(coder_list) or len(set(code_list)) != len(code_list):
        raise ValueError("coders and codes must not repeat")
    if coded_documents is None:
        judged: dict[Hashable, set[Hashable]] = defaultdict(set)
        for c in all_codings:
            judged[c.document].add(c.coder)
    else:
        judged = {d: set(cs) for d, cs in coded_documents.items()}

    coder_index = {c: i for i, c in enumerate(coder_list)}
    code_index = {c: i for i, c in enumerate(code_list)}
    compared = [c for c in all_codings if c.coder in coder_index and c.code in code_index]

    if unit is Unit.CHARACTER:
        present, judged_mask, clusters, weights = _characters(
            docs, compared, turns, coder_index, code_index, judged
        )
    else:
        present, judged_mask, clusters, weights = _segments(
            docs, compared, turns, coder_index, code_index, judged
        )
    # present: codes × coders × units (bool); judged_mask: coders × units (bool);
    # weights: how many characters (or turns) each unit column stands for.

    if uncoded is Uncoded.EXCLUDED and present.size:
        keep = (present & judged_mask[np.newaxis]).any(axis=(0, 1))
        present, judged_mask = present[:, :, keep], judged_mask[:, keep]
        clusters, weights = clusters[keep], weights[keep]
    # Compact the cluster ids of the units left, so that resampling draws only real clusters.
    kept_clusters, clusters = np.unique(clusters, return_inverse=True)
    n_clusters = len(kept_clusters)

    layout = _Layout(categories=2, two_coders=len(coder_list) == 2)
    keyed: list[tuple[Hashable | None, np.ndarray, Sequence[_Rows]]] = []
    for i, code in enumerate(code_list):
        values = np.where(judged_mask, present[i].astype(np.int64), _MISSING)
        table, rows = _cluster_counts(values, clusters, n_clusters, layout, weights)
        keyed.append((code, table, [rows]))
    if keyed:
        overall_table = np.sum([table for _, table, _ in keyed], axis=0)
        overall_rows = [r for _, _, rows in keyed for r in rows]
    else:
        overall_table = np.zeros((n_clusters, layout.width))
        overall_rows = [(np.zeros((0, 2), dtype=np.int64), np.zeros(0))]
    results = _agreements([*keyed, (None, overall_table, overall_rows)], layout, resamples, seed)
    return AgreementReport(
        unit=unit,
        uncoded=uncoded,
        coders=tuple(coder_list),
        codes=tuple(code_list),
        documents=tuple(d.id for d in docs),
        overall=results[-1],
        per_code={r.code: r for r in results[:-1]},
        resamples=resamples,
        seed=seed,
        confidence=CONFIDENCE,
    )


_Judgements = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _characters(
    docs: list[Document],
    compared: list[Coding],
    turns: list[Segment],
    coder_index: dict[Hashable, int],
    code_index: dict[Hashable, int],
    judged: Mapping[Hashable, set[Hashable]],
) -> _Judgements:
    """Every character a unit; clusters are turns, and blocks of the text outside them.

    Characters between two consecutive boundaries (a coding's or a turn's start or end, a
    document's or a block's edge) are judged alike by every coder for every code and lie
    in one cluster, so each such run is one column weighted by its length: the work grows
    with the number of codings, not with the length of the text.
    """
    offsets, total = {}, 0
    for d in docs:
        offsets[d.id] = total
        total += d.length
    edges = [np.array([0, total])]
    for d in docs:
        edges.append(np.arange(offsets[d.id], offsets[d.id] + d.length, BLOCK))
    edges.append(np.array([offsets[c.document] + p for c in compared for p in (c.start, c.end)]))
    edges.append(np.array([offsets[s.document] + p for s in turns for p in (s.start, s.end)]))
    bounds = np.unique(np.concatenate(edges).astype(np.int64))
    run_start, weights = bounds[:-1], np.diff(bounds).astype(np.float64)
    n_runs = len(run_start)

    n_codes, n_coders = len(code_index), len(coder_index)
    # Coverage by difference arrays over runs: +1 at a coding's first run, −1 after its
    # last, then a running sum; a run is coded when the sum is positive.
    present = np.zeros((n_codes, n_coders, n_runs), dtype=bool)
    by_code: dict[int, list[Coding]] = defaultdict(list)
    for c in compared:
        by_code[code_index[c.code]].append(c)
    for code_i, group in by_code.items():
        diff = np.zeros((n_coders, n_runs + 1), dtype=np.int32)
        coder_i = np.array([coder_index[c.coder] for c in group])
        first = np.searchsorted(bounds, [offsets[c.document] + c.start for c in group])
        after = np.searchsorted(bounds, [offsets[c.document] + c.end for c in group])
        np.add.at(diff, (coder_i, first), 1)
        np.add.at(diff, (coder_i, after), -1)
        present[code_i] = np.cumsum(diff, axis=1, dtype=np.int32)[:, :n_runs] > 0

    judged_mask = np.zeros((n_coders, n_runs), dtype=bool)
    doc_of_run = np.zeros(n_runs, dtype=np.int64)
    for i, d in enumerate(docs):
        lo, hi = np.searchsorted(bounds, [offsets[d.id], offsets[d.id] + d.length])
        doc_of_run[lo:hi] = i
        for coder in judged.get(d.id, ()):
            if coder in coder_index:
                judged_mask[coder_index[coder], lo:hi] = True

    # Outside turns: one cluster per (document, block); negative, never a turn's index.
    doc_offset = np.array([offsets[d.id] for d in docs] or [0], dtype=np.int64)[doc_of_run]
    clusters = -((run_start - doc_offset) // BLOCK + doc_offset + 1)
    for i, s in enumerate(turns):
        lo, hi = np.searchsorted(
            bounds, [offsets[s.document] + s.start, offsets[s.document] + s.end]
        )
        clusters[lo:hi] = i
    return present, judged_mask, clusters, weights


def _segments(
    docs: list[Document],
    compared: list[Coding],
    turns: list[Segment],
    coder_index: dict[Hashable, int],
    code_index: dict[Hashable, int],
    judged: Mapping[Hashable, set[Hashable]],
) -> _Judgements:
    """Every turn a unit (and its own cluster); a code applies when a coding overlaps it."""
    n_codes, n_coders, n_turns = len(code_index), len(coder_index), len(turns)
    present = np.zeros((n_codes, n_coders, n_turns), dtype=bool)
    by_document: dict[Hashable, list[int]] = defaultdict(list)
    for i, s in enumerate(turns):
        by_document[s.document].append(i)
    spans = {
        d: (
            np.array(idx),
            np.array([turns[i].start for i in idx]),
            np.array([turns[i].end for i in idx]),
        )
        for d, idx in by_document.items()
    }
    for c in compared:
        if c.document not in spans:
            continue
        idx, starts, ends = spans[c.document]
        hit = idx[(starts < c.end) & (ends > c.start)]
        present[code_index[c.code], coder_index[c.coder], hit] = True
    judged_mask = np.zeros((n_coders, n_turns), dtype=bool)
    for i, s in enumerate(turns):
        for coder in judged.get(s.document, ()):
            if coder in coder_index:
                judged_mask[coder_index[coder], i] = True
    return present, judged_mask, np.arange(n_turns), np.ones(n_turns)
