"""The ``rectify`` command: the project's manage.py."""

import os
import sys


def main() -> None:
    """Run a Django management command with Rectify's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([os.path.basename(sys.argv[0]) or "rectify", *sys.argv[1:]])


if __name__ == "__main__":
    main()
