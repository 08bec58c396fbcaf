"""A number the database cannot hold is the visitor's mistake (400); any other DataError is our bug (a logged 500)."""

import pytest
from django.db import DataError, connection
from django.test import RequestFactory

from napreport.middleware import ValueOutOfRangeMiddleware

middleware = ValueOutOfRangeMiddleware(lambda request: None)  # type: ignore[arg-type, return-value]


def database_error(sql: str, params: list[object]) -> Exception:
    """The exception the real database raises for `sql`, as a view would meet it."""
    with pytest.raises(Exception) as raised, connection.cursor() as cursor:
        cursor.execute(sql, params)
    return raised.value


@pytest.mark.django_db
def test_a_number_past_64_bits_from_the_real_database_is_a_400():
    if connection.vendor == "postgresql":
        exception = database_error("SELECT %s::bigint", ["9223372036854775808"])
    else:
        exception = database_error("SELECT %s", [2**64])
    response = middleware.process_exception(RequestFactory().get("/"), exception)
    assert response is not None and response.status_code == 400


@pytest.mark.django_db
def test_a_value_too_long_for_its_column_is_left_to_the_500_handler():
    if connection.vendor == "postgresql":
        exception = database_error("CREATE TEMP TABLE t (c varchar(3)); INSERT INTO t VALUES (%s)", ["four"])
        assert isinstance(exception, DataError)
    else:
        # SQLite does not enforce lengths: build what Django raises on PostgreSQL (SQLSTATE 22001 as the cause).
        cause = Exception("value too long for type character varying(3)")
        cause.pgcode = "22001"  # type: ignore[attr-defined]
        exception = DataError("value too long")
        exception.__cause__ = cause
    assert middleware.process_exception(RequestFactory().get("/"), exception) is None
