"""Path converters of the public URLs: a value the converter refuses is simply not a page (404).

Django's own `int` and `str` converters take any number of digits or characters; a 20-digit id overflows the
database driver and a NUL byte is refused by PostgreSQL, both as errors (500) instead of "no such page".
"""

# The largest id a BigAutoField holds (DEFAULT_AUTO_FIELD).
MAX_ID = 2**63 - 1


class IdConverter:
    """A row id: 1 to 19 digits that fit in a bigint."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number <= MAX_ID:
            raise ValueError(f"{value} is not a row id.")  # the resolver treats it as no match
        return number

    def to_url(self, value: int) -> str:
        return str(value)


class CodeConverter:
    """A short lower-case code in a file name: a language ("en") or a format ("pdf", "json")."""

    regex = "[a-z]{1,10}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)
