from django.urls import path, register_converter
from django.utils.translation import gettext_lazy as _

from napreport.public import downloads, views
from napreport.public.converters import CodeConverter, IdConverter

register_converter(IdConverter, "id")
register_converter(CodeConverter, "code")

app_name = "public"

# Each path is written in the page's language (/fr/progres/2013-2014/): its French is in django.po like any other
# string, msgid the English path. A path without a French translation stays English in French; old French
# addresses in English (/fr/progress/…) are sent to the French ones (napreport.public.redirects).
urlpatterns = [
    path("", views.home, name="home"),
    path(_("progress/<str:year>/"), views.progress, name="progress"),
    path(_("deliverables/<id:pk>/"), views.deliverable_detail, name="deliverable-detail"),
    path(_("departments/"), views.department_list, name="department-list"),
    path(_("departments/<slug:slug>/"), views.department_detail, name="department-detail"),
    path(_("changes/"), views.changes, name="changes"),
    path(_("downloads/"), downloads.downloads, name="downloads"),
    path(
        _("downloads/<str:year>/annual-report-<code:language>.<code:file_format>"),
        downloads.report_file,
        name="report-file",
    ),
    path(_("downloads/<str:year>/action-items.<code:file_format>"), downloads.chart_download, name="chart-download"),
    path(_("downloads/data-dictionary/"), downloads.data_dictionary, name="data-dictionary"),
    # Every stored file of a year's open data under one folder, by its stored name: its data package's paths.
    path(_("downloads/<str:year>/data/<str:name>"), downloads.open_data_file, name="open-data-file"),
]
