"""Admin widgets that hold up against hand-made form data, and the renderer of the status list's row widgets."""

import html
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db.models import ForeignKey
from django.forms import ModelChoiceField
from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # in Django, not in its stubs

if TYPE_CHECKING:
    from django.contrib.admin.options import BaseModelAdmin

    _AdminBase = BaseModelAdmin[Any]
else:
    _AdminBase = object


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget looks up the submitted value to show it again on a refused form, and a
    value that is not a key (text, a number past 64 bits) makes that lookup fail with a 500 instead of the
    form's "Select a valid choice" message. Values that cannot be a key are shown as nothing selected."""

    def optgroups(self, name: str, value: Sequence[Any], attr: dict[str, Any] | None = None) -> list[Any]:
        return super().optgroups(name, [item for item in value if item in ("", None) or self.is_key(item)], attr)

    def is_key(self, item: Any) -> bool:
        target = self.field.target_field
        try:
            key = target.to_python(item)
            target.run_validators(key)
        except (ValidationError, TypeError, ValueError):
            return False
        # SQLite reports no range for its integers, yet refuses one past 64 bits.
        return not isinstance(key, int) or -(2**63) <= key < 2**63


class SafeAutocompleteMixin(_AdminBase):
    """For a ModelAdmin or inline with autocomplete_fields: the widget above instead of Django's."""

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField | None:
        if db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def shown(value: Any) -> str:
    """`{{ value }}` in a template: localized, then escaped unless safe. Most values are plain text, which Django's
    escape() writes as html.escape() does, after a check for lazy arguments that took a tenth of the list's time."""
    if type(value) is str:
        return html.escape(value)
    return conditional_escape(localize(template_localtime(value)))


def formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}` in a template (the filter keeps a safe value safe)."""
    text = str(value)
    return text if isinstance(value, SafeData) else html.escape(text)


def rendered_attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {shown(name)}" if value is True else f' {shown(name)}="{formatted(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def rendered_input(context: dict[str, Any]) -> str:
    """django/forms/widgets/input.html (hidden, number and text include it)."""
    widget = context["widget"]
    value = "" if widget["value"] is None else f' value="{formatted(widget["value"])}"'
    attrs = rendered_attrs(widget["attrs"])
    return f'<input type="{shown(widget["type"])}" name="{shown(widget["name"])}"{value}{attrs}>'


def rendered_textarea(context: dict[str, Any]) -> str:
    """django/forms/widgets/textarea.html."""
    widget = context["widget"]
    value = shown(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{shown(widget["name"])}"{rendered_attrs(widget["attrs"])}>\n{value}</textarea>'


def rendered_option(option: dict[str, Any]) -> str:
    """django/forms/widgets/select_option.html."""
    attrs = rendered_attrs(option["attrs"])
    return f'<option value="{formatted(option["value"])}"{attrs}>{shown(option["label"])}</option>'


def rendered_select(context: dict[str, Any]) -> str:
    """django/forms/widgets/select.html, its options included (their template's line end kept)."""
    widget = context["widget"]
    parts = [f'<select name="{shown(widget["name"])}"{rendered_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{shown(group_name)}">')
        parts.extend(f"\n  {rendered_option(option)}\n" for option in group_choices)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def rendered_errors(context: dict[str, Any]) -> str:
    """django/forms/errors/list/default.html (which includes ul.html)."""
    errors = context["errors"]
    if not errors:
        return ""
    field_id = f' id="{shown(errors.field_id)}_error"' if getattr(errors, "field_id", None) else ""
    items = "".join(f"<li>{shown(error)}</li>" for error in errors)
    return f'<ul class="{shown(context["error_class"])}"{field_id}>{items}</ul>'


class ListRowRenderer(DjangoTemplates):
    """The quick-update list's widgets written in Python, as Django's own templates write them, byte for byte
    (tests/commitments/test_widgets.py compares them). A page of 50 rows renders some 600 widgets and error lists,
    and through the template engine they were most of the list's time: 100 ms of the coordinator's 150 ms on an
    idle machine (issue #17). Any other template goes through the engine as usual."""

    fast: dict[str, Callable[[dict[str, Any]], str]] = {
        "django/forms/widgets/input.html": rendered_input,
        "django/forms/widgets/checkbox.html": rendered_input,  # the admin's action checkbox (status_columns)
        "django/forms/widgets/hidden.html": rendered_input,
        "django/forms/widgets/number.html": rendered_input,
        "django/forms/widgets/text.html": rendered_input,
        "django/forms/widgets/textarea.html": rendered_textarea,
        "django/forms/widgets/select.html": rendered_select,
        "django/forms/errors/list/default.html": rendered_errors,
        "django/forms/errors/list/ul.html": rendered_errors,
    }

    def render(self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> str:
        render = self.fast.get(template_name)
        if render is None or not self.renders_options(context):
            return super().render(template_name, context, request)
        return render(context)

    @staticmethod
    def renders_options(context: dict[str, Any]) -> bool:
        """Whether a select's options all use Django's own option template (the one written above)."""
        groups = context.get("widget", {}).get("optgroups", ())
        return all(
            option["template_name"] == "django/forms/widgets/select_option.html"
            for _name, options, _index in groups
            for option in options
        )


LIST_ROW_RENDERER = ListRowRenderer()
