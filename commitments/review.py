"""The coordinator's review of the departments' updates."""

from django.contrib.auth.models import AnonymousUser, User

from commitments.models import StatusUpdate
from commitments.roles import is_coordinator


def answer_review(update: StatusUpdate, user: User | AnonymousUser) -> None:
    """A department's new save of a returned update answers the coordinator, who then looks at it again."""
    if not is_coordinator(user) and update.review == StatusUpdate.Review.RETURNED:
        update.review = StatusUpdate.Review.PENDING
