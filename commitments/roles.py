"""Who may do what: the two roles and the department scope, checked on the server.

Coordinator (the taskforce at Public Safety): everything, including the chart, reviews and periods.
Department staff: the status updates, in the open period, of deliverables their departments lead
(co-leads included) — nothing else.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, Group, Permission, User
from django.db.models import QuerySet

from commitments.models import DeliverableLead, ReportingPeriod, StatusUpdate

COORDINATOR = "Coordinator"
DEPARTMENT_STAFF = "Department staff"

STAFF_PERMISSIONS = [
    ("commitments", "view_statusupdate"),
    ("commitments", "change_statusupdate"),
    ("commitments", "view_deliverable"),
]


def is_coordinator(user: User | AnonymousUser) -> bool:
    # Asked many times while one page is built: the answer is kept on the request's user object.
    if not hasattr(user, "_is_coordinator"):
        user._is_coordinator = user.is_active and (user.is_superuser or user.groups.filter(name=COORDINATOR).exists())  # type: ignore[union-attr]
    return user._is_coordinator  # type: ignore[union-attr]


def editable_updates(user: User | AnonymousUser) -> QuerySet[StatusUpdate]:
    """The status updates `user` may change: for the coordinator, all of the period open or in review
    (reviewing means correcting too); for department staff, their departments' in the open period;
    none for anyone else. A published period is read-only for everyone."""
    if not user.is_active or not user.is_staff:
        return StatusUpdate.objects.none()
    if is_coordinator(user):
        return StatusUpdate.objects.exclude(period__state=ReportingPeriod.State.PUBLISHED)
    # The deliverables the user's departments lead, as a subquery: the same rows as joining through every lead
    # link and its members then DISTINCT, at a third of the cost (issue #17: the status list runs it a page).
    led = DeliverableLead.objects.filter(department__members=user).values("deliverable_id")
    return StatusUpdate.objects.filter(period__state=ReportingPeriod.State.OPEN, deliverable__in=led)


def create_groups() -> tuple[Group, Group]:
    """Create or refresh both groups and their permissions (run by a migration and by load_demo)."""
    coordinator, _ = Group.objects.get_or_create(name=COORDINATOR)
    coordinator.permissions.set(Permission.objects.filter(content_type__app_label__in=settings.COORDINATOR_APPS))
    staff, _ = Group.objects.get_or_create(name=DEPARTMENT_STAFF)
    staff.permissions.set(
        [Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in STAFF_PERMISSIONS]
    )
    return coordinator, staff
