#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - read the settings once, here
    except ImproperlyConfigured as error:
        # One clear line instead of a traceback that ends somewhere else.
        sys.exit(f"Configuration error: {error}")

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
