"""The narrative in both languages and the draft report previews, rendered now from the live data."""

from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.functional import lazy
from django.utils.html import escape, format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from commitments.history import GuardedHistoryAdmin
from commitments.models import Deliverable, ReportingPeriod
from napreport.report.build import render_html
from napreport.report.models import NarrativeSection
from napreport.report.tasks import render_preview

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
