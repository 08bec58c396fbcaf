import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.utils.translation import override

from napreport.health import healthz
from napreport.public import urls as public_urls
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


# Last: a public page's path under a language whose words it is not in (/fr/progress/2013-2014/), sent to the page's
# own address (/fr/progres/2013-2014/). Only paths that start with a public page's first word in some language:
# any other path stays a 404, so LocaleMiddleware never takes it for a page (it would send /admin/… to /en/admin/…).
def first_words_of_public_paths() -> str:
    words = set()
    for code, _name in settings.LANGUAGES:
        with override(code):
            words |= {str(pattern.pattern).split("/")[0] for pattern in public_urls.urlpatterns}
    return "|".join(sorted(re.escape(word) for word in words if word))


LANGUAGE_CODES = "|".join(code for code, _name in settings.LANGUAGES)
urlpatterns += [
    re_path(rf"^(?P<language>{LANGUAGE_CODES})/(?P<path>(?:{first_words_of_public_paths()})/.*)$", page_in_other_words)
]
