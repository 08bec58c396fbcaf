"""What a note may hold: plain text, without the control characters that break XML and spreadsheets."""

import re
from typing import TypeVar, overload

T = TypeVar("T")

# C0 controls except tab, newline and carriage return, and DEL: Word pastes some (\x0b, a manual line break),
# and XLSX (XML 1.0) cannot hold any of them, so one such note would break every export that includes it.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


@overload
def without_control_characters(value: str) -> str: ...
@overload
def without_control_characters(value: T) -> T: ...
def without_control_characters(value: object) -> object:
    """The text without control characters; a manual line break (\\x0b, \\x0c) becomes a newline."""
    if not isinstance(value, str):
        return value
    return CONTROL_CHARACTERS.sub("", value.replace("\x0b", "\n").replace("\x0c", "\n"))
