"""Maillage's evaluation workspace side by side with Taguette, on the same transcripts.

    python -m benchmarks.evaluation [--runs 5] [--no-report]      (make bench-evaluation)

One generated set of focus-group transcripts (20 documents, about 100,000 words, one of
them 20,000 words long; 30 codes; 2,000 codings, half of them in the long document) is
loaded into both tools on this machine, in one run, and each of four tasks is timed (the
median of --runs repetitions after a warm-up):

- import: Maillage imports the set as a REFI-QDA .qdpx into a new study (codebook, texts,
  codings, the de-identification guard over every text); Taguette, which imports no .qdpx,
  imports the same coded set from its own project file (its fastest way in), and, for
  information, is loaded through its API as its pages do (tags, documents, highlights);
- open the coded 20,000-word document: Maillage's document page; Taguette's document page
  and the contents request its script makes (text and highlights);
- list every passage of one code: Maillage's code page; Taguette's highlights page and
  its request;
- export the codebook: .qdc from both.

Taguette 1.5.2 is installed from PyPI into its own environment, var/taguette-venv (its
pinned dependencies would clash with ours), and runs as its single-user server on SQLite,
its default; its documents are sent as HTML, which it stores without conversion (a .txt
would go through Calibre). Maillage runs in this process through Django's test client
(no network hop: Taguette's requests cross the loopback, about 0.2 ms each) on
PostgreSQL at BENCH_PG, in its own database `maillage_bench_evaluation`, rebuilt each run.
The ratios Maillage ÷ Taguette are written to benchmarks/results/evaluation-<date>.json
and to BENCHMARKS.md between the evaluation markers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import http.cookiejar
import json
import os
import platform
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.config import PG_SERVER, RESULTS, ROOT

TAGUETTE_VERSION = "1.5.2"
TAGUETTE_VENV = ROOT / "var" / "taguette-venv"
TAGUETTE_DATA = ROOT / "var" / "bench-taguette"
TAGUETTE_PORT = int(os.environ.get("BENCH_TAGUETTE_PORT", "7466"))
DATABASE = os.environ.get("BENCH_EVALUATION_DB", "maillage_bench_evaluation")
START_MARK = "<!-- evaluation benchmark: start -->"
END_MARK = "<!-- evaluation benchmark: end -->"

DOCUMENTS = 20
LONG_WORDS = 20_000
TOTAL_WORDS = 100_000
CODINGS = 2_000
LONG_CODINGS = 1_000

# A small French vocabulary for the generated turns (one string, split: easier to read).
WORDS = str.split(
    "le la les un une des et ou mais donc or ni car on nous vous ils elles équipe famille "
    "bébé mère père intervenante infirmière travailleuse sociale CLSC centre réadaptation "
    "suivi conjoint référence rencontre téléphone attente semaine mois rôle partenaire "
    "confiance consommation grossesse soutien visite domicile parentalité lien attachement "
    "formation immersion collaboration communication organisation transport horaire "
    "roulement personnel manque temps budget ressources accueil écoute respect souvent "
    "parfois jamais toujours vraiment beaucoup très peu aussi encore déjà après avant "
    "pendant depuis quand comment pourquoi parce que avec sans pour chez dans sur sous"
)
CATEGORIES = ["Organisationnel", "Travail et intervenant", "Famille", "Externe"]
SUBCODES = [
    "Obstacle",
    "Facilitateur",
    "Rôles",
    "Communication",
    "Confiance",
    "Ressources",
]


# --- the transcript set ---------------------------------------------------------------------


@dataclass
class Corpus:
    turns: list[list[str]]  # per document, its speaker turns
    codes: list[tuple[str, str | None]]  # (name, parent name)
    # (document, turn, start within the turn, end within the turn, code index, coder)
    codings: list[tuple[int, int, int, int, int, int]] = field(default_factory=list)

    def maillage_text(self, doc: int) -> str:
        return "\n\n".join(self.turns[doc])

    def offset(self, doc: int, turn: int, separator: int) -> int:
        return sum(len(t) + separator for t in self.turns[doc][:turn])


def make_corpus(seed: int = 16) -> Corpus:
    rng = random.Random(seed)
    sizes = [LONG_WORDS] + [(TOTAL_WORDS - LONG_WORDS) // (DOCUMENTS - 1)] * (DOCUMENTS - 1)
    turns = []
    for words in sizes:
        doc: list[str] = []
        left = words
        while left > 0:
            n = min(left, rng.randint(40, 160))
            speaker = "Animatrice" if rng.random() < 0.15 else f"P{rng.randint(1, 8):02d}"
            sentence = " ".join(rng.choice(WORDS) for _ in range(n))
            doc.append(f"{speaker}\u00a0: {sentence.capitalize()}.")
            left -= n
        turns.append(doc)
    codes: list[tuple[str, str | None]] = []
    for category in CATEGORIES:
        codes.append((category, None))
        codes += [(f"{category} — {sub}", category) for sub in SUBCODES]
    codes = codes[:30] if len(codes) >= 30 else codes
    corpus = Corpus(turns=turns, codes=codes)
    for index in range(CODINGS):
        doc = 0 if index < LONG_CODINGS else 1 + index % (DOCUMENTS - 1)
        turn = rng.randrange(len(turns[doc]))
        length = len(turns[doc][turn])
        start = rng.randrange(0, max(1, length - 60))
        end = min(length, start + rng.randint(30, 300))
        corpus.codings.append((doc, turn, start, end, rng.randrange(len(codes)), index % 2))
    return corpus


def corpus_qdpx(corpus: Corpus) -> bytes:
    from maillage.evaluation import refi_qda as qda

    coders = [qda.User(str(uuid.uuid4()), name) for name in ("Évaluatrice A", "Évaluateur B")]
    guids = [str(uuid.uuid4()) for _ in corpus.codes]
    tops: dict[str, qda.Code] = {}
    roots = []
    for (name, parent), guid in zip(corpus.codes, guids, strict=True):
        code = qda.Code(guid, name)
        if parent is None:
            tops[name] = code
            roots.append(code)
        else:
            tops[parent].children.append(code)
    sources = []
    for doc in range(DOCUMENTS):
        text = corpus.maillage_text(doc)
        source = qda.TextSource(str(uuid.uuid4()), f"Groupe focal {doc + 1:02d}", text)
        for d, turn, start, end, code, coder in corpus.codings:
            if d != doc:
                continue
            base = corpus.offset(doc, turn, 2)
            source.selections.append(
                qda.Selection(
                    str(uuid.uuid4()),
                    base + start,
                    base + end,
                    codings=[qda.Coding(str(uuid.uuid4()), guids[code], coders[coder].guid)],
                )
            )
        sources.append(source)
    project = qda.Project(
        name="Banc d'essai", origin="benchmark", users=coders, codes=roots, sources=sources
    )
    return qda.write_qdpx(project)


def median_time(action, runs: int) -> float:
    action()  # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# --- Maillage -------------------------------------------------------------------------------


def _recreate_database() -> str:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}"')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')
        version = connection.execute("SHOW server_version").fetchone()[0]
    return version


def run_maillage(corpus: Corpus, runs: int) -> dict:
    pg_version = _recreate_database()
    os.environ["DATABASE_URL"] = f"{PG_SERVER}/{DATABASE}"
    os.environ.setdefault("MAILLAGE_DEPLOYMENT", "local")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from maillage.core.models import Role, User
    from maillage.evaluation import qdpx_exchange, services
    from maillage.evaluation.models import Code, Document

    call_command("migrate", verbosity=0)
    lead = User.objects.create_user(
        "lead@bench.example", "bench-password", full_name="Lead", role=Role.PRACTITIONER
    )
    data = corpus_qdpx(corpus)
    studies = []

    def import_once():
        report = qdpx_exchange.import_file(
            by=lead, data=data, deidentified_reason="Synthetic benchmark transcripts"
        )
        studies.append(report.study)

    imported = median_time(import_once, runs)
    study = studies[-1]
    services.reveal_codings(by=lead, study=study)
    client = Client()
    client.force_login(lead)
    long_document = Document.objects.get(study=study, title="Groupe focal 01")
    code = (
        Code.objects.filter(study=study)
        .annotate(passages=Count("codings"))
        .order_by("-passages", "name")
        .first()
    )

    def get(url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    document_url = reverse("evaluation:document", args=[long_document.pk])
    code_url = reverse("evaluation:code", args=[code.pk])
    export_url = reverse("evaluation:export_qdc", args=[study.pk])
    return {
        "version": _maillage_version(),
        "database": f"PostgreSQL {pg_version}",
        "import": imported,
        "open_document": median_time(lambda: get(document_url), runs),
        "list_passages": median_time(lambda: get(code_url), runs),
        "export_codebook": median_time(lambda: get(export_url), runs),
        "code": code.name,
        "code_passages": code.codings.count(),
        "document_codings": long_document.codings.count(),
        "document_words": len(long_document.text.split()),
    }


def _maillage_version() -> str:
    from importlib.metadata import version

    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 (git from PATH, as make does)
        capture_output=True,
        text=True,
        cwd=ROOT,
    ).stdout.strip()
    return f"{version('maillage')} ({commit})"


# --- Taguette -------------------------------------------------------------------------------


def ensure_taguette() -> Path:
    binary = TAGUETTE_VENV / "bin" / "taguette"
    if not binary.exists():
        # Our own fixed command lines: nothing comes from input.
        subprocess.run([sys.executable, "-m", "venv", str(TAGUETTE_VENV)], check=True)  # noqa: S603
        subprocess.run(  # noqa: S603
            [str(TAGUETTE_VENV / "bin" / "pip"), "install", "-q", f"taguette=={TAGUETTE_VERSION}"],
            check=True,
        )
    return binary


class Browser:
    """A logged-in session on Taguette, sending its XSRF token like its pages do."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def xsrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "_xsrf")

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        headers = dict(headers or {})
        if method != "GET":
            headers["X-XSRFToken"] = self.xsrf()
        # Only http://localhost: the Taguette server this script started.
        request = urllib.request.Request(  # noqa: S310
            self.base + path, data=body, method=method, headers=headers
        )
        with self.opener.open(request) as response:
            return response.geturl(), response.read()

    def get(self, path: str) -> bytes:
        return self.request("GET", path)[1]

    def post_json(self, path: str, payload: dict) -> dict:
        body = json.dumps(payload).encode()
        _, answer = self.request("POST", path, body, {"Content-Type": "application/json"})
        return json.loads(answer)

    def post_form(self, path: str, fields: dict, files: dict | None = None):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in {**fields, "_xsrf": self.xsrf()}.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        for name, (filename, data, content_type) in (files or {}).items():
            parts.append(
                (
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                    f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
                ).encode()
                + data
                + b"\r\n"
            )
        parts.append(f"--{boundary}--\r\n".encode())
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.request("POST", path, b"".join(parts), headers)


