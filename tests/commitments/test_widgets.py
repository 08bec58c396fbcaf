"""The quick-update list's rows are rendered in Python (ListRowRenderer) exactly as Django's widget templates
render them: the same page, byte for byte, in both languages, with errors, refused values and published rows."""

import re

import pytest
from django.contrib import admin
from django.forms.renderers import DjangoTemplates
from django.urls import reverse
from django.utils import translation

from commitments.admin.status_forms import QuickUpdateForm
from commitments.admin.status_updates import StatusUpdateAdmin
from commitments.admin.widgets import LIST_ROW_RENDERER, ListRowRenderer
from commitments.models import Deliverable, StatusUpdate
from tests.commitments.staff_requests import client_for, list_data

LIST = reverse("admin:commitments_statusupdate_changelist")


def page(role, monkeypatch, renderer, language, posted=None):
    """The list's page as `role` reads it with `renderer` (the target's rows first), without its CSRF token."""
    monkeypatch.setattr(QuickUpdateForm, "default_renderer", renderer)
    monkeypatch.setattr(StatusUpdateAdmin, "action_checkbox_renderer", renderer)
    client = client_for(role)
    if posted:
        response = client.post(LIST, posted, HTTP_ACCEPT_LANGUAGE=language)
    else:
        response = client.get(LIST, {"q": "Dedicated Integrated"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff_a", "coordinator"])
@pytest.mark.parametrize("language", ["en", "fr-CA"])
def test_the_list_reads_the_same_as_through_djangos_widget_templates(target, role, language, monkeypatch):
    # Text a template escapes, in a note shown in a textarea and in last year's column.
    StatusUpdate.objects.filter(pk=target.pk).update(note_en='<b>"Q&A"</b> l\'équipe « RCMP »', note_fr="a & b")
    fast = page(role, monkeypatch, LIST_ROW_RENDERER, language)
    assert fast == page(role, monkeypatch, DjangoTemplates(), language)
    assert "&lt;b&gt;&quot;Q&amp;A&quot;&lt;/b&gt; l&#x27;équipe « RCMP »</textarea>" in fast
    assert re.search(r'<select name="form-0-status"[^>]*>\n  <option value="">', fast)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr-CA"])
def test_a_refused_row_reads_the_same_as_through_djangos_widget_templates(rcmp_pair, language, monkeypatch):
    target, other = rcmp_pair
    # "On track" without its year: the row comes back with its error list and the values typed.
    data = list_data(
        rcmp_pair, {target.pk: {"status": "on_track", "note_en": "x < y"}, other.pk: {"target_year": "abc"}}
    )
    fast = page("staff_a", monkeypatch, LIST_ROW_RENDERER, language, posted=data)
    assert fast == page("staff_a", monkeypatch, DjangoTemplates(), language, posted=data)
    assert fast.count('<ul class="errorlist"') >= 2 and "x &lt; y</textarea>" in fast


def test_a_template_it_does_not_write_goes_through_the_template_engine():
    context = {"widget": {"name": "contact", "value": "a@b.ca", "attrs": {"required": True}, "type": "email"}}
    context["widget"].update(required=True, is_hidden=False, template_name="django/forms/widgets/email.html")
    assert "django/forms/widgets/email.html" not in ListRowRenderer.fast
    expected = DjangoTemplates().render("django/forms/widgets/email.html", context)
    assert LIST_ROW_RENDERER.render("django/forms/widgets/email.html", context) == expected
    assert expected == '<input type="email" name="contact" value="a@b.ca" required>'


@pytest.mark.django_db
def test_the_row_checkbox_is_djangos_own(target):
    """The action checkbox the status list writes itself (StatusColumnsMixin.action_checkbox) is Django's markup, in
    both languages (the page comparisons above also cover it, and its column heading)."""
    Deliverable.objects.filter(pk=target.deliverable_id).update(text_en='Raise <b>"awareness"</b> & more')
    update = StatusUpdate.objects.select_related("deliverable__task").get(pk=target.pk)
    django_admin = admin.ModelAdmin(StatusUpdate, admin.site)
    ours = admin.site.get_model_admin(StatusUpdate)
    for language in ("en", "fr"):
        with translation.override(language):
            assert ours.action_checkbox(update) == django_admin.action_checkbox(update)
    assert ours.action_checkbox(update).startswith('<input type="checkbox" name="_selected_action" value="')
    assert "&lt;b&gt;&quot;awareness&quot;&lt;/b&gt; &amp; more" in ours.action_checkbox(update)
