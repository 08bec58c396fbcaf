"""Load an action plan's chart from the JSON files in fixtures/ (see fixtures/README.md for the shape).

Loading is idempotent: a record is written only when it is new or its values differ, so loading the
same files twice changes nothing, not even the history.
"""

import json
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from django.db import models, transaction

from commitments.models import (
    ActionPlan,
    Deliverable,
    DeliverableLead,
    Department,
    Objective,
    Pillar,
    ReportingPeriod,
    StatusUpdate,
    Task,
    parse_fiscal_year,
)

M = TypeVar("M", bound=models.Model)

FIXTURES_DIR = Path(__file__).resolve().parent.parent / "fixtures"
NAP_2012_DIR = FIXTURES_DIR / "nap-2012"


def upsert(model: type[M], lookup: dict[str, Any], values: dict[str, Any]) -> tuple[M, bool]:
    """Create the row, or update it only where its values differ. Returns (instance, changed)."""
    # Every model loaded here has `objects`; the base Model that M is bound to does not declare it.
    instance = model.objects.filter(**lookup).first()  # type: ignore[attr-defined]
    if instance is None:
        return model.objects.create(**lookup, **values), True  # type: ignore[attr-defined]
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if changed:
        for name in changed:
            setattr(instance, name, values[name])
        instance.save()
    return instance, bool(changed)


def read_json(path: Path) -> Any:
    with open(path, encoding="utf-8") as file:
        return json.load(file)


@transaction.atomic
def load_plan(
    directory: str | Path = NAP_2012_DIR, status_period: str = "2013-2014"
) -> tuple[ActionPlan, ReportingPeriod, int]:
    """Load plan.json and pillar-*.json; the statuses in the files belong to `status_period`.

    Statuses are written only while that period is not published: a published period never changes.
    Returns (plan, period, number of records written).
    """
    directory = Path(directory)
    data = read_json(directory / "plan.json")
    written = 0

    plan_data = data["plan"]
    plan, changed = upsert(
        ActionPlan,
        {"slug": plan_data["slug"]},
        {
            "title_en": plan_data["title_en"],
            "title_fr": plan_data["title_fr"],
            "launched": date.fromisoformat(plan_data["launched"]),
        },
    )
    written += changed

    departments = {}
    for item in data["departments"]:
        department, changed = upsert(
            Department,
            {"acronym": item["acronym"]},
            {"short_name_fr": item["acronym_fr"], "name_en": item["name_en"], "name_fr": item["name_fr"]},
        )
        departments[department.acronym] = department
        written += changed

    pillars = {}
    for item in data["pillars"]:
        pillar, changed = upsert(
            Pillar, {"plan": plan, "number": item["number"]}, {"name_en": item["name_en"], "name_fr": item["name_fr"]}
        )
        pillars[pillar.number] = pillar
        written += changed

    start_year = parse_fiscal_year(status_period)
    period = ReportingPeriod.objects.filter(plan=plan, start_year=start_year).first()
    if period is None:
        period = ReportingPeriod.objects.create(plan=plan, start_year=start_year)
        written += 1
    statuses_writable = not period.is_published

    for path in sorted(directory.glob("pillar-*.json")):
        pillar_data = read_json(path)
        pillar = pillars[pillar_data["pillar"]]
        for objective_data in pillar_data["objectives"]:
            objective, changed = upsert(
                Objective,
                {"pillar": pillar, "code": objective_data["code"]},
                {"text_en": objective_data["text_en"], "text_fr": objective_data["text_fr"]},
            )
            written += changed
            for task_data in objective_data["tasks"]:
                task, changed = upsert(
                    objective.tasks.model,
                    {"objective": objective, "code": task_data["code"]},
                    {"title_en": task_data["title_en"], "title_fr": task_data["title_fr"]},
                )
                written += changed
                for position, row in enumerate(task_data["deliverables"], start=1):
                    written += _load_deliverable(
                        task, None, position, row, row, departments, period, statuses_writable
                    )
    return plan, period, written


def _load_deliverable(
    task: Task,
    parent: Deliverable | None,
    position: int,
    row: dict[str, Any],
    lead_row: dict[str, Any],
    departments: dict[str, Department],
    period: ReportingPeriod,
    statuses_writable: bool,
) -> int:
    written = 0
    deliverable, changed = upsert(
        Deliverable,
        {"task": task, "parent": parent, "position": position},
        {
            "text_en": row["text_en"],
            "text_fr": row["text_fr"],
            "start_year": parse_fiscal_year(row["start"]) if row.get("start") else None,
            "new_in": period if row.get("new") else None,
            "lead_note_en": lead_row.get("lead_note_en", ""),
            "lead_note_fr": lead_row.get("lead_note_fr", ""),
        },
    )
    written += changed
    for lead_position, acronym in enumerate(lead_row["leads"], start=1):
        _, changed = upsert(
            DeliverableLead,
            {"deliverable": deliverable, "department": departments[acronym]},
            {"position": lead_position},
        )
        written += changed
    # A lead the files no longer print goes (a database loaded before "DFATD (Development)" became a lead of its
    # own still links the row to DFATD).
    stale, _by_model = (
        DeliverableLead.objects.filter(deliverable=deliverable)
        .exclude(department__acronym__in=lead_row["leads"])
        .delete()
    )
    written += stale
    if row.get("status") and statuses_writable:
        target = row.get("target")
        _, changed = upsert(
            StatusUpdate,
            {"deliverable": deliverable, "period": period},
            {"status": row["status"], "target_year": parse_fiscal_year(target) if target else None},
        )
        written += changed
    for item_position, item in enumerate(row.get("items", []), start=1):
        written += _load_deliverable(
            task, deliverable, item_position, item, lead_row, departments, period, statuses_writable
        )
    return written
