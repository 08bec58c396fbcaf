from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = _("Action Items Chart")

    def ready(self) -> None:
        from commitments.chart_revision import install_after_migrate

        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="commitments.chart_revision")
