"""How long coder agreement and the matrix take on a long transcript.

    python -m benchmarks.agreement [--runs 5]

Builds a focus-group transcript of 20,000 words (about 120,000 characters, 300 speaker
turns of 8 participants in 3 settings) with 1,000 codings of 30 codes by two coders who
mostly code the same passages with ragged edges, then a 100,000-word one with 5,000
codings (ratio 5: linear). Prints the median of several runs of `agreement()` at character
and segment level (1,000 bootstrap replicates), with three coders, and of `theme_matrix()`
and `co_occurrence()`, wall time and CPU time (on a loaded machine the CPU time says what
the work costs; `OPENBLAS_NUM_THREADS=1` spares the bootstrap's small matrix products the
cost of waking threads). No database: the analysis is pure numpy.
"""

import argparse
import os
import random
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
os.environ.setdefault("MAILLAGE_DEPLOYMENT", "local")

CHARACTERS_PER_WORD = 6


def transcript(words: int, codings: int, coders: tuple[str, ...] = ("A", "B"), seed: int = 3):
    from maillage.evaluation.analysis import Coding, Document, Participant, Segment

    rng = random.Random(seed)
    length = words * CHARACTERS_PER_WORD
    people = [
        Participant(f"P{i:02}", {"setting": ("perinatal", "addiction", "outreach")[i % 3]})
        for i in range(8)
    ]
    turns, start = [], 0
    while start < length:
        end = min(length, start + rng.randint(100, 700))
        turns.append(Segment("t", start, end, rng.choice([*[p.pseudonym for p in people], None])))
        start = end
    made = []
    while len(made) < codings:
        code = f"code{rng.randrange(30)}"
        s = rng.randrange(length - 400)
        e = s + rng.randint(20, 400)
        for coder in coders:
            if coder != coders[0] and rng.random() > 0.8:
                continue
            shift = 0 if coder == coders[0] else rng.randint(-25, 25)
            made.append(Coding(coder, code, "t", max(0, s + shift), min(length, e + shift)))
    return made[:codings], [Document("t", length)], turns, people


def _median(runs: int, call) -> tuple[float, float]:
    """Median wall time and median CPU time of this process (the machine may be shared)."""
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    import django

    django.setup()
    from maillage.evaluation.agreement import agreement
    from maillage.evaluation.matrix import co_occurrence, theme_matrix

    for words, n in ((20_000, 1_000), (100_000, 5_000)):
        codings, documents, turns, people = transcript(words, n)
        three, *_ = transcript(words, n, coders=("A", "B", "C"))
        cases = {
            "agreement, characters": lambda c=codings, d=documents, t=turns: agreement(
                c, d, segments=t
            ),
            "agreement, turns": lambda c=codings, d=documents, t=turns: agreement(
                c, d, segments=t, unit="segment"
            ),
            "agreement, characters, 3 coders": lambda c=three, d=documents, t=turns: agreement(
                c, d, segments=t
            ),
            "matrix by setting": lambda c=codings, t=turns, p=people: theme_matrix(
                c, t, p, attribute="setting"
            ),
            "co-occurrence": lambda c=codings: co_occurrence(c),
        }
        print(f"{words:,} words, {n:,} codings, {len(turns)} turns")
        for name, call in cases.items():
            wall, cpu = _median(args.runs, call)
            print(f"  {name:<34} {wall * 1000:8.0f} ms wall {cpu * 1000:8.0f} ms CPU")


if __name__ == "__main__":
    main()