def _taguette_html(corpus: Corpus, doc: int) -> bytes:
    paragraphs = "".join(f"<p>{html.escape(turn)}</p>" for turn in corpus.turns[doc])
    return f"<html><body>{paragraphs}</body></html>".encode()


def _load_through_api(browser: Browser, corpus: Corpus, project: int) -> tuple[list, list]:
    tags = []
    for name, _parent in corpus.codes:
        answer = browser.post_json(
            f"/api/project/{project}/tag/new", {"path": name, "description": ""}
        )
        tags.append(answer["id"])
    documents = []
    for doc in range(DOCUMENTS):
        _, answer = browser.post_form(
            f"/api/project/{project}/document/new",
            {"name": f"Groupe focal {doc + 1:02d}", "description": ""},
            {"file": (f"groupe-{doc + 1:02d}.html", _taguette_html(corpus, doc), "text/html")},
        )
        documents.append(json.loads(answer)["created"])
    for doc, turn, start, end, code, _coder in corpus.codings:
        # Taguette counts the characters of the text, paragraphs joined with nothing.
        base = corpus.offset(doc, turn, 0)
        browser.post_json(
            f"/api/project/{project}/document/{documents[doc]}/highlight/new",
            {"start_offset": base + start, "end_offset": base + end, "tags": [tags[code]]},
        )
    return tags, documents


