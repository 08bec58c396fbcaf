"""The coordinator's report screens: the narrative in both languages, draft previews, published files, and
the period lifecycle (open → in review → published → the next period), since publishing is the report's job."""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import translation
from django.utils.functional import lazy
from django.utils.html import escape, format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from commitments.history import GuardedHistoryAdmin
from commitments.models import Deliverable, ReportingPeriod
from napreport.report.build import render_html
from napreport.report.models import NarrativeSection, Publication, PublishedReport
from napreport.report.publishing import PublishingError
from napreport.report.tasks import render_preview, request_publication

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def as_text(message: "StrPromise") -> "StrPromise":
    """A translated message that names HTML tags, escaped when it is shown: the admin prints a fieldset's
    description as HTML, where "<a href>" and "<li>" would become an empty link and a stray list item."""
    return cast("StrPromise", lazy(lambda: escape(message), str)())


@admin.register(NarrativeSection)
class NarrativeSectionAdmin(GuardedHistoryAdmin):
    list_display = ["section_title", "period", "has_french", "updated_at"]
    list_filter = ["period"]
    search_fields = ["title_en", "title_fr", "body_en", "body_fr"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        (None, {"fields": ["period", "key", "updated_at"]}),
        (_("Title"), {"fields": [("title_en", "title_fr")]}),
        (
            _("Statement and key achievements (Parts I to IV only)"),
            {"fields": [("summary_en", "summary_fr"), ("achievements_en", "achievements_fr")]},
        ),
        (
            _("Text"),
            {
                "fields": [("body_en", "body_fr")],
                "description": as_text(
                    _(
                        "Simple formatting only: paragraphs (<p>), lists (<ul>, <ol>, <li>), links (<a href>), "
                        '<strong>, <em>, sub-headings (<h3>, <h4>), <sup> and footnotes (<p class="footnote">). '
                        "Anything else is removed when you save."
                    )
                ),
            },
        ),
    ]

    @admin.display(description=_("Title"), ordering="position")
    def section_title(self, section: NarrativeSection) -> str:
        return section.title  # in the coordinator's language

    @admin.display(boolean=True, description=_("French"))
    def has_french(self, section: NarrativeSection) -> bool:
        return bool(section.title_fr and section.body_fr)

    def has_change_permission(self, request: HttpRequest, obj: NarrativeSection | None = None) -> bool:
        """The narrative of a published period is part of its record: read-only."""
        if obj is not None and obj.period.is_published:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: NarrativeSection | None = None) -> bool:
        if obj is not None and obj.period.is_published:
            return False
        return super().has_delete_permission(request, obj)

    def get_urls(self) -> list[URLPattern]:
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("preview/<int:period_id>/<str:language>.<str:file_format>", preview, name="napreport_report_preview"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        periods = ReportingPeriod.objects.select_related("plan").order_by("-start_year")
        links = format_html_join("", "<li>{}</li>", ((preview_links(period),) for period in periods))
        extra_context = {**(extra_context or {}), "report_previews": format_html("<ul>{}</ul>", links)}
        return super().changelist_view(request, extra_context)

    def preview_view(self, request: HttpRequest, period_id: int, language: str, file_format: str) -> HttpResponseBase:
        """The draft report of any period, rendered now from the live data (PDF watermarked DRAFT)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        if language not in LANGUAGE_CODES or file_format not in ("html", "pdf"):
            raise Http404(_("Unknown language or format."))
        period = get_object_or_404(ReportingPeriod.objects.select_related("plan"), pk=period_id)
        if file_format == "pdf" and "task" in request.GET:
            return self.preview_from_task(request, period, language, request.GET["task"])
        if file_format == "pdf" and render_preview.get_backend().supports_get_result and renders_slowly(period):
            result = render_preview.enqueue(period.pk, language)
            return HttpResponseRedirect(f"{request.path}?{urlencode({'task': result.id})}")
        html = render_html(period, language, draft=True, for_pdf=file_format == "pdf")
        if file_format == "html":
            response = HttpResponse(html, content_type="text/html; charset=utf-8")
            # The report embeds its stylesheet; allow that one inline style sheet on this page only.
            response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
            return response
        from napreport.report.pdf import pdf_from_html  # loads WeasyPrint only when a PDF is asked for

        response = HttpResponse(pdf_from_html(html), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="draft-report-{period.label}-{language}.pdf"'
        return response

    def preview_from_task(
        self, request: HttpRequest, period: ReportingPeriod, language: str, task_id: str
    ) -> HttpResponseBase:
        """The draft PDF a task renders: a page that reloads itself until it is ready, then the PDF."""
        try:
            result = render_preview.get_result(task_id)
        except (TaskResultDoesNotExist, ValidationError, ValueError):
            raise Http404(_("No such preview.")) from None
        if list(result.args) != [period.pk, language]:
            raise Http404(_("No such preview."))
        if result.status == TaskResultStatus.SUCCESSFUL:
            response = FileResponse(default_storage.open(str(result.return_value)), content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="draft-report-{period.label}-{language}.pdf"'
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": _("Draft report %(period)s") % {"period": period.label},
            "failed": result.status == TaskResultStatus.FAILED,
        }
        return TemplateResponse(request, "admin/napreport/preview_rendering.html", context)


def renders_slowly(period: ReportingPeriod) -> bool:
    """Whether the draft PDF would take more than a few seconds (WeasyPrint: about 14 ms a chart row)."""
    return (
        Deliverable.objects.filter(task__objective__pillar__plan_id=period.plan_id).count() > PREVIEW_IN_REQUEST_ROWS
    )


# About four seconds of rendering: larger charts' draft PDFs come from a task.
PREVIEW_IN_REQUEST_ROWS = 300


@admin.register(PublishedReport)
class PublishedReportAdmin(admin.ModelAdmin):
    list_display = ["period", "language", "format", "size", "sha256", "created_at", "download"]
    list_filter = ["period", "language", "format"]
    readonly_fields = ["period", "language", "format", "file", "sha256", "size", "created_at"]

    @admin.display(description=_("File"))
    def download(self, report: PublishedReport) -> SafeString:
        url = reverse("public:report-file", args=[report.period.label, report.language, report.format])
        return format_html("<a href='{}'>{}</a>", url, _("Download"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # only publishing creates them

    def has_change_permission(self, request: HttpRequest, obj: PublishedReport | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: PublishedReport | None = None) -> bool:
        return False


@admin.register(ReportingPeriod)
class ReportingPeriodAdmin(GuardedHistoryAdmin):
    list_display = ["fiscal_year", "plan", "state", "due_date", "opened_at", "published_at"]
    list_filter = ["plan", "state"]
    readonly_fields = ["state", "opened_at", "published_at"]  # set by the lifecycle, never typed
    actions = ["start_review", "reopen", "publish", "open_next_period"]

    @admin.display(description=_("fiscal year"), ordering="start_year")
    def fiscal_year(self, period: ReportingPeriod) -> str:
        return period.label

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


# The draft previews the narrative list offers for each period: (language, format, link text).
PREVIEWS = [
    ("en", "html", _("HTML in English")),
    ("en", "pdf", _("PDF in English")),
    ("fr", "html", _("HTML in French")),
    ("fr", "pdf", _("PDF in French")),
]


def preview_links(period: ReportingPeriod) -> SafeString:
    """“2014-2015: HTML in English · PDF in English · …”, in the coordinator's language and typography."""
    links = format_html_join(
        " · ",
        "<a href='{}'>{}</a>",
        (
            (reverse("admin:napreport_report_preview", args=[period.pk, language, file_format]), text)
            for language, file_format, text in PREVIEWS
        ),
    )
    return format_html("{} {}", gettext("%(period)s:") % {"period": period.label}, links)


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
