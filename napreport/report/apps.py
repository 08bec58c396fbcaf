from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportConfig(AppConfig):
    """The annual report: its narrative, its rendering to HTML and PDF, and publishing.

    The label stays "napreport", the label the report's models were created under, so their tables,
    migration history, content types and permissions are the same in every existing database.
    """

    name = "napreport.report"
    label = "napreport"
    verbose_name = _("Annual report")
