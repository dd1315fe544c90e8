"""The load generator: asyncio and aiohttp, light enough to share two cores with the
server and PostgreSQL. Bounded: a fixed number of users for a fixed time.

Each virtual user logs in as a generated practitioner (as a browser would: the login page
for the CSRF cookie, then the form), then loops: picks a request type by the mix's
weights, sends it, waits a think time. Cookies are kept by hand: production marks them
Secure, and this client must still send them back over plain HTTP on loopback.
"""

import asyncio
import gc
import random
import re
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import aiohttp

from .mix import build, user_weights

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Sample:
    kind: str
    started: float  # seconds since the phase began
    seconds: float
    status: int
    outcome: str  # "ok", "conflict", "error"
    # The server's own account of the request (its Server-Timing header), in ms.
    server: dict[str, float] = field(default_factory=dict)


@dataclass
class Lag:
    """The load client's own delays during a phase: how late its event loop woke up a
    timer (a measure of how late it notices a response), and its garbage collections."""

    loop: list[tuple[float, float]] = field(default_factory=list)  # (when, seconds late)
    gc: list[tuple[float, float]] = field(default_factory=list)  # (when, pause seconds)


@dataclass
class Phase:
    name: str
    seconds: float
    samples: list[Sample] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    cpu: dict = field(default_factory=dict)
    lag: Lag = field(default_factory=Lag)
    started: float = 0.0  # time.perf_counter() when the phase began (CLOCK_MONOTONIC)
    extra: dict = field(default_factory=dict)  # what the driver's probes found


