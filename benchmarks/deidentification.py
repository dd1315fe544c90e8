"""How long the de-identification guard takes to scan a text, against a region's names.

    python -m benchmarks.deidentification [--runs 7] [--names 65000]

Builds an index of generated people (60,000 caregivers and 5,000 practitioners at region
scale: first and last names from syllables, some compound, some accented), then scans
texts of 10 KB, 100 KB and 1 MB made of ordinary clinical sentences in French and English
with, every twenty sentences or so, a known name, a phone number or a date. Prints the
median of several runs for each size and the ratio 1 MB / 100 KB: 10 means linear.
No database: the guard is pure Python once the names are read.
"""

import argparse
import os
import random
import statistics
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
os.environ.setdefault("MAILLAGE_DEPLOYMENT", "local")

SIZES = {"10 KB": 10_000, "100 KB": 100_000, "1 MB": 1_000_000}
ONSETS = ["b", "c", "d", "f", "g", "j", "l", "m", "n", "p", "r", "s", "t", "v", "ch", "br", "gr"]
VOWELS = ["a", "e", "i", "o", "u", "é", "è", "ou", "ai", "ie", "eau", "ô"]
CODAS = ["", "", "n", "r", "l", "s", "tte", "ux", "nd", "rd"]
ORDINARY = [
    "La travailleuse sociale du CLSC a orienté la mère vers le centre de réadaptation.",
    "L'infirmière a rappelé la famille deux fois sans réponse; le dossier est resté ouvert.",
    "Trois semaines d'attente et deux rencontres annulées ont retardé le suivi conjoint.",
    "The nurse referred the mother in March; the team waited three weeks for an answer.",
    "Rendez-vous à 14 h, salle 204, avec l'intervenante jeunesse et l'éducatrice du CPE.",
    "The outreach worker and the nurse met four times; the baby gained 300 g.",
    "Chaque équipe croyait que l'autre assurait le suivi après le congé de la maternité.",
    "Le plan de services individualisé a été révisé avec la famille et le médecin de famille.",
    "No one called back after the discharge; the family came to the emergency department.",
    "La coordonnatrice a proposé une rencontre à trois pour clarifier les rôles de chacun.",
]


# Texts written to make a scanner backtrack or walk: each must still take time in
# proportion to its length.
HOSTILE = {
    "one 1 MB word": lambda n: "a" * n,
    "digits only": lambda n: "1" * n,
    "groups of 3 digits": lambda n: "123 " * (n // 4),
    "e-mail-like": lambda n: "a.b@" * (n // 4),
    "initials": lambda n: "J. " * (n // 3),
    "a name, repeated": lambda n: "Marie Ève " * (n // 10),
}


def _word(rng: random.Random, syllables: int) -> str:
    parts = [rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables)]
    return ("".join(parts) + rng.choice(CODAS)).capitalize()


def generated_people(count: int, seed: int = 7) -> list[tuple[str, str]]:
    """`count` distinct (first name, last name) pairs; one in ten compound ("Marie-Ève")."""
    rng = random.Random(seed)
    firsts = [_word(rng, rng.choice((2, 2, 3))) for _ in range(800)]
    lasts = [_word(rng, rng.choice((2, 3, 3))) for _ in range(6000)]
    firsts += [f"{a}-{b}" for a, b in zip(firsts[:80], firsts[80:160], strict=True)]
    lasts += [f"{a}-{b}" for a, b in zip(lasts[:600], lasts[600:1200], strict=True)]
    people: set[tuple[str, str]] = set()
    while len(people) < count:
        people.add((rng.choice(firsts), rng.choice(lasts)))
    return sorted(people)


def generated_text(size: int, people: list[tuple[str, str]], seed: int = 11) -> str:
    rng = random.Random(seed)
    sentences, length = [], 0
    while length < size:
        roll = rng.random()
        if roll < 0.02:
            first, last = rng.choice(people)
            sentence = f"La mère, {first} {last.upper()}, a manqué deux rendez-vous."
        elif roll < 0.035:
            sentence = f"Joindre le père au {rng.randint(200, 999)} 555-{rng.randint(0, 9999):04}."
        elif roll < 0.05:
            sentence = f"Le bébé est né le {rng.randint(1, 28)}/0{rng.randint(1, 9)}/2024."
        else:
            sentence = rng.choice(ORDINARY)
        sentences.append(sentence)
        length += len(sentence) + 1
    return " ".join(sentences)[:size]


def median_seconds(function, runs: int) -> tuple[float, float]:
    """Medians of the wall time and of this process's CPU time: on a machine shared with
    other work, the CPU time is the steadier figure."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    import django

    django.setup()
    from maillage.core.deidentification import NameIndex, scan

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--names", type=int, default=65_000)
    args = parser.parse_args()

    people = generated_people(args.names)
    start = time.perf_counter()
    index = NameIndex.from_names(pairs=people)
    build = time.perf_counter() - start
    print(f"index of {index.people:,} people ({len(index):,} spellings): built in {build:.2f} s")

    print(f"load average before the runs: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    medians = {}
    for label, size in SIZES.items():
        text = generated_text(size, people)
        findings = len(scan(text, names=index))
        runs = max(3, args.runs // 2) if size >= 1_000_000 else args.runs
        wall, cpu = median_seconds(lambda text=text: scan(text, names=index), runs)
        medians[label] = cpu
        print(
            f"{label:>7}: median {wall * 1000:7.1f} ms wall, {cpu * 1000:7.1f} ms CPU "
            f"over {runs} runs ({findings} findings)"
        )
    ratio = medians["1 MB"] / medians["100 KB"]
    print(f"1 MB / 100 KB (CPU): {ratio:.1f} (10 is linear)")

    print("hostile texts (median CPU of 3 runs):")
    for label, make in HOSTILE.items():
        cpus = []
        for size in (100_000, 1_000_000):
            text = make(size)
            cpus.append(median_seconds(lambda text=text: scan(text, names=index), 3)[1])
        print(
            f"  {label:>20}: 100 KB {cpus[0] * 1000:6.1f} ms, 1 MB {cpus[1] * 1000:7.1f} ms, "
            f"ratio {cpus[1] / cpus[0]:.1f}"
        )


if __name__ == "__main__":
    main()
