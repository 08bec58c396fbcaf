"""Create a staff account for a real deployment: department staff, or the coordinator."""

import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from commitments.models import Department
from commitments.roles import create_groups


class Command(BaseCommand):
    help = (
        "Create a staff account: EMAIL --department RCMP [--department CBSA], or EMAIL --coordinator. "
        "Prints a one-time password."
    )

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--department", action="append", default=[], help="Acronym as printed, e.g. RCMP. Repeat for several."
        )
        parser.add_argument("--coordinator", action="store_true", help="The taskforce coordinator: may do everything.")

    @transaction.atomic
    def handle(self, *args, email, department, coordinator, **options):
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"“{email}” is not an e-mail address.") from None
        if bool(department) == coordinator:
            raise CommandError("Give either --department ACRONYM (one or more) or --coordinator.")
        departments = []
        for acronym in department:
            found = Department.objects.filter(acronym__iexact=acronym).first()
            if found is None:
                known = ", ".join(Department.objects.order_by("acronym").values_list("acronym", flat=True))
                raise CommandError(f"Unknown department “{acronym}”. Known: {known}.")
            departments.append(found)
        User = get_user_model()
        if User.objects.filter(username__iexact=email).exists():
            raise CommandError(f"An account for {email} already exists.")
        coordinator_group, staff_group = create_groups()
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(username=email, email=email, password=password, is_staff=True)
        user.groups.add(coordinator_group if coordinator else staff_group)
        for found in departments:
            found.members.add(user)
        role = "coordinator" if coordinator else "staff of " + ", ".join(d.acronym for d in departments)
        self.stdout.write(f"Created {email} ({role}). One-time password: {password}")
