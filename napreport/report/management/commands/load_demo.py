from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from commitments.loading import load_plan
from commitments.models import Department, ReportingPeriod
from commitments.roles import create_groups
from napreport.report.loading import load_narrative
from napreport.report.publishing import PublishingError, publish_period

COORDINATOR = "coordinator"


def demo_password(username: str) -> str:
    """Demo accounts get a known password so the README can print it; never use load_demo in production."""
    return f"demo-{username}-2014"


class Command(BaseCommand):
    help = (
        "Load the 2013-2014 Action Items Chart and report, publish 2013-2014, open 2014-2015, and create "
        "demo accounts (a coordinator and one per lead department). Safe to run again: it changes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            plan, period, written = load_plan()
            if not period.is_published:
                written += load_narrative(period)
            if period.is_open:
                period.start_review()
            if not period.is_published:
                try:
                    publish_period(period)
                except PublishingError as error:
                    raise CommandError("Cannot publish the demo year: " + " ".join(error.missing)) from None
                written += 1
            if not ReportingPeriod.objects.filter(plan=plan, start_year=period.start_year + 1).exists():
                period.refresh_from_db()
                period.open_next()
                written += 1
            accounts = self.create_accounts()
        self.stdout.write(f"Demo data loaded ({written} records written).")
        self.stdout.write("Demo accounts (username / password):")
        for username, password, role in accounts:
            self.stdout.write(f"  {username:<24} {password:<36} {role}")

    def create_accounts(self) -> list[tuple[str, str, str]]:
        User = get_user_model()
        accounts = []
        coordinator_group, staff_group = create_groups()
        coordinator, created = User.objects.get_or_create(
            username=COORDINATOR, defaults={"is_staff": True, "email": "coordinator@example.gc.ca"}
        )
        if created:
            coordinator.set_password(demo_password(COORDINATOR))
            coordinator.save()
            coordinator.groups.add(coordinator_group)
        accounts.append((COORDINATOR, demo_password(COORDINATOR), "Taskforce coordinator"))
        for department in Department.objects.filter(lead_links__isnull=False).distinct():
            username = department.slug
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": True, "email": f"{username}@example.gc.ca"}
            )
            if created:
                user.set_password(demo_password(username))
                user.save()
                user.groups.add(staff_group)
                department.members.add(user)
            accounts.append((username, demo_password(username), f"{department.acronym} staff"))
        return accounts
