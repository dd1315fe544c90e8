"""Browser tests: Playwright driving Debian's chromium against pytest-django's live server.

Pages run under the app's real Content-Security-Policy. Every browser context a test opens
through `new_context` (the `page` fixture does) is watched: a console error, an uncaught
exception or a CSP violation fails the test, and axe-core checks every page it loads, at
1366 px and at 375 px, for serious and critical violations. axe-core is injected as an init
script, which runs before the page's scripts and is not subject to the page's policy.
"""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

CHROMIUM = os.environ.get("MAILLAGE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PROJECT = Path(__file__).resolve().parents[2]
AXE = PROJECT / "node_modules" / "axe-core" / "axe.min.js"
OUTPUT = PROJECT / "test-results" / "browser"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 375, "height": 740}
# How long an action or a wait may take. Under `make test` two workers share two cores with
# the live servers and chromium, and every page a test loads is replayed twice for axe-core
# (in the load event, while the test's own wait runs): Playwright's own 30 s, not less. Its
# assertions (`expect`) wait 5 s unless told: the same 30 s for them.
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)
# A CSP violation is reported on the console by the page itself, whatever Chromium logs.
REPORT_CSP = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.location.href}:${event.lineNumber}`);
});
"""


# Every page loaded runs axe-core once, by itself; `axe_violations` waits for that run (axe
# refuses two at once) and reports it on the console for the watch.
AXE_ON_LOAD = """
window.addEventListener("load", () => {
  window.__axeRun = axe.run(document, {resultTypes: ["violations"]}).then((result) => {
    const bad = result.violations.filter((v) => ["serious", "critical"].includes(v.impact));
    if (bad.length) {
      console.error("axe: " + JSON.stringify(bad.map((v) => ({
        id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 5).map((n) => n.target)}))));
    }
    return result;
  });
});
"""


class BrowserWatch:
    """What went wrong in the browser during a test: console errors, uncaught exceptions,
    CSP violations, and axe-core violations of every page loaded, at both widths.

    The page a test drives is checked where it stands, at its own width. Each page it reaches
    by a GET is also opened, with the same session, in two pages of its own at 1366 px and
    375 px that nothing else drives, and checked there to the end."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.pages_checked: list[tuple[str, int]] = []
        # Responses a test provokes on purpose (a 409 page), by URL pattern.
        self.expected_statuses: list[re.Pattern] = []
        self._shadows: dict = {}
        self._last_navigation: dict = {}
        self._pending: list = []
        self._replaying = False

    def expect_error_status(self, url_pattern: str) -> None:
        """The test asks for a page answered with an error status (e.g. 409): the browser's
        "Failed to load resource" line for that URL is expected, not a problem."""
        self.expected_statuses.append(re.compile(url_pattern))

    def on_console(self, message) -> None:
        if message.type != "error":
            return
        location = message.location.get("url", "") if message.location else ""
        if message.text.startswith("Failed to load resource") and any(
            p.search(location) for p in self.expected_statuses
        ):
            return
        self.problems.append(f"console error: {message.text} ({location})")

    def on_page_error(self, error) -> None:
        self.problems.append(f"uncaught exception: {error}")

    def watch(self, page) -> None:
        page.on("console", self.on_console)
        page.on("pageerror", self.on_page_error)
        if self._replaying:
            return  # a shadow page, opened by `_check`

        def on_request(request):
            if request.is_navigation_request() and request.frame == page.main_frame:
                self._last_navigation[page] = request.method

        page.on("request", on_request)
        page.on("load", lambda: self.replay(page))

    def replay(self, page) -> None:
        url = page.url
        if self._last_navigation.get(page) != "GET" or not url.startswith("http"):
            return
        if url.endswith((".svg", ".pdf", ".ics", ".csv")):
            return
        self._pending.append((page.context, url))
        if self._replaying:
            # Called again while a replay waits on the browser: the loop below takes it.
            return
        self._replaying = True
        try:
            while self._pending:
                context, pending_url = self._pending.pop(0)
                for size in (DESKTOP, PHONE):
                    self._check(context, pending_url, size)
        finally:
            self._replaying = False

    def _check(self, context, url: str, size: dict) -> None:
        key = (context, size["width"])
        if key not in self._shadows:
            shadow = context.new_page()
            self._shadows[key] = shadow
            shadow.set_viewport_size(size)
        shadow = self._shadows[key]
        shadow.goto(url)
        for violation in axe_violations(shadow):
            self.problems.append(f"axe at {size['width']} px on {url}: {violation}")
        self.pages_checked.append((url, size["width"]))


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium.")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: `make system-test-deps` installs axe-core.")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # for set-up are still plain synchronous calls between page actions.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(scope="session")
def warm_start(chromium, django_db_setup, live_server):
    """Loads the login page once per worker, in a throwaway context, before any test's first
    page. The first request to a worker's live server imports the URL map and the views,
    compiles the templates; the browser's first page starts a renderer. Under a parallel run
    on a busy machine that cold start alone passed the 15 s, then the 30 s, of a test's first
    `goto`: here it has its own, generous allowance, and the tests' timeouts measure pages."""
    context = chromium.new_context()
    try:
        context.new_page().goto(f"{live_server.url}/login/", timeout=4 * TIMEOUT_MS)
    finally:
        context.close()


@pytest.fixture
def browser_watch():
    watch = BrowserWatch()
    yield watch
    if watch._last_navigation and not watch.pages_checked:
        watch.problems.append("pages were loaded, but none was checked by axe-core")
    if watch.problems:
        pytest.fail("The browser reported problems:\n" + "\n".join(watch.problems))


@pytest.fixture
def new_context(chromium, browser_watch, warm_start):
    """Opens a watched browser context (the real CSP, console errors, axe on every page);
    takes Playwright's context options. The contexts are closed after the test."""
    contexts = []

    def open_context(**options):
        options = {"locale": "fr-CA", "viewport": DESKTOP, **options}
        context = chromium.new_context(**options)
        context.add_init_script(path=str(AXE))
        context.add_init_script(script=REPORT_CSP)
        context.add_init_script(script=AXE_ON_LOAD)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", browser_watch.watch)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def output_dir(request) -> Path:
    path = OUTPUT / request.node.name.replace("/", "_")
    path.mkdir(parents=True, exist_ok=True)
    return path


def switch_language(page, button: str, language: str) -> None:
    """Presses the header's language button (`button`, its name) and waits for the page to
    come back in `language`. The form posts and the server redirects to the same address:
    the URL cannot tell the new page from the old one, and `wait_for_load_state` returns at
    once on the page already loaded, so the next step could read, or navigate away from, the
    page in the old language."""
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """Runs axe-core (injected by `new_context`) in the page; returns the violations of the
    given impact."""
    result = page.evaluate(
        """async () => {
          if (document.readyState !== "complete") {
            await new Promise((done) => window.addEventListener("load", done));
          }
          await window.__axeRun;
          return await axe.run(document, {resultTypes: ["violations"]});
        }"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]
