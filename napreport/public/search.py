"""Search of a year's published rows: whole words, whatever their case and accents, in English and French.

"elaborer" finds « élaborer » and "RCMP" finds "rcmp"; "labor" does not find "collaborate". On PostgreSQL the
search is its full-text search (django.contrib.postgres.search): the English fields with the English
configuration, the French fields with the French one, so "campaign" also finds "campaigns" and « élaborer »
finds « élaboration ». Accents are folded on both sides with the built-in `translate()` function, which needs no
extension: `unaccent` would have to be created in the database by a migration, and a test database is created
without one. On SQLite (no full-text search in Django) each word must be a whole word of a field, folded the same
way by a Python function registered on each connection.
"""

import re
import unicodedata
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.db.models import Expression, F, Func, Q, QuerySet, TextField, Value
from django.dispatch import receiver

from commitments.models import PublishedDeliverable

ENGLISH_FIELDS = ("text_en", "task_title_en", "note_en")
FRENCH_FIELDS = ("text_fr", "task_title_fr", "note_fr")
# At most this many words are searched (a pasted paragraph is not a search).
MOST_WORDS = 10
# The name of the SQLite function that folds a text (registered by `register_fold`).
SQLITE_FOLD = "napreport_fold"


# The French ligatures, written out: "oeuvre" finds « œuvre » (Unicode does not decompose them).
LIGATURES = {"œ": "oe", "æ": "ae", "Œ": "oe", "Æ": "ae"}


def fold(text: str) -> str:
    """Lower case without accents or ligatures: “Élaborer” → “elaborer”, « Œuvre » → “oeuvre”."""
    for ligature, letters in LIGATURES.items():
        text = text.replace(ligature, letters)
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return unicodedata.normalize("NFC", "".join(char for char in decomposed if not unicodedata.combining(char)))


# The accented letters of French and English texts (and their capitals), each with its folded letter, for
# PostgreSQL's translate(), which replaces one character by one (the ligatures are replaced before it).
ACCENTED = "àâäáãåçéèêëíìîïñóòôöõúùûüýÿ"
ACCENTED += ACCENTED.upper()
FOLDED = "".join(fold(char) for char in ACCENTED)


def folded_column(field: str) -> Expression:
    """PostgreSQL: the field without accents or ligatures, as `fold` writes it (to_tsvector lowers the case)."""
    text: Expression | F = F(field)
    for ligature, letters in LIGATURES.items():
        text = Func(text, Value(ligature), Value(letters), function="replace", output_field=TextField())
    return Func(text, Value(ACCENTED), Value(FOLDED), function="translate", output_field=TextField())


def matching(queryset: QuerySet[PublishedDeliverable], text: str) -> QuerySet[PublishedDeliverable]:
    """The rows of `queryset` that hold every word of `text` (at most MOST_WORDS words)."""
    words = [fold(word) for word in text.split()[:MOST_WORDS]]
    if not words:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        return full_text_matching(queryset, " ".join(words))
    return whole_word_matching(queryset, words)


def full_text_matching(queryset: QuerySet[PublishedDeliverable], words: str) -> QuerySet[PublishedDeliverable]:
    """PostgreSQL: every word in the English fields (English stemming) or every word in the French fields (French
    stemming). alias(), not annotate(): the vectors are not selected, so the table's DISTINCT does not read them."""
    english = SearchVector(*(folded_column(field) for field in ENGLISH_FIELDS), config="english")
    french = SearchVector(*(folded_column(field) for field in FRENCH_FIELDS), config="french")
    return queryset.alias(search_en=english, search_fr=french).filter(
        Q(search_en=SearchQuery(words, config="english")) | Q(search_fr=SearchQuery(words, config="french"))
    )


def whole_word_matching(queryset: QuerySet[PublishedDeliverable], words: list[str]) -> QuerySet[PublishedDeliverable]:
    """SQLite: each word is a whole word (or its plural in s or x) of one of the fields, once folded."""
    fields = (*ENGLISH_FIELDS, *FRENCH_FIELDS)
    folded = {f"{field}_folded": Func(F(field), function=SQLITE_FOLD, output_field=TextField()) for field in fields}
    queryset = queryset.alias(**folded)
    for word in words:
        pattern = rf"\b{re.escape(word)}(?:e?s|x)?\b"
        match = Q()
        for field in fields:
            match |= Q(**{f"{field}_folded__regex": pattern})
        queryset = queryset.filter(match)
    return queryset


@receiver(connection_created)
def register_fold(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """Each new SQLite connection gets the `napreport_fold` function (the same folding as `fold`)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            SQLITE_FOLD, 1, lambda text: None if text is None else fold(text), deterministic=True
        )
