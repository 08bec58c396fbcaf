from django.urls import path

from commitments import views

app_name = "commitments"

urlpatterns = [
    path("", views.home, name="home"),
    path("deliverables/<int:pk>/", views.deliverable_detail, name="deliverable-detail"),
    path("departments/<slug:slug>/", views.department_detail, name="department-detail"),
]
