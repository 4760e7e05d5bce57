"""About: how each figure is computed, and when and by what the workbook was made.

``EXPLANATIONS`` is also the text of docs/reports.md (a test keeps the two the same).
"""

from __future__ import annotations

from typing import Any

from auditor import __version__
from auditor.clock import uk_time
from auditor.reports.scope import ReportScope
from auditor.reports.table import Column, TableWriter
from auditor.store.anchor import head_anchor

EXPLANATIONS: tuple[tuple[str, str], ...] = (
    (
        "Which audits count",
        "Audits that have been submitted, moderated or made final and match the filters. "
        "Drafts and deleted audits never count. Audit dates are the dates the auditor gave.",
    ),
    (
        "Framework",
        "A report is about one framework. Criteria are matched by their code across versions "
        "of the framework; the criteria listed are those of the newest version the audits used.",
    ),
    (
        "% met",
        "Audits answered Yes ÷ audits answered anything but Not applicable, for the criterion. "
        "Partly is not met. Not applicable is left out of the percentage and counted in its "
        "own column.",
    ),
    (
        "95 % confidence interval",
        "The Wilson score interval for the % met (or % good or better): the range the true "
        "figure probably lies in, given how many audits it rests on. Wide ranges mean few "
        "audits.",
    ),
    (
        "Small samples",
        "A figure resting on fewer than 10 audits is marked with an asterisk (*) and "
        "'Fewer than 10': it can swing widely from one month to the next.",
    ),
    (
        "Target and status",
        "Each criterion's target comes from the framework. Green: % met at or above the "
        "target. Amber: up to 10 points below it. Red: more than 10 points below it. "
        "Points below target: the target minus the % met (negative when above it). "
        "Criteria are listed with the largest gap below target first.",
    ),
    (
        "% met, all criteria",
        "Every Yes ÷ every answer other than Not applicable, over all criteria of the "
        "framework: each answer counts once.",
    ),
    (
        "Grades",
        "The auditor's final grade (after moderation, the moderator's). % good or better = "
        "audits graded Outstanding or Good ÷ audits with a final grade.",
    ),
    (
        "Trend",
        "The same figures for each month of audit date, and at the 6-, 12- (and later) "
        "month points the notices set targets at. Each point covers the six months up to it, "
        "counted from the start given for the report, else the programme's start, else the "
        "first date of the filter, else the first day of the month of the first audit. A "
        "point's column says which six months it covers: \"12-month point: months 7–12 "
        '(Jul–Dec 2026)".',
    ),
    (
        "Criteria furthest below target",
        "Under the Trend table and in its second chart. Ranked on the whole period, all "
        "months pooled: at "
        "0–2 audits a month a criterion swings between 0 % and 100 %, so a month's figure is "
        "no ground to rank on. Criteria below target on 10 or more audits come first, furthest "
        "below first, with their 95 % interval; those on fewer audits are not charted but "
        'named ("Also below target, on fewer than 10 audits").',
    ),
    (
        "Trend across versions",
        "When the report's framework version has a crosswalk to the version it replaced "
        '(docs/frameworks.md, "When a new version replaces an old one"), the Trend sheet '
        "keeps one row per criterion of the newest version and counts the older audits under "
        "it: an answer to an old criterion counts under the new criterion that continues it "
        "(Same, Reworded). For a Merged criterion each older audit counts **once**: Not "
        "applicable when every one of the merged criteria was, otherwise its least met answer "
        "among the others (No before Partly before Yes), so it is met only when every merged "
        "criterion answered was met. A New criterion has no figures before the change. A "
        'retired criterion keeps a row of its own after the others, marked "retired by …", '
        "with figures up to the change. A criterion whose wording changed (Reworded or "
        'Merged) says "[wording changed in version …]" after its wording, and a note under '
        "the table names each change, the date of the first audit on the new version, and the "
        "criteria reworded, merged, new and retired. Crosswalks chain back through several "
        "versions; audits on a version no crosswalk reaches are matched by criterion code, as "
        "without a crosswalk. The dashboard uses the same figures: its compliance bars and "
        "monthly % met count older audits the same way (retired criteria are not bars: they "
        "are no longer asked, but their answers count in the month's % met), † marks a "
        "criterion whose wording changed, ◆ marks the month of the first audit on the new "
        "version, and a line above the charts says which version replaced which. Without a "
        "crosswalk nothing of this changes. The Criteria, By team and By auditor sheets are "
        "not joined this way: they match answers by criterion code.",
    ),
    (
        "Actions",
        "Every action raised by the counted audits. Overdue: still open and due before the "
        "day the workbook was made; days overdue are calendar days past the due date.",
    ),
    (
        "Immediate safeguarding concerns",
        "Audits where the auditor flagged a child believed to be unsafe now.",
    ),
    (
        "Moderation",
        "Each moderation of a counted audit: the auditor's and the moderator's grade and the "
        "criteria whose answer the moderator changed.",
    ),
    (
        "Agreement",
        "Pairs of judgements of the same case file: auditor and moderator, and the two "
        "auditors of a blind double audit. % agreement = pairs that agree ÷ pairs. Cohen's "
        "kappa corrects for agreement expected by chance: 1 is perfect, 0 no better than "
        "chance; it is blank when only one answer was ever given. Each kappa has a 95 % "
        "interval (Fleiss–Cohen–Everitt); the grade also has a weighted kappa, where a "
        "one-band difference is a near miss. Pairs where either side answered Not applicable "
        "are left out, and counted. Below the table, the moderated grades: the auditor's "
        "(rows) against the moderator's (columns).",
    ),
    (
        "Pseudonymised workbooks",
        "Case references are replaced by CASE- and 12 characters from a keyed hash (HMAC-SHA256) "
        "under a secret key kept in this database: the same case has the same pseudonym in "
        "every export from this database, and the pseudonym cannot be turned back into the "
        "reference without the key. Worker and action-owner names are left out, and a case's "
        "own reference is replaced inside its evidence, actions and notes. Auditors' and "
        "moderators' names stay (the By auditor sheet needs them). Other names typed into "
        "free text are not removed: read the Evidence sheet before sharing it.",
    ),
    (
        "Evidence as typed",
        "Everything a person typed is written as text: a note that starts with =, +, - or @ "
        "is shown, never run as a formula.",
    ),
)


def write_about(wb: Any, scope: ReportScope) -> None:
    table = TableWriter(
        wb,
        "About",
        [Column("Topic", 30), Column("How it is worked out", 110)],
        table="About",
        top_aligned=True,
    )
    made = uk_time(scope.made_at)
    table.append(["Made", f"{made} by Case Auditor {__version__}"])
    table.append(["Database", scope.store.path.name])
    table.append(["Audit trail anchor", _anchor_text(scope)])
    for label, value in scope.filter_lines():
        table.append([label, value])
    for topic, text in EXPLANATIONS:
        table.append([topic, text])
    table.finish()


def _anchor_text(scope: ReportScope) -> str:
    """The database's newest trail row when the workbook was made: kept in the workbook,
    it shows later whether that database's trail was cut back or rewritten."""
    anchor = head_anchor(scope.store)
    if anchor is None:
        return "The database's audit trail had no rows yet."
    return (
        f"{anchor}: row {anchor.seq} of the audit trail of database {anchor.origin} and its "
        "hash when this workbook was made. To check later that the database's trail still "
        f"holds that row: case-auditor verify --anchor {anchor}"
    )
