"""A framework as an Excel workbook: what a QA lead fills in instead of a TOML file.

The layout (one sheet each, see ``docs/frameworks.md``): *How to fill this in* (read only by
people), *Framework* (code, title, version, description), *Grading* (the thresholds and the
limiting cap), *Scales* (one row an answer), *Sections* (code, title, order), *Criteria* (one
row a criterion: code, section, wording, guidance, scale, case types, target, limiting,
source clauses, condition) and *Timescales*.

Reading a workbook turns it into the same TOML text a framework file holds and hands that to
:func:`~auditor.frameworks.model.parse_framework`, so every rule of the file format is checked
by the one parser. Before that, every cell is checked here and every problem is named by
sheet, row and column, all of them at once: nothing is imported until the whole file is
sound. Writing goes the other way, from a :class:`Framework`, so export then import gives
back an equal framework.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from auditor.domain import CASE_DATE_FIELDS, CASE_TYPE_LABELS, GRADE_LABELS, CaseType, Grade
from auditor.errors import FrameworkError, ValidationError
from auditor.frameworks.model import (
    ALL_CASE_TYPES,
    AUDIT_DATE,
    TIMESCALE_UNITS,
    Criterion,
    Framework,
    GradingRules,
    parse_framework,
)
from auditor.frameworks.toml_text import EXAMPLE_TOML, framework_toml
from auditor.words import plural

HOW_TO = "How to fill this in"
FRAMEWORK, GRADING, SCALES, SECTIONS, CRITERIA, TIMESCALES = (
    "Framework",
    "Grading",
    "Scales",
    "Sections",
    "Criteria",
    "Timescales",
)
# A real framework has tens of criteria; a sheet longer than this is not a framework.
MAX_ROWS = 2_000
MAX_COLUMNS = 40
VALIDATED_ROWS = 500  # how far down the drop-down lists reach in an exported sheet
ALL = "All"
YES, NO = "Yes", "No"
CONDITION_FORM = "CODE = answer"  # several answers: CODE = answer, answer

# Key/value sheets: the label in column Field, and the key it stands for.
FRAMEWORK_FIELDS = {
    "Code": "code",
    "Title": "title",
    "Version": "version",
    "Description": "description",
}
GRADING_FIELDS = {
    "Outstanding from (%)": "outstanding_min",
    "Good from (%)": "good_min",
    "Requires improvement from (%)": "requires_improvement_min",
    "Limiting cap": "limiting_cap",
    "Target for % good or better (%)": "good_or_better_target",
}
GRADING_MEANING = {
    "outstanding_min": "Compliance at or above this suggests Outstanding.",
    "good_min": "Compliance at or above this (and below Outstanding) suggests Good.",
    "requires_improvement_min": "At or above this suggests Requires improvement to be good; "
    "below it, Inadequate.",
    "limiting_cap": "A No on a limiting criterion caps the suggested grade at this.",
    "good_or_better_target": "The share of audits graded Outstanding or Good that the board "
    "pack measures against; leave empty for no target.",
}

# Table sheets: (header, width, wrapped). The first column of each is required.
SCALE_COLUMNS = (
    ("Scale", 18, False),
    ("Scale label", 30, True),
    ("Answer code", 14, False),
    ("Answer label", 22, True),
    ("Key", 6, False),
    ("Score", 8, False),
    ("Asks for evidence", 12, False),
)
SECTION_COLUMNS = (("Code", 14, False), ("Title", 40, True), ("Order", 8, False))
CRITERION_COLUMNS = (
    ("Code", 12, False),
    ("Section", 12, False),
    ("Wording", 50, True),
    ("Guidance", 60, True),
    ("Scale", 16, False),
    ("Case types", 22, True),
    ("Target", 8, False),
    ("Limiting", 9, False),
    ("Source clauses", 40, True),
    ("Condition", 18, True),
)
TIMESCALE_COLUMNS = (
    ("Code", 16, False),
    ("Label", 50, True),
    ("From", 22, False),
    ("To", 22, False),
    ("Limit", 7, False),
    ("Unit", 13, False),
    ("Case types", 22, True),
    ("Source", 40, True),
)

FONT = "Calibri"
HEADER_FONT = Font(name=FONT, bold=True, color="FFFFFF")
LINE_HEIGHT = 15  # points, one line of 11-point text
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
CENTRE = Alignment(vertical="top", horizontal="center")
NARROW = 9  # columns this narrow hold a short value: centred

HOW_TO_TEXT = (
    ("How to fill in this framework workbook", True),
    (
        "Each sheet holds one part of the audit tool. Change the rows, keep the headers: Case "
        "Auditor reads the sheets by their names and the columns by their headers.",
        False,
    ),
    (
        "Framework: the code (short, never changed once audits use it), the title auditors see, "
        "the version (give a changed framework a new version) and a description.",
        False,
    ),
    (
        "Grading: the compliance thresholds for the suggested grade, falling from Outstanding "
        "to Requires improvement, the grade a No on a limiting criterion caps it at, and "
        "(optional) the target for the % of audits graded good or better.",
        False,
    ),
    (
        "Scales: one row an answer. Rows with the same Scale code make one scale, in order. "
        "Score is from 0 to 1; leave it empty for Not applicable. Key is the keyboard key that "
        "picks the answer. Asks for evidence: Yes or No (empty: Yes for answers scoring less "
        "than 1).",
        False,
    ),
    ("Sections: code, title and order (the order auditors see them in).", False),
    (
        "Criteria: one row a criterion, in the order auditors see them. Section is a code from "
        "the Sections sheet, Scale a code from the Scales sheet. Case types: All, or one or "
        "more of Early help, Child in need, Child protection, Child looked after, Care leaver, "
        "separated by commas. Target: a percentage from 0 to 100, or empty. Limiting: Yes if a "
        "No caps the grade. Source clauses: the clauses it comes from, one a line (Alt+Enter) "
        "or separated by semicolons. Condition: empty, or CODE = answer (for example "
        "PLAN-00 = yes) to ask it only when that criterion has that answer.",
        False,
    ),
    (
        "Timescales: checked from the case's dates. From and To are date fields of the case "
        "(or audit_date), Limit a whole number, Unit one of working_days, days, weeks, months.",
        False,
    ),
    (
        "Import it with File → Import framework… or case-auditor frameworks import FILE.xlsx. "
        "Every problem is listed with its sheet, row and column, and nothing is imported until "
        "the whole workbook is right.",
        False,
    ),
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a workbook, where it is."""

    sheet: str
    row: int | None
    column: str | None
    text: str

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column}"
        return f"{where}: {self.text}"


