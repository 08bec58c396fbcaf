"""Publishing a period: the one path that turns a period's live data into its frozen public record.

The admin, `load_demo` and the tests all publish through `publish_period`, so what the public sees
is always produced the same way.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from commitments.chart import publish_chart
from napreport.models import PART_KEYS, NarrativeSection, SectionKey


class PublishingError(Exception):
    """Publishing was refused; `missing` lists what must be written first, one sentence each."""

    def __init__(self, missing):
        super().__init__("; ".join(missing))
        self.missing = missing


def missing_for_publication(period):
    """What a period still lacks before it can be published (empty when it is ready)."""
    sections = {section.key: section for section in NarrativeSection.objects.filter(period=period)}
    missing = []
    for key in SectionKey:
        section = sections.get(key)
        if section is None or not section.body_en:
            missing.append(_("The section “%(section)s” has no English text.") % {"section": key.label})
            continue
        required = ["title_fr", "body_fr"]
        if key in PART_KEYS:
            required += ["summary_en", "summary_fr", "achievements_en", "achievements_fr"]
        for name in required:
            if not getattr(section, name):
                field = NarrativeSection._meta.get_field(name).verbose_name
                missing.append(
                    _("The section “%(section)s” has no %(field)s.") % {"section": key.label, "field": field}
                )
    return missing


@transaction.atomic
def publish_period(period):
    """Publish `period`: freeze its chart and mark it published, or raise PublishingError."""
    if period.is_published:
        raise PublishingError([_("%(period)s is already published.") % {"period": period.label}])
    missing = missing_for_publication(period)
    if missing:
        raise PublishingError(missing)
    publish_chart(period)
