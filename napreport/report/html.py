"""The simple formatting a coordinator may use in the report's narrative, and nothing more.

Narrative text is typed in the admin and printed in the public report and its PDF, so it is
sanitised on save: paragraphs, lists, links, emphasis, sub-headings, footnotes and text boxes (`aside`)
survive, and `lang` on any of them (or on a span) for words in the other language (WCAG 3.1.2; the PDF tags them too);
scripts, styles, event handlers and every other tag or attribute are removed.
"""

import nh3

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "a", "strong", "em", "h3", "h4", "sup", "span", "aside"}
# Classes are allowed through ALLOWED_CLASSES only (nh3 refuses "class" in both).
ALLOWED_ATTRIBUTES = {"a": {"href"}, "*": {"lang"}}
ALLOWED_CLASSES = {"p": {"footnote"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(text: str | None) -> str:
    """Return `text` with only the allowed formatting; plain text without tags stays as it is."""
    if not text:
        return ""
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel=None,
    ).strip()
