"""Searches that read what the database stored, not what it computes for each row at each search (issue #17).

The staff's search costs one plain LIKE per row. Django's admin searches each field with `icontains`, which
PostgreSQL runs as UPPER(column) LIKE UPPER(term): it upper-cased both languages' text of every deliverable of the
list at every search, and the list ran it twice (its count and its page). At 100x the chart that was 60-70 ms a
query, nearly all of it the case mapping. The deliverable keeps its two texts lower-cased in a column the database
itself maintains (`folded_text`, a generated column, so every write path keeps it right, bulk updates included),
and `folded_contains` compares it with the term lowered by the same database function, so both sides are folded
alike.

These stored columns are the database's own: generated from the model's texts, left out of serialized data (a
backup restores the texts, and the database computes them again), and not loaded with the rows
(`SearchColumnsDeferred`)."""

from typing import Any

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models.functions import Concat, Lower
from django.db.models.lookups import Contains


class FoldedText(models.TextField):
    """A column of lower-cased text, searched with `folded_contains`."""


@FoldedText.register_lookup
class FoldedContains(Contains):
    """`contains`, the searched term lowered by the database's LOWER() (the one that folded the column).

    As a search field: "<path>__folded_contains" (Django's admin uses a lookup named in search_fields as is)."""

    lookup_name = "folded_contains"

    def get_rhs_op(self, connection: Any, rhs: str) -> str:
        return connection.operators[super().lookup_name] % f"LOWER({rhs})"


def folded(*fields: str) -> models.GeneratedField:
    """A stored column holding `fields` lower-cased and joined by a space."""
    parts: list[Any] = []
    for field in fields:
        parts += [models.Value(" "), models.F(field)] if parts else [models.F(field)]
    return models.GeneratedField(
        expression=Lower(Concat(*parts, output_field=models.TextField())),
        output_field=FoldedText(),
        db_persist=True,
        serialize=False,
    )


class StoredVector(SearchVector):
    """PostgreSQL's to_tsvector(config, text); NULL on SQLite, which has no full-text search in Django."""

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list[Any]]:
        return "NULL", []


def full_text(field: str, config: str) -> models.GeneratedField:
    """A stored column holding `field` as PostgreSQL's full-text search parses it in the `config` language.

    The public search compares it. Computing to_tsvector for each row at each search cost about 0.1 ms a row: at
    10x the chart PostgreSQL chose to filter a year's 1,090 rows by computing it (130 ms) rather than use the
    expression's GIN index, whose cost it underestimated."""
    return models.GeneratedField(
        expression=StoredVector(field, config=config),
        output_field=SearchVectorField(null=True),
        db_persist=True,
        serialize=False,
    )


class SearchColumnsDeferred(models.Manager[Any]):
    """Rows loaded without their generated columns: the database compares them, and no page, file or report reads
    them (a published row's two vectors are half as long again as its texts; publishing reads every row)."""

    def get_queryset(self) -> models.QuerySet[Any]:
        generated = [field.attname for field in self.model._meta.concrete_fields if field.generated]
        return super().get_queryset().defer(*generated)