class VirtualUser:
    def __init__(self, base: str, plan: dict, session: aiohttp.ClientSession, password: str):
        self.base = base
        self.password = password
        self.plan = plan
        self.session = session
        self.cookies: dict[str, str] = {}
        self.weights: list[float] = []  # over the mix's types (mix.user_weights)

    def _keep(self, response: aiohttp.ClientResponse) -> None:
        for header in response.headers.getall("Set-Cookie", []):
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                self.cookies[name] = morsel.value

    def _headers(self) -> dict[str, str]:
        return {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Accept-Language": "fr-CA,fr;q=0.9",
        }

    async def login(self) -> None:
        async with self.session.get(f"{self.base}/login/", headers=self._headers()) as r:
            body = await r.text()
            self._keep(r)
        token = CSRF_INPUT.search(body)
        if r.status != 200 or token is None:
            raise RuntimeError(f"login page for {self.plan['email']}: HTTP {r.status}")
        form = {
            "username": self.plan["email"],
            "password": self.password,
            "csrfmiddlewaretoken": token.group(1),
        }
        async with self.session.post(
            f"{self.base}/login/", data=form, headers=self._headers(), allow_redirects=False
        ) as r:
            await r.read()
            self._keep(r)
        if r.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {self.plan['email']} refused: HTTP {r.status}")

    async def send(self, request) -> tuple[int, float, dict[str, float]]:
        data = request.data
        headers = {**self._headers(), **request.headers}
        # As a proxy stamps it: the server counts its queue wait from this moment.
        headers["X-Request-Start"] = f"t={time.time():.6f}"
        started = time.perf_counter()
        if request.method == "GET":
            call = self.session.get(
                f"{self.base}{request.path}", params=data, headers=headers, allow_redirects=False
            )
        else:
            form = {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            call = self.session.post(
                f"{self.base}{request.path}", data=form, headers=headers, allow_redirects=False
            )
        async with call as response:
            await response.read()
            self._keep(response)
            status = response.status
        seconds = time.perf_counter() - started
        return status, seconds, server_timing(response.headers.get("Server-Timing", ""))


def server_timing(header: str) -> dict[str, float]:
    """`app;dur=12.5, db;dur=3.1;desc="9"` -> {"app": 12.5, "db": 3.1, "db_n": 9.0}."""
    out: dict[str, float] = {}
    for metric in filter(None, (m.strip() for m in header.split(","))):
        name, *params = metric.split(";")
        for param in params:
            key, _, value = param.partition("=")
            try:
                if key == "dur":
                    out[name] = float(value)
                elif key == "desc":
                    out[f"{name}_n"] = float(value.strip('"'))
            except ValueError:
                continue
    return out


def _outcome(request, status: int) -> str:
    if status in request.ok:
        return "ok"
    if status == 409:
        return "conflict"
    return "error"


async def _user_loop(users, phase, mix, think, deadline, t0, rng) -> None:
    """One loop of requests; with several users it takes them in turn (the solo phase:
    one request at a time, spread over the users the floor was captured for).

    With a think time, the user begins the round thinking, as if it had just read a page:
    started together, the 20 users of a round sent 20 requests in the same 10 ms, a
    burst no real network makes, which waited up to half a second for the 4 workers and
    made 88 of the 90 waits of 50 ms or more of a run (BENCHMARKS.md, tenth round). The
    think time being exponential, a user's first wait drawn like the others is what the
    steady state gives at any instant."""
    kinds = list(mix)
    turn = 0
    if think:
        await asyncio.sleep(min(rng.expovariate(1 / think), think * 5))
    while time.perf_counter() < deadline:
        user = users[turn % len(users)]
        turn += 1
        kind = rng.choices(kinds, weights=user.weights)[0]
        request = build(kind, user.plan, rng)
        if request is None:
            phase.skipped[kind] = phase.skipped.get(kind, 0) + 1
            continue
        began = time.perf_counter()
        server: dict[str, float] = {}
        try:
            status, seconds, server = await user.send(request)
        except (TimeoutError, aiohttp.ClientError) as error:
            status, seconds = 0, time.perf_counter() - began
            if len(phase.errors) < 20:
                phase.errors.append(f"{kind} {request.path}: {error!r}")
        outcome = _outcome(request, status)
        if outcome == "error" and status and len(phase.errors) < 20:
            phase.errors.append(f"{kind} {request.path}: HTTP {status}")
        if request.on_done is not None:
            request.on_done(outcome == "ok")
        phase.samples.append(Sample(kind, began - t0, seconds, status, outcome, server))
        if think:
            await asyncio.sleep(min(rng.expovariate(1 / think), think * 5))


TICK = 0.01


async def _watch_loop(phase: Phase, deadline: float) -> None:
    """Sleeps TICK again and again and records how late each wake-up came: the time the
    client takes to notice that a response is there, when it is busy or descheduled."""
    while (now := time.perf_counter()) < deadline:
        await asyncio.sleep(TICK)
        phase.lag.loop.append((now, time.perf_counter() - now - TICK))


class _GcWatch:
    """The client's garbage collections, with their pauses, into the current phase."""

    def __init__(self) -> None:
        self.phase: Phase | None = None
        self.began = 0.0

    def __call__(self, stage: str, info: dict) -> None:
        if stage == "start":
            self.began = time.perf_counter()
        elif self.phase is not None and self.began:
            self.phase.lag.gc.append((self.began, time.perf_counter() - self.began))


async def _run(base, users_plan, phases, mix, seed, password, solo_users, log, on_start, on_end):
    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=len(users_plan) + 4)
    async with aiohttp.ClientSession(
        timeout=timeout, connector=connector, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:
        users = [VirtualUser(base, plan, session, password) for plan in users_plan]
        for user, weights in zip(users, user_weights(mix, users_plan), strict=True):
            user.weights = weights
        started = time.perf_counter()
        # Two logins at a time: Argon2 is meant to be slow, and this is not what we measure.
        gate = asyncio.Semaphore(2)

        async def login(user):
            async with gate:
                await user.login()

        await asyncio.gather(*(login(u) for u in users))
        log(f"  {len(users)} users logged in ({time.perf_counter() - started:.1f} s)")
        results = []
        watch = _GcWatch()
        gc.callbacks.append(watch)
        queue = list(phases)
        number = 0
        while queue:
            phase, think, count = queue.pop(0)
            number += 1
            if on_start is not None:
                on_start(phase)
            t0 = phase.started = time.perf_counter()
            watch.phase = phase
            deadline = t0 + phase.seconds
            rng = random.Random(seed * 1000 + number * 100)
            if count == 1:  # one request at a time, the users in turn
                loops = [_user_loop(users[:solo_users], phase, mix, 0, deadline, t0, rng)]
            else:
                loops = [
                    _user_loop([u], phase, mix, think, deadline, t0, random.Random(rng.random()))
                    for u in users[:count]
                ]
            await asyncio.gather(*loops, _watch_loop(phase, deadline))
            watch.phase = None
            phase.seconds = time.perf_counter() - t0
            total = len(phase.samples)
            bad = sum(1 for s in phase.samples if s.outcome == "error")
            log(
                f"  phase {phase.name}: {total} requests in {phase.seconds:.0f} s "
                f"({total / phase.seconds:.1f}/s), {bad} errors"
            )
            results.append(phase)
            if on_end is not None:
                queue[0:0] = on_end(phase, think, count) or []  # a repeated round comes next
        gc.callbacks.remove(watch)
        return results


def run(
    base,
    users_plan,
    phases,
    mix,
    seed,
    password,
    *,
    solo_users=5,
    log=print,
    on_start=None,
    on_end=None,
) -> list[Phase]:
    """phases: [(Phase, think seconds, number of users)], run one after the other; a phase
    of one user sends one request at a time, taking the first `solo_users` in turn.
    on_start(phase) is called before each phase; on_end(phase, think, users) after it may
    return more phases to run (a round to repeat)."""
    return asyncio.run(
        _run(base, users_plan, phases, mix, seed, password, solo_users, log, on_start, on_end)
    )
