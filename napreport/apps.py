from django.contrib.admin.apps import AdminConfig
from django.contrib.staticfiles import apps as staticfiles


class StaffAdminConfig(AdminConfig):
    """Django's admin, with the project's own site (branding, the staff landing page)."""

    default_site = "napreport.admin_site.StaffAdminSite"


class StaticFilesConfig(staticfiles.StaticFilesConfig):
    """django.contrib.staticfiles, leaving out the GCDS fonts' stylesheets: they are templates to edit
    (url("path/to/file/…")), which collectstatic's manifest would fail to find; static/css/gcds-site.css declares
    the fonts itself."""

    gcds_font_stylesheets = ["gcds-lato.css", "gcds-noto-sans.css", "gcds-noto-sans-mono.css", "gcds-icons.css"]
    ignore_patterns = [*staticfiles.StaticFilesConfig.ignore_patterns, *gcds_font_stylesheets]