def _new_project(browser: Browser, name: str) -> int:
    url, _ = browser.post_form("/project/new", {"name": name, "description": ""})
    return int(re.search(r"/project/(\d+)", url).group(1))


def run_taguette(corpus: Corpus, runs: int) -> dict:
    binary = ensure_taguette()
    TAGUETTE_DATA.mkdir(parents=True, exist_ok=True)
    database = TAGUETTE_DATA / "taguette.sqlite3"
    database.unlink(missing_ok=True)
    server = subprocess.Popen(  # noqa: S603 (our own pinned install)
        [
            str(binary),
            "--no-browser",
            "--database",
            str(database),
            "-p",
            str(TAGUETTE_PORT),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        join = None
        for line in server.stdout:
            found = re.search(r"(http://\S+\?token=\S+)", line)
            if found:
                join = found.group(1)
                break
        if join is None:
            raise RuntimeError("Taguette did not start")
        # 127.0.0.1 rather than the printed "localhost": cookies for a dotless host name
        # are kept under another name by Python's cookie jar.
        browser = Browser(f"http://127.0.0.1:{TAGUETTE_PORT}")
        browser.get("/?" + join.split("?", 1)[1])
        browser.get("/project/new")  # its form sets the XSRF cookie

        project = _new_project(browser, "Chargé par son API")
        start = time.perf_counter()
        tags, documents = _load_through_api(browser, corpus, project)
        through_api = time.perf_counter() - start

        project_file = browser.get(f"/project/{project}/export/project.sqlite3")

        def import_project_file():
            browser.post_form(
                "/api/import",
                {"project_id": "1"},
                {"file": ("project.sqlite3", project_file, "application/octet-stream")},
            )

        imported = median_time(import_project_file, runs)

        long_document = documents[0]
        counts = _taguette_tag_counts(database, project)
        tag = max(range(len(tags)), key=lambda i: (counts.get(tags[i], 0), -i))
        tag_name = corpus.codes[tag][0]
        tag_path = urllib.parse.quote(tag_name)

        def open_document():
            browser.get(f"/project/{project}/document/{long_document}")
            browser.get(f"/api/project/{project}/document/{long_document}/contents")

        def list_passages():
            browser.get(f"/project/{project}/highlights/{tag_path}")
            browser.get(f"/api/project/{project}/highlights/{tag_path}")

        def export_codebook():
            browser.get(f"/project/{project}/export/codebook.qdc")

        return {
            "version": TAGUETTE_VERSION,
            "database": f"SQLite {sqlite3.sqlite_version}",
            "import": imported,
            "load_through_api": through_api,
            "open_document": median_time(open_document, runs),
            "list_passages": median_time(list_passages, runs),
            "export_codebook": median_time(export_codebook, runs),
            "code": tag_name,
            "code_passages": counts.get(tags[tag], 0),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def _taguette_tag_counts(database: Path, project: int) -> dict[int, int]:
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT ht.tag_id, COUNT(*) FROM highlight_tags ht JOIN tags t ON t.id = ht.tag_id "
            "WHERE t.project_id = ? GROUP BY ht.tag_id",
            (project,),
        ).fetchall()
    return dict(rows)


# --- the report -----------------------------------------------------------------------------

TASKS = [
    ("import", "import the coded set"),
    ("open_document", "open the coded 20,000-word document"),
    ("list_passages", "list every passage of one code"),
    ("export_codebook", "export the codebook (.qdc)"),
]


def report(result: dict) -> str:
    m, t = result["maillage"], result["taguette"]
    lines = [
        START_MARK,
        f"Run of {result['date']} on {result['machine']}: Maillage {m['version']} on "
        f"{m['database']}; Taguette {t['version']} on {t['database']}; Python "
        f"{result['python']}. {DOCUMENTS} documents, {TOTAL_WORDS:,} words, "
        f"{CODINGS:,} codings (the long document: {m['document_words']:,} words, "
        f"{m['document_codings']:,} codings). Medians of {result['runs']} runs.",
        "",
        "| task | Maillage | Taguette | Maillage ÷ Taguette |",
        "|---|---|---|---|",
    ]
    for key, label in TASKS:
        ratio = m[key] / t[key]
        lines.append(f"| {label} | {m[key] * 1000:.0f} ms | {t[key] * 1000:.0f} ms | {ratio:.2f} |")
    lines.append(
        f"| (Taguette loaded through its API: tags, documents, {CODINGS:,} highlights) | "
        f"{m['import'] * 1000:.0f} ms | {t['load_through_api'] * 1000:.0f} ms | "
        f"{m['import'] / t['load_through_api']:.2f} |"
    )
    lines += [
        "",
        f"The code listed: Maillage «{m['code']}» ({m['code_passages']} passages), Taguette "
        f"«{t['code']}» ({t['code_passages']} highlights).",
        END_MARK,
    ]
    return "\n".join(lines)


def write_benchmarks_md(text: str) -> None:
    path = ROOT / "BENCHMARKS.md"
    content = path.read_text(encoding="utf-8")
    if START_MARK in content:
        before, rest = content.split(START_MARK, 1)
        after = rest.split(END_MARK, 1)[1]
        content = before + text + after
    else:
        content = content.rstrip("\n") + "\n\n## The evaluation workspace beside Taguette\n\n"
        content += text + "\n"
    path.write_text(content, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-report", action="store_true", help="leave BENCHMARKS.md as it is")
    args = parser.parse_args()
    corpus = make_corpus()
    print("Taguette…", flush=True)
    taguette = run_taguette(corpus, args.runs)
    print("Maillage…", flush=True)
    maillage = run_maillage(corpus, args.runs)
    result = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}",
        "python": platform.python_version(),
        "runs": args.runs,
        "maillage": maillage,
        "taguette": taguette,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H%M")
    (RESULTS / f"evaluation-{stamp}.json").write_text(json.dumps(result, indent=2) + "\n")
    text = report(result)
    print(text)
    if not args.no_report:
        write_benchmarks_md(text)


if __name__ == "__main__":
    main()
