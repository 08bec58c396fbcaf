"""sitemap.xml (django.contrib.sitemaps): every public page in English and French, with its other language as an
alternate; only what published.py lets the public read, so a draft year, deliverable or department never appears.

Addresses are built on SITE_URL, not on the request's Host header: the sitemap is cached and given to everybody.
"""

from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from commitments.models import PublishedDeliverable, PublishedDepartment, ReportingPeriod
from napreport.public.published import current_plan, published_periods, published_rows

Item = TypeVar("Item")


class PublicSitemap(Sitemap[Item]):
    i18n = True
    languages = [code for code, _name in settings.LANGUAGES]
    alternates = True
    x_default = True  # the address without a language, which sends a visitor to theirs

    def get_protocol(self, protocol: str | None = None) -> str:
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site: object = None) -> str:
        return urlsplit(settings.SITE_URL).netloc

    def periods(self) -> list[ReportingPeriod]:
        if not hasattr(self, "_periods"):
            self._periods = published_periods(current_plan())
        return self._periods


class PageSitemap(PublicSitemap[str]):
    """The pages that are always there (home, what changed, reports and data, the data dictionary), and the lead
    departments' list once a year is published."""

    def items(self) -> list[str]:
        departments = ["public:department-list"] if self.periods() else []
        return ["public:home", *departments, "public:changes", "public:downloads", "public:data-dictionary"]

    def location(self, item: str) -> str:
        return reverse(item)

    def lastmod(self, item: str) -> datetime | None:
        periods = self.periods()
        return periods[0].published_at if periods else None


class ProgressSitemap(PublicSitemap[ReportingPeriod]):
    """Each published year's progress table."""

    def items(self) -> list[ReportingPeriod]:
        return self.periods()

    def location(self, item: ReportingPeriod) -> str:
        return reverse("public:progress", kwargs={"year": item.label})

    def lastmod(self, item: ReportingPeriod) -> datetime | None:
        return item.published_at


class DeliverableSitemap(PublicSitemap[PublishedDeliverable]):
    """Each deliverable any published year shows, with the publication of the latest year that shows it."""

    def items(self) -> list[PublishedDeliverable]:
        latest: dict[int, PublishedDeliverable] = {}
        for period in reversed(self.periods()):  # oldest first, so a later year's row replaces an earlier one
            for row in published_rows(period).only("deliverable_id", "period_id"):
                row.period = period
                latest[row.deliverable_id] = row
        return sorted(latest.values(), key=lambda row: row.deliverable_id)

    def location(self, item: PublishedDeliverable) -> str:
        return reverse("public:deliverable-detail", kwargs={"pk": item.deliverable_id})

    def lastmod(self, item: PublishedDeliverable) -> datetime | None:
        return item.period.published_at


class DepartmentSitemap(PublicSitemap[PublishedDepartment]):
    """Each department page: the departments that lead a deliverable in the latest published year."""

    def items(self) -> list[PublishedDepartment]:
        periods = self.periods()
        if not periods:
            return []
        leading = published_rows(periods[0]).values("leads")
        return list(
            PublishedDepartment.objects.filter(period=periods[0], department__in=leading)
            .select_related("period")
            .order_by("slug")
        )

    def location(self, item: PublishedDepartment) -> str:
        return reverse("public:department-detail", kwargs={"slug": item.slug})

    def lastmod(self, item: PublishedDepartment) -> datetime | None:
        return item.period.published_at


SITEMAPS: dict[str, type[Sitemap[Any]] | Sitemap[Any]] = {
    "pages": PageSitemap,
    "progress": ProgressSitemap,
    "deliverables": DeliverableSitemap,
    "departments": DepartmentSitemap,
}
