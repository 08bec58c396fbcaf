from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    """The public site: published progress, downloads and open data, in English and French."""

    name = "napreport.public"
    label = "public"
    verbose_name = _("Public site")

    def ready(self):
        # Connected at start-up in every process (web, worker, management command), so a publication
        # anywhere expires the cached pages, not only once some module happened to import the receiver.
        from napreport.public import published  # noqa: F401 -- connects expire_public_pages_on_publish
