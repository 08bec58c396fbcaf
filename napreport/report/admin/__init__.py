"""The coordinator's report screens: the narrative in both languages and its draft previews (narrative.py),
the published files (published.py), and the period lifecycle, open → in review → published → the next period
(periods.py), since publishing is the report's job."""

from napreport.report.admin import narrative, periods, published  # noqa: F401 -- each module registers its screens
