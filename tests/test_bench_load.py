"""The load client's users do not start a round together (benchmarks/load.py): each begins
thinking, as in the steady state, so that a round's start sends no burst of 20 requests
that no real network makes."""

import asyncio
import random
import threading
import time

from benchmarks import load


class FakeUser:
    """Answers at once, and notes when each of its requests was sent."""

    weights = [1]
    plan: dict = {}

    def __init__(self) -> None:
        self.sent: list[float] = []

    async def send(self, request):
        self.sent.append(time.perf_counter())
        await asyncio.sleep(0.001)  # a response takes a while: the other users go on
        return 200, 0.001, {}


def first_requests(think: float, users: int = 20, seconds: float = 0.6) -> list[float]:
    phase = load.Phase("load-1", seconds)
    fakes = [FakeUser() for _ in range(users)]

    async def round_():
        t0 = time.perf_counter()
        rng = random.Random(7)
        loops = [
            load._user_loop(
                [u], phase, {"caseload": 1}, think, t0 + seconds, t0, random.Random(rng.random())
            )
            for u in fakes
        ]
        await asyncio.gather(*loops)
        return t0

    # In a thread of its own: a browser test before this one may have left its event loop
    # running in the test worker's main thread, where asyncio.run() refuses to start.
    started: list[float] = []
    worker = threading.Thread(target=lambda: started.append(asyncio.run(round_())))
    worker.start()
    worker.join()
    return sorted(u.sent[0] - started[0] for u in fakes if u.sent)


def test_with_a_think_time_the_users_first_requests_are_spread():
    firsts = first_requests(think=0.2)
    # Exponential waits of mean 0.2 s: about one user in ten starts within 20 ms.
    assert sum(1 for t in firsts if t < 0.02) <= 5
    assert firsts[-1] - firsts[0] > 0.2


def test_without_a_think_time_the_users_start_at_once():
    # Saturation sends with no think time: every user's first request is immediate.
    firsts = first_requests(think=0.0, seconds=0.05)
    assert len(firsts) == 20 and firsts[-1] < 0.05
