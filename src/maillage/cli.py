"""The `maillage` console command: Django's management commands under one name.

maillage seed --scale demo
maillage import-directory FILE
maillage migrate
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv)
    if len(argv) > 1:
        # Hyphenated names on the command line, underscored module names underneath.
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
