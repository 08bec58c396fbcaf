"""Create a staff account for a real deployment: department staff, or the coordinator."""

import math
import smtplib
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User as AuthUser
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from commitments.models import Department
from commitments.roles import create_groups


class Command(BaseCommand):
    help = (
        "Create a staff account: EMAIL --department RCMP [--department CBSA], or EMAIL --coordinator. "
        "The account has no password until its owner chooses one with the link that is e-mailed and printed. "
        "EMAIL --new-link sends an existing account a new link."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email")
        parser.add_argument(
            "--department", action="append", default=[], help="Acronym as printed, e.g. RCMP. Repeat for several."
        )
        parser.add_argument("--coordinator", action="store_true", help="The taskforce coordinator: may do everything.")
        parser.add_argument(
            "--new-link", action="store_true", help="Send an existing account a new set-password link (one expired)."
        )

    def handle(
        self, *args: Any, email: str, department: list[str], coordinator: bool, new_link: bool, **options: Any
    ) -> None:
        try:
            validate_email(email)
        except ValidationError:
            raise CommandError(f"“{email}” is not an e-mail address.") from None
        User = get_user_model()
        if new_link:
            if department or coordinator:
                raise CommandError("--new-link takes only the e-mail address of an existing account.")
            user = User.objects.filter(username__iexact=email).first()
            if user is None:
                raise CommandError(f"There is no account for {email}.")
            self.send_link(user, f"New set-password link for {user.username}")
            return
        if bool(department) == coordinator:
            raise CommandError("Give either --department ACRONYM (one or more) or --coordinator.")
        user, role = self.create(User, email, department, coordinator)
        self.send_link(user, f"Created {email} ({role}). Set-password link")

    @transaction.atomic
    def create(self, User: type[AuthUser], email: str, acronyms: list[str], coordinator: bool) -> tuple[AuthUser, str]:
        departments = []
        for acronym in acronyms:
            found = Department.objects.filter(acronym__iexact=acronym).first()
            if found is None:
                known = ", ".join(Department.objects.order_by("acronym").values_list("acronym", flat=True))
                raise CommandError(f"Unknown department “{acronym}”. Known: {known}.")
            departments.append(found)
        if User.objects.filter(username__iexact=email).exists():
            raise CommandError(f"An account for {email} already exists (--new-link sends it a new set-password link).")
        coordinator_group, staff_group = create_groups()
        # No password (an unusable one) until the owner chooses it: nothing secret is printed or kept.
        user = User.objects.create_user(username=email, email=email, password=None, is_staff=True)
        user.groups.add(coordinator_group if coordinator else staff_group)
        for found in departments:
            found.members.add(user)
        role = "coordinator" if coordinator else "staff of " + ", ".join(d.acronym for d in departments)
        return user, role

    def send_link(self, user: AuthUser, what: str) -> None:
        """Print and e-mail a link to Django's set-password page, built from SITE_URL (never a Host header).
        It works once: setting the password changes what the token was made from."""
        path = reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        link = settings.SITE_URL + path
        hours = math.ceil(settings.PASSWORD_RESET_TIMEOUT / 3600)
        self.stdout.write(f"{what} (works once, within {hours} hours): {link}")
        if not user.email:
            self.stdout.write(f"{user.username} has no e-mail address: pass the link on yourself.")
            return
        context = {"link": link, "valid_hours": hours, "user": user}
        try:
            send_mail(
                render_to_string("registration/account_created_subject.txt", context).strip(),
                render_to_string("registration/account_created_email.txt", context),
                None,
                [user.email],
            )
        except (OSError, smtplib.SMTPException) as error:
            # The account exists either way: the link above can be passed on by hand.
            raise CommandError(
                f"The link could not be e-mailed to {user.email} ({error}); pass it on yourself."
            ) from None
        self.stdout.write(f"E-mailed to {user.email}.")
