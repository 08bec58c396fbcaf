from django.urls import path

from commitments import views

app_name = "commitments"

urlpatterns = [
    path("", views.home, name="home"),
    path("progress/<str:year>/", views.progress, name="progress"),
    path("deliverables/<int:pk>/", views.deliverable_detail, name="deliverable-detail"),
    path("departments/<slug:slug>/", views.department_detail, name="department-detail"),
    path("changes/", views.changes, name="changes"),
    path("downloads/", views.downloads, name="downloads"),
    path("downloads/<str:year>/annual-report-<str:language>.<str:file_format>", views.report_file, name="report-file"),
    path("downloads/<str:year>/action-items.<str:file_format>", views.chart_download, name="chart-download"),
]