@dataclass(frozen=True)
class ImportedFramework:
    framework: Framework
    added: bool  # False: the same framework was already in the database

    def describe(self) -> str:
        f = self.framework
        what = (
            f"{f.title} ({f.code} version {f.version}): {plural(len(f.criteria), 'criterion')} "
            f"in {plural(len(f.sections), 'section')}"
        )
        if self.added:
            return f"Imported the framework {what}."
        return f"The framework {what} is already in this database, unchanged: nothing to add."


# =======================================================================================
# Reading


def read_framework_workbook(path: Path) -> Framework:
    """The framework a workbook describes. :class:`ValidationError` lists every problem."""
    path = Path(path)
    text, reader = _read(path)
    try:
        return parse_framework(text, origin=path.name)
    except FrameworkError as exc:  # a rule of the file format not checked cell by cell
        raise problems_error(path.name, [reader.locate(str(exc), path.name)]) from None


def workbook_toml(path: Path) -> str:
    """The framework-file (TOML) text of a workbook whose every cell is sound; the file
    format's own rules are then checked by :func:`parse_framework`."""
    return _read(Path(path))[0]


def _read(path: Path) -> tuple[str, _WorkbookReader]:
    from auditor.importing.errors import ImportFileError
    from auditor.importing.xlsx_reader import check_archive

    try:
        check_archive(path)  # not a workbook, encrypted, a zip bomb, XML entity tricks
    except ImportFileError as exc:
        raise FrameworkError(str(exc)) from None
    except FileNotFoundError:
        raise FrameworkError(f"{path} does not exist") from None
    except OSError as exc:
        raise FrameworkError(f"{path.name} cannot be read ({exc.strerror or exc})") from None
    book = _load(path)
    reader = _WorkbookReader(book)
    raw = reader.read()
    if reader.problems:
        raise problems_error(path.name, reader.problems)
    return framework_toml(raw), reader


def problems_error(name: str, problems: Sequence[Problem]) -> ValidationError:
    return ValidationError(
        f"the workbook {name} has {plural(len(problems), 'problem')}; nothing was imported",
        [str(p) for p in problems],
    )


def import_framework_workbook(store: Any, path: Path) -> ImportedFramework:
    """Read, check and register a workbook's framework in ``store`` (nothing is written
    unless the whole workbook is sound)."""
    from auditor.frameworks.library import register_framework

    framework = read_framework_workbook(path)
    return ImportedFramework(framework, register_framework(store, framework))


def _load(path: Path) -> Any:
    from auditor.importing.xlsx_reader import _MALFORMED, _unreadable

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # styles and extensions openpyxl skips
            with path.open("rb") as file:
                # Not read-only: merged cells are only known in a full load. A framework
                # workbook is small, and check_archive has bounded what a load can cost.
                return openpyxl.load_workbook(file, data_only=False, keep_links=False)
    except _MALFORMED as exc:
        raise FrameworkError(str(_unreadable(path.name, exc))) from None


@dataclass(frozen=True)
class _Cell:
    row: int
    column: str  # the header
    value: Any
    number_format: str = "General"
    absent: bool = False  # its column is missing (said once, at the header)


_Row = dict[str, _Cell]


