"""Admin widgets that hold up against hand-made form data."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db.models import ForeignKey
from django.forms import ModelChoiceField
from django.http import HttpRequest

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
