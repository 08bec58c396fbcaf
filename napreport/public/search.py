"""Search of a year's published rows: whole words, whatever their case and accents, in English and French.

"elaborer" finds « élaborer » and "RCMP" finds "rcmp"; "labor" does not find "collaborate". Each row stores its
texts folded (commitments.models.published.search_texts, the one folding function, `fold`) as it is published, so
a search folds only its own words. On PostgreSQL the search is its full-text search
(django.contrib.postgres.search) over the stored English text with the English configuration and the stored French
text with the French one, so "campaign" also finds "campaigns" and « élaborer » finds « élaboration ». The row
stores each text's vector, computed by the database as the row is written (commitments.models.search_text), and
migration commitments 0019 indexes them (GIN). On SQLite (no full-text search in Django) each word must be a whole
word of the row, or its plural in s, es or x: one LIKE per word over the row's stored words.
"""

from django.contrib.postgres.search import SearchQuery
from django.db import connections
from django.db.models import Q, QuerySet

from commitments.models import PublishedDeliverable
from commitments.models.published import fold, words

# `fold` is imported from here by the public pages that sort by folded names.
__all__ = ["MOST_WORDS", "fold", "matching"]

# At most this many words are searched (a pasted paragraph is not a search).
MOST_WORDS = 10
# A longer word is in no text of the chart (and SQLite refuses a LIKE pattern over 50,000 bytes).
LONGEST_WORD = 1000


def matching(queryset: QuerySet[PublishedDeliverable], text: str) -> QuerySet[PublishedDeliverable]:
    """The rows of `queryset` that hold every word of `text` (at most MOST_WORDS words)."""
    searched = text.split()[:MOST_WORDS]
    if not searched:
        return queryset
    if connections[queryset.db].vendor == "postgresql":
        return full_text_matching(queryset, " ".join(fold(word) for word in searched))
    return whole_word_matching(queryset, [part for word in searched for part in words(word)][:MOST_WORDS])


def full_text_matching(queryset: QuerySet[PublishedDeliverable], query: str) -> QuerySet[PublishedDeliverable]:
    """PostgreSQL: every word in the English text (English stemming) or every word in the French text (French
    stemming), compared with the vectors each row stores (commitments.models.search_text.full_text)."""
    return queryset.filter(
        Q(search_vector_en=SearchQuery(query, config="english"))
        | Q(search_vector_fr=SearchQuery(query, config="french"))
    )


def whole_word_matching(
    queryset: QuerySet[PublishedDeliverable], searched: list[str]
) -> QuerySet[PublishedDeliverable]:
    """SQLite: each word is one of the row's stored words (its words and what they may be the plural of), in
    either language. A search of punctuation only, as PostgreSQL's, finds nothing."""
    if not searched or any(len(word) > LONGEST_WORD for word in searched):
        return queryset.none()
    for word in searched:
        queryset = queryset.filter(search_words__contains=f" {word} ")
    return queryset