class _WorkbookReader:
    """Reads every sheet into the TOML-level structure, collecting every problem."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.problems: list[Problem] = []
        self.rows_of: dict[tuple[str, str], int] = {}  # (sheet, code) → row, to place errors

    def problem(self, sheet: str, row: int | None, column: str | None, text: str) -> None:
        self.problems.append(Problem(sheet, row, column, text))

    def cell_problem(self, sheet: str, cell: _Cell, text: str) -> None:
        if not cell.absent:
            self.problem(sheet, cell.row, cell.column, text)

    def locate(self, message: str, origin: str) -> Problem:
        """Place a parser's message on the row it is about, where it names one."""
        text = message.removeprefix(f"{origin}: ")
        for (sheet, code), row in self.rows_of.items():
            if f"criterion {code}:" in text and sheet == CRITERIA:
                return Problem(CRITERIA, row, None, text.split(": ", 1)[1])
            if f"scale '{code}'" in text and sheet == SCALES:
                return Problem(SCALES, row, None, text.split(": ", 1)[1])
            if f"timescale {code}:" in text and sheet == TIMESCALES:
                return Problem(TIMESCALES, row, None, text.split(": ", 1)[1])
        return Problem(FRAMEWORK, None, None, text)

    # -- the whole workbook -----------------------------------------------------------

    def read(self) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        raw.update(self._fields(FRAMEWORK, FRAMEWORK_FIELDS, self._framework_value))
        grading = self._fields(GRADING, GRADING_FIELDS, self._grading_value, optional=True)
        self._check_thresholds(grading)
        raw["grading"] = grading
        scales = self._scales()
        raw["scales"] = scales
        sections, by_code = self._sections()
        self._criteria(sections, by_code, scales)
        raw["sections"] = [s for _order, _row, s in sorted(sections, key=lambda t: t[:2])]
        if not any(s["criteria"] for s in raw["sections"]) and not self._has_problem(CRITERIA):
            self.problem(CRITERIA, None, None, "there are no criteria: add at least one row")
        raw["timescales"] = self._timescales()
        return raw

    def _has_problem(self, sheet: str) -> bool:
        return any(p.sheet == sheet for p in self.problems)

    def _sheet(self, name: str, *, optional: bool = False) -> Worksheet | None:
        found = {ws.title.strip().casefold(): ws for ws in self.book.worksheets}
        sheet = found.get(name.casefold())
        if sheet is None and not optional:
            names = ", ".join(ws.title for ws in self.book.worksheets)
            self.problem(name, None, None, f"the sheet is missing (this workbook has: {names})")
        return sheet

    # -- reading a sheet's cells --------------------------------------------------------

    def _table(
        self,
        name: str,
        columns: Sequence[tuple[str, int, bool]],
        *,
        optional: bool = False,
        optional_columns: Iterable[str] = (),
    ) -> list[_Row]:
        """The rows of a table sheet, by header; a blank row is skipped."""
        ws = self._sheet(name, optional=optional)
        if ws is None:
            return []
        known = {c[0].casefold(): c[0] for c in columns}
        optional_columns = set(optional_columns)
        grid = self._grid(name, ws)
        if not grid:
            if not optional:
                self.problem(name, 1, None, "the header row is missing")
            return []
        header_row, headers = grid[0]
        where: dict[int, str] = {}
        for index, header_cell in enumerate(headers):
            value = header_cell.value
            if value is None:
                continue
            header = known.get(str(value).strip().casefold())
            if header is None:
                expected = ", ".join(c[0] for c in columns)
                self.problem(
                    name,
                    header_row,
                    get_column_letter(index + 1),
                    f"unknown header '{value}' (the headers are: {expected})",
                )
            elif header in where.values():
                self.problem(name, header_row, header, "the header appears twice")
            else:
                where[index] = header
        missing = [c[0] for c in columns if c[0] not in where.values()]
        for header in missing:
            if header not in optional_columns:
                self.problem(name, header_row, header, "the column is missing")
        rows: list[_Row] = []
        for number, cells in grid[1:]:
            row = {
                where[i]: _Cell(number, where[i], c.value, c.number_format)
                for i, c in enumerate(cells)
                if i in where
            }
            if any(c.value is not None for c in row.values()):
                for header in where.values():
                    row.setdefault(header, _Cell(number, header, None))
                for header in missing:
                    row[header] = _Cell(number, header, None, absent=True)
                rows.append(row)
        return rows

    def _grid(self, name: str, ws: Worksheet) -> list[tuple[int, tuple[_Cell, ...]]]:
        """The sheet's non-empty rows, after its own checks: size, merged cells, formulas.
        Cells carry their number format (a target typed as 90 % is stored as 0.9)."""
        for merged in ws.merged_cells.ranges:
            self.problem(
                name,
                merged.min_row,
                get_column_letter(merged.min_col),
                f"cells {merged.coord} are merged: unmerge them",
            )
        grid = []
        for number, cells in enumerate(ws.iter_rows(max_col=MAX_COLUMNS), start=1):
            if number > MAX_ROWS:
                self.problem(name, number, None, f"the sheet has more than {MAX_ROWS:,} rows")
                break
            row = []
            for cell in cells:
                value = _blank_to_none(cell.value)
                if cell.data_type == "f":  # never evaluated; its text is not the value
                    self.problem(
                        name,
                        number,
                        get_column_letter(cell.column),
                        "holds a formula: type the value itself",
                    )
                    value = None
                row.append(
                    _Cell(
                        number, get_column_letter(cell.column), value, str(cell.number_format or "")
                    )
                )
            if any(c.value is not None for c in row):
                grid.append((number, tuple(row)))
        return grid

    def _fields(
        self,
        name: str,
        fields: Mapping[str, str],
        convert: Callable[[str, _Cell], Any],
        *,
        optional: bool = False,
    ) -> dict[str, Any]:
        """A Field | Value sheet as {key: converted value}."""
        columns = (("Field", 0, False), ("Value", 0, False), ("Meaning", 0, False))
        labels = {label.casefold(): key for label, key in fields.items()}
        found: dict[str, Any] = {}
        for row in self._table(name, columns, optional=optional, optional_columns=["Meaning"]):
            label = row["Field"].value
            key = labels.get(str(label).strip().casefold()) if label is not None else None
            if key is None:
                known = ", ".join(fields)
                self.cell_problem(
                    name, row["Field"], f"unknown field '{label}' (the fields are: {known})"
                )
            elif key in found:
                self.cell_problem(name, row["Field"], f"'{label}' appears twice")
            else:
                # "column Value (Version)": the row's field says which value is meant
                cell = replace(row["Value"], column=f"Value ({label})")
                value = convert(key, cell)
                if value is not None:
                    found[key] = value
        return found

    # -- Framework and Grading ----------------------------------------------------------

    def _framework_value(self, key: str, cell: _Cell) -> Any:
        text = self._text(FRAMEWORK, cell, required=key != "description")
        return text or None

    def _grading_value(self, key: str, cell: _Cell) -> Any:
        if cell.value is None:
            return None  # the default
        if key == "limiting_cap":
            grade = _grade(cell.value)
            if grade is None:
                known = ", ".join(GRADE_LABELS.values())
                self.cell_problem(GRADING, cell, f"'{cell.value}' is not a grade (one of: {known})")
            return grade
        return self._number(GRADING, cell, 0, 100, "a percentage from 0 to 100")

    def _check_thresholds(self, grading: Mapping[str, Any]) -> None:
        default = GradingRules()
        values = [
            grading.get(k, getattr(default, k))
            for k in ("outstanding_min", "good_min", "requires_improvement_min")
        ]
        if all(isinstance(v, int | float) for v in values) and not (
            values[0] >= values[1] >= values[2]
        ):
            self.problem(
                GRADING,
                None,
                "Value",
                "the thresholds must fall from Outstanding to Good to Requires improvement",
            )

    # -- Scales ---------------------------------------------------------------------------

    def _scales(self) -> dict[str, dict[str, Any]]:
        scales: dict[str, dict[str, Any]] = {}
        first_row: dict[str, int] = {}
        for row in self._table(SCALES, SCALE_COLUMNS):
            code = self._text(SCALES, row["Scale"], required=True)
            if not code:
                continue
            scale = scales.setdefault(code, {"label": "", "values": []})
            first_row.setdefault(code, row["Scale"].row)
            self.rows_of.setdefault((SCALES, code), row["Scale"].row)
            label = self._text(SCALES, row["Scale label"])
            if label and scale["label"] and label != scale["label"]:
                self.cell_problem(
                    SCALES,
                    row["Scale label"],
                    f"scale '{code}' is already "
                    f"labelled '{scale['label']}' above: one label a scale",
                )
            scale["label"] = scale["label"] or label
            scale["values"].append(self._answer(code, row, scale["values"]))
        for code, scale in scales.items():
            if len(scale["values"]) < 2:
                self.problem(
                    SCALES, first_row[code], "Scale", f"scale '{code}' needs at least two answers"
                )
            if not scale["label"]:
                scale["label"] = code
        if not scales and not self._has_problem(SCALES):
            self.problem(SCALES, None, None, "there are no scales: add at least one")
        return scales

    def _answer(self, scale: str, row: _Row, earlier: list[dict[str, Any]]) -> dict[str, Any]:
        value: dict[str, Any] = {}
        code = self._text(SCALES, row["Answer code"], required=True)
        label = self._text(SCALES, row["Answer label"], required=True)
        key = self._text(SCALES, row["Key"])
        if code and any(v.get("code") == code for v in earlier):
            self.cell_problem(
                SCALES, row["Answer code"], f"scale '{scale}' already has an answer '{code}'"
            )
        if key and any(v.get("key") == key for v in earlier):
            self.cell_problem(SCALES, row["Key"], f"scale '{scale}' already uses the key '{key}'")
        value.update(code=code, label=label, key=key)
        score = self._number(
            SCALES, row["Score"], 0, 1, "a number from 0 to 1, or empty for Not applicable"
        )
        if score is not None:
            value["score"] = float(score)
        asks = self._yes_no(SCALES, row["Asks for evidence"])
        if asks is not None:
            value["asks_evidence"] = asks
        return value

    # -- Sections and criteria ----------------------------------------------------------

    def _sections(
        self,
    ) -> tuple[list[tuple[float, int, dict[str, Any]]], dict[str, dict[str, Any]]]:
        sections: list[tuple[float, int, dict[str, Any]]] = []
        by_code: dict[str, dict[str, Any]] = {}
        for row in self._table(SECTIONS, SECTION_COLUMNS):
            code = self._text(SECTIONS, row["Code"], required=True)
            title = self._text(SECTIONS, row["Title"], required=True)
            order = self._number(SECTIONS, row["Order"], None, None, "a number, or empty")
            if code in by_code:
                self.cell_problem(SECTIONS, row["Code"], f"the section '{code}' appears twice")
                continue
            section = {"code": code, "title": title, "criteria": []}
            if code:
                by_code[code] = section
            position = float(order) if order is not None else float(len(sections) + 1)
            sections.append((position, row["Code"].row, section))
        if not sections and not self._has_problem(SECTIONS):
            self.problem(SECTIONS, None, None, "there are no sections: add at least one")
        return sections, by_code

    def _criteria(
        self,
        sections: list[tuple[float, int, dict[str, Any]]],
        by_code: Mapping[str, dict[str, Any]],
        scales: Mapping[str, Mapping[str, Any]],
    ) -> None:
        rows = self._table(CRITERIA, CRITERION_COLUMNS, optional_columns=["Condition"])
        codes: dict[str, int] = {}
        for row in rows:
            code = self._text(CRITERIA, row["Code"], required=True)
            if code in codes:
                self.cell_problem(
                    CRITERIA,
                    row["Code"],
                    f"the code '{code}' is used twice (first in row {codes[code]})",
                )
            elif code:
                codes[code] = row["Code"].row
                self.rows_of[(CRITERIA, code)] = row["Code"].row
        for row in rows:
            criterion = self._criterion(row, scales)
            section_code = self._text(CRITERIA, row["Section"], required=True)
            if section_code and section_code not in by_code:
                known = ", ".join(by_code) or "none yet"
                self.cell_problem(
                    CRITERIA,
                    row["Section"],
                    f"'{section_code}' is not a section "
                    f"of this workbook (the Sections sheet has: {known})",
                )
            elif section_code:
                by_code[section_code]["criteria"].append(criterion)
        self._check_conditions(rows, scales)

    def _criterion(self, row: _Row, scales: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        c: dict[str, Any] = {
            "code": self._text(CRITERIA, row["Code"]),
            "text": self._text(CRITERIA, row["Wording"], required=True),
        }
        guidance = self._text(CRITERIA, row["Guidance"])
        if guidance:
            c["guidance"] = guidance
        scale = self._text(CRITERIA, row["Scale"], required=True)
        if scale and scale not in scales:
            known = ", ".join(scales) or "none"
            self.cell_problem(
                CRITERIA,
                row["Scale"],
                f"'{scale}' is not a scale of this workbook (the Scales sheet has: {known})",
            )
        c["scale"] = scale
        c["applies_to"] = self._case_types(CRITERIA, row["Case types"])
        target = self._number(
            CRITERIA, row["Target"], 0, 100, "a percentage from 0 to 100, or empty", percent=True
        )
        if target is not None:
            c["target"] = target
        c["limiting"] = bool(self._yes_no(CRITERIA, row["Limiting"]))
        c["sources"] = self._sources(CRITERIA, row["Source clauses"])
        condition = self._condition(row["Condition"])
        if condition is not None:
            c["asked_when"] = condition
        return c

    def _condition(self, cell: _Cell) -> dict[str, Any] | None:
        text = self._text(CRITERIA, cell)
        if not text:
            return None
        condition = self._condition_quiet(text)
        if condition is None:
            self.cell_problem(
                CRITERIA,
                cell,
                f"'{text}' is not a condition: write {CONDITION_FORM}, for example PLAN-00 = yes",
            )
            return None
        gate, answers = condition
        if len(answers) == 1:
            return {"criterion": gate, "answer": answers[0]}
        return {"criterion": gate, "answers": list(answers)}

    def _check_conditions(self, rows: list[_Row], scales: Mapping[str, Mapping[str, Any]]) -> None:
        """A condition names a criterion of this workbook and an answer on its scale."""
        scale_of = {
            _as_text(r["Code"].value): _as_text(r["Scale"].value) for r in rows if r["Code"].value
        }
        for row in rows:
            condition = self._condition_quiet(row["Condition"].value)
            if condition is None:
                continue
            other, wanted = condition
            if other == _as_text(row["Code"].value):
                self.cell_problem(CRITERIA, row["Condition"], "a criterion cannot depend on itself")
            elif other not in scale_of:
                self.cell_problem(
                    CRITERIA, row["Condition"], f"'{other}' is not a criterion of this workbook"
                )
            else:
                scale = scales.get(scale_of[other])
                answers = [v.get("code") for v in scale["values"]] if scale else []
                for answer in wanted:
                    if scale and answer not in answers:
                        self.cell_problem(
                            CRITERIA,
                            row["Condition"],
                            f"'{answer}' is not an answer "
                            f"of {other}'s scale (its answers: {', '.join(answers)})",
                        )

    @staticmethod
    def _condition_quiet(value: Any) -> tuple[str, tuple[str, ...]] | None:
        """``CODE = answer`` or ``CODE = answer, answer`` as (gate, answers)."""
        match = re.fullmatch(r"\s*([^=]+?)\s*=\s*(\S.*?)\s*", _as_text(value))
        if not match:
            return None
        answers = tuple(a.strip() for a in match.group(2).split(",") if a.strip())
        return (match.group(1), answers) if answers else None

    # -- Timescales ---------------------------------------------------------------------

    def _timescales(self) -> list[dict[str, Any]]:
        result = []
        for row in self._table(TIMESCALES, TIMESCALE_COLUMNS, optional=True):
            t: dict[str, Any] = {
                "code": self._text(TIMESCALES, row["Code"], required=True),
                "label": self._text(TIMESCALES, row["Label"], required=True),
                "start": self._date_field(row["From"]),
                "end": self._date_field(row["To"]),
            }
            self.rows_of.setdefault((TIMESCALES, t["code"]), row["Code"].row)
            limit = self._number(
                TIMESCALES,
                row["Limit"],
                1,
                None,
                "a whole number above 0",
                required=True,
                whole=True,
            )
            t["limit"] = int(limit) if limit is not None else 1
            t["unit"] = self._unit(row["Unit"])
            t["applies_to"] = self._case_types(TIMESCALES, row["Case types"])
            t["source"] = self._text(TIMESCALES, row["Source"], required=True)
            result.append(t)
        return result

    def _date_field(self, cell: _Cell) -> str:
        text = self._text(TIMESCALES, cell, required=True)
        if not text:
            return ""
        by_label = {label.casefold(): name for name, label in CASE_DATE_FIELDS.items()}
        name = text if text in CASE_DATE_FIELDS or text == AUDIT_DATE else None
        name = name or by_label.get(text.casefold())
        if name is None:
            self.cell_problem(
                TIMESCALES,
                cell,
                f"'{text}' is not a date field of a case (one "
                f"of: {', '.join(CASE_DATE_FIELDS)}, {AUDIT_DATE})",
            )
            return text
        return name

    def _unit(self, cell: _Cell) -> str:
        text = self._text(TIMESCALES, cell, required=True)
        unit = text.strip().casefold().replace(" ", "_")
        if text and unit not in TIMESCALE_UNITS:
            self.cell_problem(
                TIMESCALES, cell, f"'{text}' is not a unit (one of: {', '.join(TIMESCALE_UNITS)})"
            )
        return unit

    # -- one cell -------------------------------------------------------------------------

    def _text(self, sheet: str, cell: _Cell, *, required: bool = False) -> str:
        text = _as_text(cell.value)
        if required and not text:
            self.cell_problem(sheet, cell, "is empty: fill it in")
        return text

    def _number(
        self,
        sheet: str,
        cell: _Cell,
        low: float | None,
        high: float | None,
        wanted: str,
        *,
        required: bool = False,
        whole: bool = False,
        percent: bool = False,
    ) -> float | int | None:
        value = cell.value
        if value is None:
            if required:
                self.cell_problem(sheet, cell, f"is empty: give {wanted}")
            return None
        if isinstance(value, bool):
            number: float | None = None
        elif isinstance(value, int | float):
            number = value * 100 if percent and "%" in cell.number_format else value
        else:
            text = str(value).strip().removesuffix("%").strip()
            try:
                number = float(text)
            except ValueError:
                number = None
        if (
            number is None
            or (low is not None and number < low)
            or (high is not None and number > high)
            or (whole and number != int(number))
        ):
            self.cell_problem(sheet, cell, f"'{value}' is not {wanted}")
            return None
        number = round(number, 9)  # 0.9 * 100 is 90.00000000000001
        return int(number) if whole or number == int(number) else number

    def _yes_no(self, sheet: str, cell: _Cell) -> bool | None:
        value = cell.value
        if value is None:
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().casefold()
        if text in ("yes", "y", "true"):
            return True
        if text in ("no", "n", "false"):
            return False
        self.cell_problem(sheet, cell, f"'{value}' is not Yes or No")
        return None

    def _case_types(self, sheet: str, cell: _Cell) -> list[str]:
        text = _as_text(cell.value)
        if not text or text.casefold() == ALL.casefold():
            return ["all"]
        known = {ct.value: ct.value for ct in CaseType}
        known.update({label.casefold(): ct.value for ct, label in CASE_TYPE_LABELS.items()})
        found: list[str] = []
        unknown: list[str] = []
        for part in _split(text, ",;\n"):
            value = known.get(part) or known.get(part.casefold())
            if part.casefold() == ALL.casefold():
                return ["all"]
            (found if value else unknown).append(value or part)
        if unknown:
            labels = ", ".join(CASE_TYPE_LABELS.values())
            verb = "is not a case type" if len(unknown) == 1 else "are not case types"
            names = ", ".join(repr(u) for u in unknown)
            self.cell_problem(sheet, cell, f"{names} {verb} (All, or one or more of: {labels})")
        return [ct.value for ct in CaseType if ct.value in found] or ["all"]

    def _sources(self, sheet: str, cell: _Cell) -> list[str]:
        sources = _split(_as_text(cell.value), ";\n")
        if not sources:
            self.cell_problem(sheet, cell, "is empty: name the clause or clauses it comes from")
            return ["?"]
        return sources


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)  # a code typed as a number: 1, not 1.0
    return str(value).replace("\r\n", "\n").strip()


