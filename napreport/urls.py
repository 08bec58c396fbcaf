from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from napreport.health import healthz
from napreport.public.redirects import page_in_other_words
from napreport.public.views import robots_txt, sitemap_xml
from napreport.sign_in import PasswordResetForm

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("sitemap.xml", sitemap_xml, name="sitemap-xml"),
    # Password reset by e-mail for staff, with Django's own views; the name admin_password_reset puts
    # a "Forgotten your password?" link on the admin's sign-in page.
    path(
        "admin/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="admin_password_reset",
    ),
    path("admin/password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
urlpatterns += i18n_patterns(
    path("", include("napreport.public.urls")),
)
# Last: a path under a language that none of its pages has, tried as the same page's path in the other language
# (/fr/progress/2013-2014/ → /fr/progres/2013-2014/); anything else is the usual 404.
LANGUAGE_CODES = "|".join(code for code, _name in settings.LANGUAGES)
urlpatterns += [re_path(rf"^(?P<language>{LANGUAGE_CODES})/(?P<path>.+)$", page_in_other_words)]
