"""``rectify load_demo``: load the reference case (units, campaign, people, ledger, logins)."""

import os
import secrets

from django.core.management.base import BaseCommand

from rectify.demo.loader import load_demo

PASSWORD_ENV = "RECTIFY_DEMO_PASSWORD"


class Command(BaseCommand):
    help = (
        "Load the reference case: the Shandong and Liaocheng science associations, the 2019 "
        "thematic education campaign and a fictional ledger with every light. Running it again "
        "adds only what is missing. The demo logins (admin, city, dongchangfu, linqing, leader, "
        f"zeren, zhidaozu) get the password in ${PASSWORD_ENV}; without it, a new random password "
        "is generated, set on all demo logins and printed on every run. With --quiet and no "
        f"${PASSWORD_ENV}, existing passwords are kept and new logins get none."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet", action="store_true", help="Print nothing (no summary, no passwords)."
        )

    def handle(self, *args, quiet: bool = False, **options):
        password = os.environ.get(PASSWORD_ENV) or None
        generated = password is None and not quiet
        if generated:
            password = secrets.token_urlsafe(12)
        result = load_demo(password=password)
        if quiet:
            return
        out = self.stdout
        created = ", ".join(f"{name} +{n}" for name, n in result.created.items())
        out.write(self.style.SUCCESS(f"Demo loaded ({created})."))
        for name, count in result.counts.items():
            out.write(f"  {name:<15}{count:>6}")
        lights = "  ".join(f"{light} {n}" for light, n in result.lights.items())
        out.write(f"  lights         {lights}")
        source = "generated for this run" if generated else f"from ${PASSWORD_ENV}"
        out.write(f"Logins (password {source}):")
        for username, roles, pw in result.logins:
            out.write(f"  {username:<12} {pw or '(unchanged)':<18} {roles}")