def _split(text: str, separators: str) -> list[str]:
    parts = re.split(f"[{re.escape(separators)}]", text)
    return [p.strip() for p in parts if p.strip()]


def _grade(value: Any) -> str | None:
    text = str(value).strip().casefold()
    for grade in Grade:
        if text in (grade.value, GRADE_LABELS[grade].casefold(), grade.value.replace("_", " ")):
            return grade.value
    return None


# =======================================================================================
# Writing


def write_framework_workbook(framework: Framework, target: Path) -> Path:
    """Write ``framework`` as a workbook at ``target`` (whole or not at all)."""
    from auditor.reports.output import atomic_output, check_target, save_workbook

    target = check_target(target)
    book = framework_workbook(framework)
    with atomic_output(target) as temp:
        save_workbook(book, temp)
    return target


def write_blank_template(target: Path) -> Path:
    """The layout with its headers and one example row on each sheet."""
    return write_framework_workbook(example_framework(), target)


def framework_workbook(framework: Framework) -> Any:
    """The workbook for ``framework`` (an openpyxl Workbook, not yet saved)."""
    book = openpyxl.Workbook()
    _how_to(book.active)
    conditions = _conditions(framework)
    _field_sheet(
        book.create_sheet(FRAMEWORK),
        [(label, getattr(framework, key), "") for label, key in FRAMEWORK_FIELDS.items()],
    )
    grading = framework.grading
    _field_sheet(
        book.create_sheet(GRADING),
        [
            (label, _grading_cell(getattr(grading, key)), GRADING_MEANING[key])
            for label, key in GRADING_FIELDS.items()
        ],
        grades=True,
    )
    scale_rows = [
        [code, scale.label, v.code, v.label, v.key, v.score, YES if v.asks_evidence else NO]
        for code, scale in framework.scales.items()
        for v in scale.values
    ]
    ws = _table_sheet(book.create_sheet(SCALES), SCALE_COLUMNS, scale_rows)
    _validate_list(ws, "G", [YES, NO])
    _validate_number(ws, "F", 0, 1)
    section_rows = [[s.code, s.title, n] for n, s in enumerate(framework.sections, start=1)]
    _table_sheet(book.create_sheet(SECTIONS), SECTION_COLUMNS, section_rows)
    criterion_rows = [_criterion_row(c, conditions.get(c.code, "")) for c in framework.criteria]
    ws = _table_sheet(book.create_sheet(CRITERIA), CRITERION_COLUMNS, criterion_rows, freeze="B2")
    _validate_list(ws, "B", [s.code for s in framework.sections], strict=False)
    _validate_list(ws, "E", list(framework.scales), strict=False)
    _validate_case_types(ws, "F")
    _validate_number(ws, "G", 0, 100)
    _validate_list(ws, "H", [YES, NO])
    timescale_rows = [
        [t.code, t.label, t.start, t.end, t.limit, t.unit, _case_types_text(t.applies_to), t.source]
        for t in framework.timescales
    ]
    ws = _table_sheet(book.create_sheet(TIMESCALES), TIMESCALE_COLUMNS, timescale_rows)
    fields = [*CASE_DATE_FIELDS, AUDIT_DATE]
    _validate_list(ws, "C", fields)
    _validate_list(ws, "D", fields)
    _validate_list(ws, "F", list(TIMESCALE_UNITS))
    _validate_case_types(ws, "G")
    return book


