"""The period page: its lifecycle (open → in review → published → the next period), its narrative panel and
the copy of last year's narrative."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from commitments.history import GuardedHistoryAdmin
from commitments.models import ReportingPeriod
from napreport.report.edition import NUMBER_FIELDS, validate_number
from napreport.report.models import NarrativeSection, Publication
from napreport.report.publishing import PublishingError, expire_public_pages
from napreport.report.tasks import request_publication

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class ReportingPeriodForm(forms.ModelForm):
    """The period page's form: the edition's catalogue numbers and ISBNs are checked as they are typed
    (napreport.report.edition), so publishing never finds a malformed one."""

    # No Meta: the admin builds the form for ReportingPeriodAdmin's fields.

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for field in NUMBER_FIELDS:
            value = (cleaned.get(field) or "").strip()
            if field in cleaned:
                cleaned[field] = value
            if value:
                try:
                    validate_number(field, value)
                except ValidationError as error:
                    self.add_error(field, error)
        return cleaned


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(GuardedHistoryAdmin):
    form = ReportingPeriodForm
    list_display = ["fiscal_year", "plan", "state", "due_date", "opened_at", "published_at"]
    list_filter = ["plan", "state"]
    readonly_fields = ["state", "opened_at", "published_at"]  # set by the lifecycle, never typed
    actions = ["start_review", "reopen", "publish", "open_next_period"]

    @admin.display(description=_("fiscal year"), ordering="start_year")
    def fiscal_year(self, period: ReportingPeriod) -> str:
        return period.label

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        """The public home page shows the collection line from the period's switch; a cached page would keep the
        line for up to PUBLIC_CACHE_SECONDS after the coordinator turned it off, so turning it on or off empties
        the public page cache once the save commits (the only change to a period the public pages show before
        publication)."""
        super().save_model(request, obj, form, change)
        if "show_collection_progress" in form.changed_data:
            transaction.on_commit(expire_public_pages)

    def has_change_permission(self, request: HttpRequest, obj: ReportingPeriod | None = None) -> bool:
        if obj is not None and obj.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: ReportingPeriod | None = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "<int:period_id>/lifecycle/<str:step>/",
                self.admin_site.admin_view(self.lifecycle_view),
                name="commitments_reportingperiod_lifecycle",
            ),
            path(
                "<int:period_id>/copy-narrative/",
                self.admin_site.admin_view(self.copy_narrative_view),
                name="commitments_reportingperiod_copy_narrative",
            ),
            *super().get_urls(),
        ]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        period = self.get_object(request, unquote(object_id))
        if period is not None:
            extra_context = {
                **(extra_context or {}),
                **self.lifecycle_context(request, period),
                **narrative_context(request, period),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def lifecycle_context(self, request: HttpRequest, period: ReportingPeriod) -> dict[str, Any]:
        """The period page's lifecycle panel: each move with who made it and when, and the last publication."""
        publication = Publication.objects.filter(period=period).select_related("requested_by").first()
        return {
            "moves": state_moves(period),
            "publication": publication,
            "publication_stalled": publication is not None and publication.is_stalled(),
            # The page reloads itself while a publication is under way, so the coordinator sees it progress.
            "publication_running": publication is not None
            and not publication.is_finished
            and not publication.is_stalled()
            and not period.is_published,
            "may_move": self.has_change_permission(request, period),
        }

    def lifecycle_view(self, request: HttpRequest, period_id: int, step: str) -> HttpResponse:
        """The period page's buttons: POST one lifecycle step, then back to the page with what happened."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        period = get_object_or_404(ReportingPeriod.objects.select_related("plan"), pk=period_id)
        if step not in ("start_review", "reopen", "publish") or not self.has_change_permission(request, period):
            raise PermissionDenied
        getattr(self, step)(request, ReportingPeriod.objects.filter(pk=period.pk))
        return HttpResponseRedirect(reverse("admin:commitments_reportingperiod_change", args=[period.pk]))

    def copy_narrative_view(self, request: HttpRequest, period_id: int) -> HttpResponse:
        """The period page's "Copy last year's narrative" button: POST, then back to the page with what happened."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        period = get_object_or_404(ReportingPeriod.objects.select_related("plan"), pk=period_id)
        if not request.user.has_perm("napreport.add_narrativesection"):
            raise PermissionDenied
        try:
            source, count = NarrativeSection.objects.copy_previous(period)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), level=messages.ERROR)
        else:
            copied = ngettext(
                "%(count)d section of the %(source)s narrative was copied into %(period)s: update it for this year.",
                "%(count)d sections of the %(source)s narrative were copied into %(period)s: update them for "
                "this year.",
                count,
            )
            copied %= {"count": count, "source": source.label, "period": period.label}
            self.message_user(request, copied, level=messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:commitments_reportingperiod_change", args=[period.pk]))

    @admin.action(description=_("Close for review (departments can no longer update)"), permissions=["change"])
    def start_review(self, request: HttpRequest, queryset: QuerySet[ReportingPeriod]) -> None:
        self.move(
            request,
            queryset,
            ReportingPeriod.start_review,
            ngettext_lazy("%(count)d period moved to review.", "%(count)d periods moved to review.", "count"),
        )

    @admin.action(description=_("Reopen for updates"), permissions=["change"])
    def reopen(self, request: HttpRequest, queryset: QuerySet[ReportingPeriod]) -> None:
        self.move(
            request,
            queryset,
            ReportingPeriod.reopen,
            ngettext_lazy(
                "%(count)d period reopened for updates.", "%(count)d periods reopened for updates.", "count"
            ),
        )

    def move(
        self,
        request: HttpRequest,
        queryset: QuerySet[ReportingPeriod],
        step: Callable[[ReportingPeriod, Any], None],
        done: "StrPromise",
    ) -> None:
        count = 0
        for period in queryset:
            try:
                step(period, request.user)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), level=messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done % {"count": count})

    @admin.action(description=_("Publish (renders and freezes the annual report)"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[ReportingPeriod]) -> None:
        """Queue the publication: a background task renders and freezes it; the period's page shows progress."""
        for period in queryset:
            try:
                # Behind admin_view, the user is a signed-in staff member, never AnonymousUser.
                request_publication(period, cast(User, request.user), translation.get_language())
            except PublishingError as error:
                items = format_html_join("", "<li>{}</li>", ((message,) for message in error.missing))
                heading = gettext("%(period)s was not published:") % {"period": period.label}
                self.message_user(request, format_html("{} <ul>{}</ul>", heading, items), level=messages.ERROR)
            else:
                url = reverse("admin:commitments_reportingperiod_change", args=[period.pk])
                self.message_user(
                    request,
                    format_html(
                        "{} <a href='{}'>{}</a>",
                        gettext("%(period)s is being published in the background.") % {"period": period.label},
                        url,
                        gettext("Follow its progress on the period’s page."),
                    ),
                )

    @admin.action(description=_("Open the next period (carries every status forward)"), permissions=["change"])
    def open_next_period(self, request: HttpRequest, queryset: QuerySet[ReportingPeriod]) -> None:
        for period in queryset:
            try:
                following = period.open_next()
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), level=messages.ERROR)
            except IntegrityError:  # the database refuses a second unpublished period
                self.message_user(
                    request,
                    gettext("The next period of %(period)s is already open.") % {"period": period.label},
                    level=messages.ERROR,
                )
            else:
                self.message_user(request, gettext("%(period)s is open for updates.") % {"period": following.label})


def narrative_context(request: HttpRequest, period: ReportingPeriod) -> dict[str, Any]:
    """The period page's narrative panel: its sections, or the earlier narrative it can start from."""
    sections = period.narrative_sections.count()
    may_copy = not sections and not period.is_published and request.user.has_perm("napreport.add_narrativesection")
    return {
        "narrative_sections": sections,
        "narrative_url": reverse("admin:napreport_narrativesection_changelist")
        + "?"
        + urlencode({"period__id__exact": period.pk}),
        "narrative_source": NarrativeSection.objects.copy_source(period) if may_copy else None,
    }


def state_moves(period: ReportingPeriod) -> list[dict[str, Any]]:
    """Each change of the period's state, oldest first: (state label, who, when), from its history."""
    moves = []
    previous = None
    for record in period.history.order_by("history_date", "history_id").select_related("history_user"):
        if record.state != previous:
            moves.append(
                {
                    "state": ReportingPeriod.State(record.state).label,
                    "user": record.history_user,
                    "date": record.history_date,
                }
            )
            previous = record.state
    return moves
