"""The served application loads what requests need, then freezes it out of the garbage
collector's full collections (maillage/wsgi.py)."""

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
}))
"""


def test_the_served_application_is_loaded_then_frozen():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "maillage.settings"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
    )
    probe = json.loads(out.stdout.strip().splitlines()[-1])
    assert probe["views_loaded"]
    # Almost everything loaded is frozen: a full collection walks the few objects left.
    assert probe["frozen"] > 50_000
    assert probe["tracked_after"] < probe["frozen"] / 10