def _criterion_row(c: Criterion, condition: str) -> list[Any]:
    return [
        c.code,
        c.section,
        c.text,
        c.guidance,
        c.scale.code,
        _case_types_text(c.applies_to),
        c.target,
        YES if c.limiting else NO,
        "\n".join(c.sources),
        condition,
    ]


def _case_types_text(types: Iterable[CaseType]) -> str:
    types = tuple(types)
    if set(types) == set(ALL_CASE_TYPES):
        return ALL
    return ", ".join(CASE_TYPE_LABELS[t] for t in types)


def _grading_cell(value: Any) -> Any:
    return GRADE_LABELS[value] if isinstance(value, Grade) else value


def _conditions(framework: Framework) -> dict[str, str]:
    """Each conditional criterion's condition as the workbook writes it: ``CODE = answer``
    (answers joined by commas when several open it)."""
    return {
        c.code: f"{c.asked_when.criterion} = {', '.join(c.asked_when.answers)}"
        for c in framework.criteria
        if c.asked_when is not None
    }


def _how_to(ws: Worksheet) -> None:
    ws.title = HOW_TO
    ws.column_dimensions["A"].width = 100
    for number, (text, heading) in enumerate(HOW_TO_TEXT, start=1):
        cell = ws.cell(row=number, column=1, value=text)
        cell.alignment = WRAP
        if heading:
            cell.font = Font(name=FONT, bold=True, size=14)
        else:
            cell.font = Font(name=FONT, size=11)
        ws.row_dimensions[number].height = _height([(text, 100)]) + 6
    ws.sheet_view.showGridLines = False
    _print_setup(ws, landscape=False)


