"""The code's models match the databases already running: same apps, same tables, no pending migration."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command

# The tables every existing database has (created by the migrations up to commitments 0007 and napreport
# 0002). Moving code between apps must not rename any of them: that would need a migration, and a
# careless one loses data.
TABLES = {
    "commitments_actionplan",
    "commitments_chartrevision",  # new in commitments 0017: the dashboard's figures, kept between requests
    "commitments_dashboardfigures",
    "commitments_deliverable",
    "commitments_deliverablelead",
    "commitments_department",
    "commitments_historicaldeliverable",
    "commitments_historicalreportingperiod",
    "commitments_historicalstatusupdate",
    "commitments_objective",
    "commitments_pillar",
    "commitments_publisheddeliverable",
    "commitments_publisheddepartment",
    "commitments_publishedpillar",
    "commitments_reportingperiod",
    "commitments_sentreminder",  # new in commitments 0011: the reminders sent
    "commitments_statusupdate",
    "commitments_task",
    "napreport_historicalnarrativesection",
    "napreport_narrativesection",
    "napreport_publishedreport",
    "napreport_publication",  # new in napreport 0004: the publications run in the background
    "napreport_publishedfigures",  # new in napreport 0009: a published year's counts, counted once
}


def test_the_models_keep_the_tables_existing_databases_have():
    tables = {
        model._meta.db_table for model in apps.get_models() if model._meta.app_label in ("commitments", "napreport")
    }
    assert tables == TABLES


@pytest.mark.django_db
def test_the_models_need_no_migration_that_is_not_written():
    call_command("makemigrations", check=True, dry_run=True, stdout=io.StringIO())
