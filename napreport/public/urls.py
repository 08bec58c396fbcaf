from django.urls import path, register_converter

from napreport.public import downloads, views
from napreport.public.converters import CodeConverter, IdConverter

register_converter(IdConverter, "id")
register_converter(CodeConverter, "code")

app_name = "public"

urlpatterns = [
    path("", views.home, name="home"),
    path("progress/<str:year>/", views.progress, name="progress"),
    path("deliverables/<id:pk>/", views.deliverable_detail, name="deliverable-detail"),
    path("departments/<slug:slug>/", views.department_detail, name="department-detail"),
    path("changes/", views.changes, name="changes"),
    path("downloads/", downloads.downloads, name="downloads"),
    path(
        "downloads/<str:year>/annual-report-<code:language>.<code:file_format>",
        downloads.report_file,
        name="report-file",
    ),
    path("downloads/<str:year>/action-items.<code:file_format>", downloads.chart_download, name="chart-download"),
    path("downloads/data-dictionary/", downloads.data_dictionary, name="data-dictionary"),
    # Every stored file of a year's open data under one folder, by its stored name: its data package's paths.
    path("downloads/<str:year>/data/<str:name>", downloads.open_data_file, name="open-data-file"),
]
