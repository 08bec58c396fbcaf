from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    """The public site: published progress, downloads and open data, in English and French."""

    name = "napreport.public"
    label = "public"
    verbose_name = _("Public site")

    def ready(self) -> None:
        from napreport.public import search  # noqa: F401 (its connection_created receiver)
