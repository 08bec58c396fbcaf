"""The staff screens: the chart (the coordinator's), and the status updates departments keep."""

from commitments.admin import chart, status_updates  # noqa: F401 -- each module registers its screens
