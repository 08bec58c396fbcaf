"""The staff pages read as a browser reads them, for the load benchmark's writers: a form's fields with the values
the browser would post back, and the messages a page shows.

A writer that posts every field the form shows (hidden version, CSRF token, the slip reason, both notes) saves
what a person pressing Save would; one that guessed at the fields would be refused by validation and never save.
"""

import html
import re
from html.parser import HTMLParser

# The admin's messages (saved, refused as stale) and the sign-in page's error.
MESSAGE = re.compile(r'<(?:li class="(?:success|info|warning|error)"|p class="errornote")[^>]*>(.*?)</(?:li|p)>', re.S)


def messages(page: str) -> list[str]:
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", found)).split()) for found in MESSAGE.findall(page)]


class ChangeForm(HTMLParser):
    """The fields of the form with the given id, each with the value a browser would submit."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.found = self.inside = False
        self.values: dict[str, str] = {}
        self.select: str | None = None  # the <select> being read, until its first or selected option is known
        self.select_chosen = False
        self.textarea: str | None = None

    @classmethod
    def first(cls, page: str, form_id: str) -> "ChangeForm | None":
        form = cls(form_id)
        form.feed(page)
        form.close()
        return form if form.found else None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form" and attributes.get("id") == self.form_id:
            self.found = self.inside = True
        if not self.inside or "disabled" in attributes:
            return
        name = attributes.get("name")
        if tag == "input" and name:
            kind = attributes.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attributes:
                return
            self.values[name] = attributes.get("value", "on" if kind in {"checkbox", "radio"} else "")
        elif tag == "select" and name:
            self.select, self.select_chosen = name, False
        elif tag == "option" and self.select:
            # A browser sends the selected option, else the first one.
            if "selected" in attributes or self.select not in self.values:
                if not self.select_chosen:
                    self.values[self.select] = attributes.get("value", "")
                self.select_chosen = self.select_chosen or "selected" in attributes
        elif tag == "textarea" and name:
            self.textarea = name
            self.values[name] = ""

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.values[self.textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            # As a browser does, one newline right after <textarea> is not part of the value.
            self.values[self.textarea] = self.values[self.textarea].removeprefix("\n").removeprefix("\r\n")
            self.textarea = None
