"""The status update's forms: the change form (with the slip reason) and one row of the quick-update list."""

from typing import Any, cast

from django import forms
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from commitments.admin.widgets import LIST_ROW_RENDERER
from commitments.models import (
    ReportingPeriod,
    StatusUpdate,
    is_slip,
    status_label,
)

STAFF_FIELDS = ["status", "target_year", "note_en", "note_fr"]
SLIP_FIELDS = ["slip_reason", "slip_note_en", "slip_note_fr"]  # asked when the target moves later
QUICK_FIELDS = STAFF_FIELDS  # editable in the list itself
CHART_ORDER = [
    "deliverable__task__objective__pillar__number",
    "deliverable__task__objective__sort_key",
    "deliverable__task__sort_key",
    "deliverable__chart_position",
]


def in_french() -> bool:
    return (get_language() or "en")[:2] == "fr"


def last_year(update: StatusUpdate) -> tuple[str | None, int | None]:
    """Last year's status and target of `update`: annotated by the list's queryset, else one query."""
    if hasattr(update, "previous_status"):
        return update.previous_status, update.previous_target  # type: ignore[attr-defined]  # with_previous()
    previous = update.previous_update() if update.period_id else None
    return (previous.status, previous.target_year) if previous else (None, None)


class StatusUpdateForm(forms.ModelForm):
    """Carries the version it was read at, so a save over someone else's newer change is refused."""

    read_version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = StatusUpdate
        fields = [*STAFF_FIELDS, *SLIP_FIELDS, "review", "review_comment"]
        widgets = {
            "slip_note_en": forms.Textarea(attrs={"rows": 2, "cols": 60}),
            "slip_note_fr": forms.Textarea(attrs={"rows": 2, "cols": 60}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.fields["read_version"].required = False  # a new status has no earlier version to protect
        elif not self.is_bound:
            self.initial["read_version"] = self.instance.version

    def has_changed(self) -> bool:
        # The version someone else's save moved on is not a change of ours: the quick-update list
        # saves only the rows a person edited, and each of those is checked against its version.
        return any(name != "read_version" for name in self.changed_data)

    def clean(self) -> dict[str, Any]:
        # ModelForm.clean() returns self.cleaned_data; django-stubs types it as possibly None.
        cleaned_data = cast(dict[str, Any], super().clean())
        self.clean_slip(cleaned_data)
        return cleaned_data

    def clean_slip(self, cleaned_data: dict[str, Any]) -> None:
        """A target later than last year's needs a reason and a sentence in each language; any other
        status carries none (a reason given for a slip since undone is cleared)."""
        if not self.instance.period_id and not cleaned_data.get("period"):
            return
        if not self.instance.period_id:
            self.instance.period = cleaned_data["period"]
            self.instance.deliverable = cleaned_data.get("deliverable")
        previous_status, previous_target = last_year(self.instance)
        if not is_slip(previous_status, previous_target, cleaned_data.get("status"), cleaned_data.get("target_year")):
            for name in SLIP_FIELDS:
                if name in self.fields:
                    cleaned_data[name] = ""
                else:
                    setattr(self.instance, name, "")
            return
        before = status_label(previous_status, previous_target)
        if "slip_reason" not in self.fields:  # the quick-update list: the reason is asked on the form
            if not (self.instance.slip_reason and self.instance.target_year == cleaned_data.get("target_year")):
                self.add_error(
                    "target_year",
                    gettext(
                        "This is later than last year's “%(before)s”: open the deliverable's form to say why "
                        "the target moved."
                    )
                    % {"before": before},
                )
            return
        if not cleaned_data.get("slip_reason"):
            self.add_error(
                "slip_reason",
                gettext("Last year this was “%(before)s”: say why the target moved later.") % {"before": before},
            )
        for name in ("slip_note_en", "slip_note_fr"):
            if not (cleaned_data.get(name) or "").strip():
                self.add_error(name, gettext("Say in a sentence why the target moved, in each official language."))


class QuickUpdateForm(StatusUpdateForm):
    """One row of the quick-update list: status, target year and English note, beside the row's text."""

    default_renderer = LIST_ROW_RENDERER  # a page renders some 600 of its widgets: see ListRowRenderer

    class Meta:
        model = StatusUpdate
        fields = QUICK_FIELDS
        widgets = {
            "status": forms.Select(attrs={"aria-label": _("This year's status")}),
            "target_year": forms.NumberInput(
                attrs={"aria-label": _("On track for (fiscal year it starts)"), "class": "vIntegerField"}
            ),
            "note_en": forms.Textarea(attrs={"rows": 3, "cols": 28, "aria-label": _("Progress note (English)")}),
            "note_fr": forms.Textarea(
                attrs={"rows": 3, "cols": 28, "aria-label": _("Progress note (French)"), "lang": "fr"}
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in QUICK_FIELDS:
            # The page carries the values it showed, so a row counts as edited when the person changed it,
            # not when someone else's save moved it on since (that row is then refused as stale).
            self.fields[name].show_hidden_initial = True
        # A published period's row is shown, not offered for editing (the server refuses it anyway).
        if self.instance.pk and self.instance.period.state == ReportingPeriod.State.PUBLISHED:
            for field in self.fields.values():
                field.disabled = True
        self.conflict = None  # set by clean() when someone else saved this row since the page was read

    def clean(self) -> dict[str, Any]:
        cleaned_data = super().clean()
        read_version = cleaned_data.get("read_version")
        stale = self.instance.pk and read_version is not None and read_version != self.instance.version
        # Someone saved this row since the page was read: it is not saved with the others, but shown beside
        # their version (has_changed() is then False, so the list leaves it alone).
        if stale and any(name != "read_version" for name in self.changed_data):
            self.conflict = read_version
        return cleaned_data

    def has_changed(self) -> bool:
        return self.conflict is None and super().has_changed()