def _field_sheet(ws: Worksheet, rows: list[tuple[str, Any, str]], *, grades: bool = False) -> None:
    from auditor.reports.safe_text import set_text

    columns = (("Field", 30, False), ("Value", 70, True), ("Meaning", 60, True))
    _header(ws, columns)
    for number, (label, value, meaning) in enumerate(rows, start=2):
        ws.cell(row=number, column=1, value=label).font = Font(name=FONT, bold=True)
        cell = ws.cell(row=number, column=2)
        if isinstance(value, str):
            set_text(cell, value)
        else:
            cell.value = value
        cell.alignment = WRAP
        ws.cell(row=number, column=3, value=meaning or None).alignment = WRAP
        ws.cell(row=number, column=1).alignment = TOP
        ws.row_dimensions[number].height = _height([(str(value or ""), 70), (meaning, 60)])
    if grades:
        _validate_list(ws, "B5", list(GRADE_LABELS.values()), rows_from=5, rows_to=5)
    ws.freeze_panes = "A2"
    _print_setup(ws, landscape=False)


def _table_sheet(
    ws: Worksheet,
    columns: Sequence[tuple[str, int, bool]],
    rows: list[list[Any]],
    *,
    freeze: str = "A2",
) -> Worksheet:
    from auditor.reports.safe_text import set_text

    _header(ws, columns)
    for number, values in enumerate(rows, start=2):
        for index, value in enumerate(values, start=1):
            cell = ws.cell(row=number, column=index)
            if isinstance(value, str):
                set_text(cell, value)
            else:
                cell.value = value
            _header_text, width, wrap = columns[index - 1]
            cell.alignment = WRAP if wrap else CENTRE if width <= NARROW else TOP
        wrapped = [(str(v or ""), c[1]) for v, c in zip(values, columns, strict=True) if c[2]]
        ws.row_dimensions[number].height = _height(wrapped)
    ws.freeze_panes = freeze
    last = get_column_letter(len(columns))
    ws.auto_filter.ref = f"A1:{last}{max(2, len(rows) + 1)}"
    _print_setup(ws, landscape=True)
    return ws


