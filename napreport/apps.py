from django.contrib.admin.apps import AdminConfig


class StaffAdminConfig(AdminConfig):
    """Django's admin, with the project's own site (branding, the staff landing page)."""

    default_site = "napreport.admin_site.StaffAdminSite"
