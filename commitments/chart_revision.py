"""The database triggers that raise ChartRevision.number on every write to what the dashboard counts, so that
its stored figures (DashboardFigures) are read only while they are exact.

Triggers, not Django's signals: bulk_create, QuerySet.update, deletions by cascade and raw SQL send no signal,
and the figures must never be stale. They are installed after every `migrate` and `flush` (post_migrate), not by
a migration, because SQLite's schema editor rebuilds a table to alter it and drops the table's triggers with it: a
later migration of one of these tables would otherwise remove them without a word.

On PostgreSQL they are constraint triggers deferred to the commit: a transaction locks the revision's row only as
it commits, after every row it changed, so two transactions changing the same statuses in different orders cannot
deadlock on it, and the change and the new revision become visible together. Each transaction raises it once
(ChartRevision.raised_in). SQLite has one writer at a time: its triggers run at once, on each row.
"""

from typing import Any

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

TRIGGER = "napreport_chart_changed"
INSTALL_LOCK = 17_0017  # a PostgreSQL advisory lock's key: any number no other code of the database's uses


def counted_tables() -> list[str]:
    """The tables whose rows the dashboard's figures depend on: the statuses, their lead departments, and where a
    deliverable sits in the chart (its task, the task's objective, the objective's pillar and its number)."""
    from commitments.models import Deliverable, DeliverableLead, Objective, Pillar, StatusUpdate, Task

    return [model._meta.db_table for model in (StatusUpdate, DeliverableLead, Deliverable, Task, Objective, Pillar)]


def revision_table() -> str:
    from commitments.models import ChartRevision

    return ChartRevision._meta.db_table


def trigger_statements(vendor: str, quote: Any) -> list[str]:
    """What installs the triggers, replacing any earlier version of them."""
    revision = quote(revision_table())
    statements = []
    if vendor == "postgresql":
        # B608: the SQL holds the models' own table names, quoted, and no value from outside.
        once = "raised_in IS DISTINCT FROM txid_current()"
        raise_once = f"UPDATE {revision} SET number = number + 1, raised_in = txid_current() WHERE {once}"  # nosec B608
        statements.append(
            f"CREATE OR REPLACE FUNCTION {TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {raise_once}; RETURN NULL; END $$"
        )
        for table in counted_tables():
            statements += [
                f"DROP TRIGGER IF EXISTS {TRIGGER} ON {quote(table)}",
                f"CREATE CONSTRAINT TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON {quote(table)} "
                f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {TRIGGER}()",
            ]
    elif vendor == "sqlite":
        for table in counted_tables():
            for event in ("INSERT", "UPDATE", "DELETE"):
                name = f"{TRIGGER}_{table}_{event.lower()}"
                statements += [
                    f"DROP TRIGGER IF EXISTS {name}",
                    f"CREATE TRIGGER {name} AFTER {event} ON {quote(table)} "  # nosec B608
                    f"BEGIN UPDATE {revision} SET number = number + 1; END",
                ]
    else:  # the stored figures would go stale without a word
        raise NotImplementedError(f"No chart revision triggers for {vendor}")
    return statements


def install(connection: BaseDatabaseWrapper) -> None:
    """Install the triggers and the revision's one row, once the tables exist (a migration test may stop short
    of them)."""
    tables = set(connection.introspection.table_names())
    if revision_table() not in tables or not set(counted_tables()) <= tables:
        uninstall(connection)  # triggers writing to a table that is not there would refuse every write
        return
    from commitments.models import ChartRevision, DashboardFigures

    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # two `migrate` at once: one installs, then the other
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [INSTALL_LOCK])
        for statement in trigger_statements(connection.vendor, connection.ops.quote_name):
            cursor.execute(statement)
        ChartRevision.objects.using(connection.alias).get_or_create(pk=1)
        # A table rebuilt by a migration lost its triggers until now: what was written meanwhile (a data
        # migration, a save during the deploy) raised no revision, so no figures stored before can be trusted.
        DashboardFigures.objects.using(connection.alias).all().delete()


def uninstall(connection: BaseDatabaseWrapper) -> None:
    """Drop the triggers, whatever tables they are on."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT relname FROM pg_trigger JOIN pg_class ON pg_class.oid = tgrelid WHERE tgname = %s", [TRIGGER]
            )
            for (table,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {connection.ops.quote_name(table)}")
            cursor.execute(f"DROP FUNCTION IF EXISTS {TRIGGER}()")
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"{TRIGGER}_%"])
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER IF EXISTS {connection.ops.quote_name(name)}")


def uninstall_before_unmigrate(apps: Any, schema_editor: Any) -> None:
    """Migration 0017's reverse: before its tables are dropped."""
    uninstall(schema_editor.connection)


def install_after_migrate(using: str, **kwargs: Any) -> None:
    """post_migrate's receiver (CommitmentsConfig.ready)."""
    install(connections[using])


def count_own_changes(connection: BaseDatabaseWrapper) -> None:
    """Within a transaction on PostgreSQL, run the triggers its own changes have deferred, so that it reads the
    revision they make (a test, or a request that changed statuses before it reads the dashboard), and let its
    next change raise the revision again. Outside a transaction there is nothing deferred: every change read has
    committed with its revision."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:  # one round trip
            cursor.execute(run_deferred_triggers(connection))


def run_deferred_triggers(connection: BaseDatabaseWrapper) -> str:
    """PostgreSQL: the statements that run the triggers the transaction's own changes have deferred and let its next
    change raise the revision again, the last one returning the revision's number if they raised it."""
    revision = connection.ops.quote_name(revision_table())  # B608: as in trigger_statements
    return (
        f"SET CONSTRAINTS {TRIGGER} IMMEDIATE; SET CONSTRAINTS {TRIGGER} DEFERRED; "  # nosec B608
        f"UPDATE {revision} SET raised_in = NULL WHERE raised_in = txid_current_if_assigned() RETURNING number"
    )


def raised_alone(connection: BaseDatabaseWrapper, before: int) -> int | None:
    """Within a transaction that read the revision `before` (after count_own_changes) and has written since: the
    revision its writes raised it to, if no other transaction's write came between; else None, as when its own
    raised nothing. One statement.

    PostgreSQL: its deferred triggers run now and raise the revision once; the raise waits for any other
    transaction's raise before it, and counts on from it. So the revision is `before` + 1 exactly when this
    transaction raised it and no other did since `before` was read. From now until it commits, it holds the
    revision's row, as it would have at its commit: the caller has made its last write to what is counted.
    SQLite: one writer at a time. Another's commit after this transaction first read would make its writes fail
    (the database is locked, or its snapshot is stale), so every raise it sees since `before` is its own."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(run_deferred_triggers(connection))
            row = cursor.fetchone()
            return row[0] if row and row[0] == before + 1 else None
        revision = connection.ops.quote_name(revision_table())  # B608: as in trigger_statements
        cursor.execute(f"SELECT number FROM {revision}")  # nosec B608
        row = cursor.fetchone()
        return row[0] if row and row[0] > before else None
