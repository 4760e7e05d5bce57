"""Excel reports: the report workbook for an Improvement Board, and one audit's feedback.

The desktop app and the command line call these; both run happily off the GUI thread on a
:class:`~auditor.store.Store` opened in the worker thread.
"""

from auditor.reports.feedback import export_audit_feedback
from auditor.reports.output import ExportCancelled, ExportError
from auditor.reports.workbook import ReportSummary, export_report, export_report_from

__all__ = [
    "ExportCancelled",
    "ExportError",
    "ReportSummary",
    "export_audit_feedback",
    "export_report",
    "export_report_from",
]
