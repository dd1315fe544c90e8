"""The served application loads what requests need, then freezes it out of the garbage
collector's full collections, and makes those after a response rather than during a
request (maillage/wsgi.py)."""

import json
import os
import subprocess
import sys

PROBE = """
import gc, json, sys
import maillage.wsgi
print(json.dumps({
    "frozen": gc.get_freeze_count(),
    "views_loaded": all(m in sys.modules for m in (
        "maillage.families.views", "maillage.referrals.views", "maillage.directory.views",
        "maillage.families.api")),
    "tracked_after": len(gc.get_objects()),
    "automatic_full": gc.get_threshold()[2] < 10_000,
}))
from django.core.signals import request_finished
for _ in range(9):
    gc.collect(1)  # each counts towards the next full collection
request_finished.send(sender=None)
nine = gc.get_count()[2]
gc.collect(1)
request_finished.send(sender=None)
print(json.dumps({"after_nine": nine, "after_ten": gc.get_count()[2]}))
"""


def test_the_served_application_is_loaded_then_frozen():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "maillage.settings"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    probe = json.loads(out.stdout.strip().splitlines()[-2])
    assert probe["views_loaded"]
    # Almost everything loaded is frozen: a full collection walks the few objects left.
    assert probe["frozen"] > 50_000
    assert probe["tracked_after"] < probe["frozen"] / 10


def test_full_collections_wait_for_the_end_of_a_response():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "maillage.settings"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    lines = out.stdout.strip().splitlines()
    assert not json.loads(lines[-2])["automatic_full"]  # never in the middle of a request
    after = json.loads(lines[-1])
    assert after["after_nine"] == 9  # not due yet: the response ends without one
    assert after["after_ten"] == 0  # due (Python's own count): made once the response ended