def _header(ws: Worksheet, columns: Sequence[tuple[str, int, bool]]) -> None:
    for index, (header, width, _wrapped) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index, value=header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center")
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.row_dimensions[1].height = 20


def _height(texts: Iterable[tuple[str, int]]) -> float:
    """A row height that shows all of each wrapped text in its column's width (spreadsheets
    do not grow a row for wrapped text they did not type themselves)."""
    lines = 1
    for text, width in texts:
        per_line = max(1, int(width * 1.1))  # characters of 11-point text per column unit
        lines = max(lines, sum(max(1, -(-len(part) // per_line)) for part in text.split("\n")))
    return min(409, lines * LINE_HEIGHT)


def _print_setup(ws: Worksheet, *, landscape: bool) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def _validate_list(
    ws: Worksheet,
    column: str,
    choices: Sequence[str],
    *,
    strict: bool = True,
    rows_from: int = 2,
    rows_to: int = VALIDATED_ROWS,
) -> None:
    """A drop-down of ``choices``; not ``strict``: a value not in it is warned about, not
    refused (a new scale or section may be added meanwhile)."""
    formula = '"' + ",".join(choices) + '"'
    if not choices or len(formula) > 257 or any('"' in c or "," in c for c in choices):
        return  # Excel's limit on a list typed into the rule; the import still checks
    rule = DataValidation(
        type="list", formula1=formula, allow_blank=True, errorStyle="stop" if strict else "warning"
    )
    rule.error = f"Choose one of: {', '.join(choices)}"
    rule.errorTitle = "Not one of the choices"
    ws.add_data_validation(rule)
    letter = re.sub(r"\d", "", column)
    rule.add(f"{letter}{rows_from}:{letter}{rows_to}")


def _validate_case_types(ws: Worksheet, column: str) -> None:
    """A drop-down of All and each case type; several types may still be typed, separated
    by commas (the rule only informs)."""
    choices = [ALL, *CASE_TYPE_LABELS.values()]
    rule = DataValidation(
        type="list",
        formula1='"' + ",".join(choices) + '"',
        allow_blank=True,
        errorStyle="information",
    )
    rule.error = "Several case types are fine, separated by commas: click OK to keep them."
    rule.errorTitle = "Case types"
    rule.prompt = "All, or one or more case types separated by commas"
    rule.promptTitle = "Case types"
    ws.add_data_validation(rule)
    rule.add(f"{column}2:{column}{VALIDATED_ROWS}")


def _validate_number(ws: Worksheet, column: str, low: float, high: float) -> None:
    rule = DataValidation(
        type="decimal", operator="between", formula1=str(low), formula2=str(high), allow_blank=True
    )
    rule.error = f"A number from {low:g} to {high:g}, or empty"
    rule.errorTitle = "Not a number in range"
    ws.add_data_validation(rule)
    rule.add(f"{column}2:{column}{VALIDATED_ROWS}")


def example_framework() -> Framework:
    """The framework the blank template shows: one example row on each sheet."""
    return parse_framework(EXAMPLE_TOML, origin="the example framework")
