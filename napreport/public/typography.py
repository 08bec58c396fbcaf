"""French typography of the public pages: the report's formatter (napreport.report.typography), which the public
pages share, since the report may not import from the public site."""

from napreport.report.typography import NBSP, french_typography, typography

__all__ = ["NBSP", "french_typography", "typography"]
