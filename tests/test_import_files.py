"""Reading case lists: CSV encodings and delimiters, XLSX title and totals rows, and refusing
files that are not what their name says, malformed or hostile."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

import pytest
from case_files import HEADER, ROWS, rewrite_part, typed_rows, write_csv, write_xlsx

from auditor.importing import (
    ImportCancelled,
    ImportFileError,
    guess_mapping,
    list_sheets,
    read_table,
    validate_table,
    xlsx_reader,
)


def references(path: Path, **kwargs: object) -> list[str]:
    table = read_table(path, **kwargs)  # type: ignore[arg-type]
    return [str(row.values[0]) for row in table.rows]


# ---------------------------------------------------------------------------------------
# CSV


def test_utf8_csv_with_bom_and_uk_dates(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cases.csv", [HEADER, *ROWS], bom=True)
    table = read_table(path)
    assert table.encoding == "utf-8-sig"
    assert table.headers[0] == "Case Ref"  # no BOM glued to the first header
    assert table.header_row == 1
    assert [r.number for r in table.rows] == [2, 3, 4, 5, 6]
    assert table.description == "cases.csv (UTF-8 with BOM, comma-separated)"
    records = validate_table(table, guess_mapping(table.headers)).records
    assert records[0].values["referral_date"] == "2026-01-05"
    assert records[2].values["closed_date"] == "2026-01-31"


def test_windows_1252_semicolon_csv(tmp_path: Path) -> None:
    rows = [HEADER, [*ROWS[0][:2], "Équipe Démo – Nord", "Demo Worker £1", *ROWS[0][4:]]]
    path = write_csv(tmp_path / "cases.csv", rows, encoding="cp1252", delimiter=";")
    table = read_table(path)
    assert (table.encoding, table.delimiter) == ("cp1252", ";")
    assert table.rows[0].values[2:4] == ("Équipe Démo – Nord", "Demo Worker £1")


def test_utf16_tab_separated_text(tmp_path: Path) -> None:
    path = tmp_path / "cases.txt"
    text = "\r\n".join("\t".join(row) for row in [HEADER, *ROWS])
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    table = read_table(path)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert len(table.rows) == 5


def test_csv_title_rows_blank_rows_and_totals(tmp_path: Path) -> None:
    rows = [
        ["Cases closed in the last three months"],
        ["Extracted 01/02/2026"],
        [],
        HEADER,
        ROWS[0],
        ["", "", "", "", "", "", ""],
        ROWS[1],
        ["Total", "2"],
        ["Source: demo system"],
    ]
    table = read_table(write_csv(tmp_path / "cases.csv", rows))
    assert table.header_row == 4
    assert [r.number for r in table.rows] == [5, 7]
    assert table.notes == (
        "rows above the header (row 4) were skipped as titles",
        "1 blank row skipped",
        "reading stopped at the totals row (row 8); 1 row below it ignored",
    )


def test_a_reference_starting_with_total_is_not_a_totals_row(tmp_path: Path) -> None:
    rows = [HEADER, ["TOTAL-123", *ROWS[0][1:]], ["Grand total: 1"]]
    assert references(write_csv(tmp_path / "cases.csv", rows)) == ["TOTAL-123"]


def test_quoted_values_with_delimiters_and_newlines(tmp_path: Path) -> None:
    rows = [HEADER, ["FAKE-9", "CP", "Demo Team, North", 'Worker "A"\nsecond line', "", "", ""]]
    table = read_table(write_csv(tmp_path / "cases.csv", rows))
    assert table.rows[0].values[2:4] == ("Demo Team, North", 'Worker "A"\nsecond line')


def test_header_row_can_be_chosen(tmp_path: Path) -> None:
    rows = [["Ref", "Kind"], HEADER, ROWS[0]]
    table = read_table(write_csv(tmp_path / "cases.csv", rows), header_row=2)
    assert table.headers == tuple(HEADER)


def test_blank_and_repeated_headers_get_distinct_names(tmp_path: Path) -> None:
    table = read_table(write_csv(tmp_path / "c.csv", [["Ref", "Type", "", "Team", "Team"]]))
    assert table.headers == ("Ref", "Type", "Column C", "Team", "Team (2)")


# ---------------------------------------------------------------------------------------
# XLSX


def test_xlsx_with_title_row_and_totals_row(tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["Demo Council — cases for audit, January 2026"],
        [],
        HEADER,
        *typed_rows(),
        [],
        ["Total", 5],
    ]
    path = write_xlsx(tmp_path / "cases.xlsx", rows, extra_sheets=["Notes"])
    table = read_table(path)
    assert (table.kind, table.sheet, table.sheets) == ("xlsx", "Case list", ("Case list", "Notes"))
    assert table.header_row == 3
    assert [r.number for r in table.rows] == [4, 5, 6, 7, 8]
    assert "reading stopped at the totals row (row 10)" in table.notes
    validation = validate_table(table, guess_mapping(table.headers))
    assert validation.ok, validation.problems
    values = validation.records[0].values
    assert values["referral_date"] == "2026-01-05" and values["assessment_end"] == "2026-02-20"
    assert validation.records[2].values["closed_date"] == "2026-01-31"  # from a serial number


def test_xlsx_chosen_sheet_and_sheet_list(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "cases.xlsx", [["x"]], extra_sheets=["January"])
    assert list_sheets(path) == ["Case list", "January"]
    assert read_table(path, sheet="January").headers == ("nothing", "here")
    with pytest.raises(ImportFileError, match="has no sheet called 'May' \\(its sheets: Case"):
        read_table(path, sheet="May")


def test_xlsx_numeric_references_and_formula_text(tmp_path: Path) -> None:
    rows = [HEADER, [123456, "CP", '=HYPERLINK("http://evil")', "@SUM(A1)"]]
    path = write_xlsx(tmp_path / "cases.xlsx", rows)
    # openpyxl writes a string starting with "=" as a formula; with no cached value it is
    # read back as empty: a formula is never evaluated.
    table = read_table(path)
    assert table.rows[0].values[0] == 123456
    assert table.rows[0].values[2] is None
    assert table.rows[0].values[3] == "@SUM(A1)"


# ---------------------------------------------------------------------------------------
# Refusals


def test_xlsx_that_is_really_csv(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "cases.xlsx", [HEADER, *ROWS])
    with pytest.raises(ImportFileError, match="^cases.xlsx is not an Excel workbook .* rename"):
        read_table(path)


def test_old_xls_named_xlsx_or_csv(tmp_path: Path) -> None:
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500
    for name in ("cases.xlsx", "cases.csv", "cases.xls"):
        (tmp_path / name).write_bytes(ole2)
        with pytest.raises(ImportFileError, match=f"^{name}.*Excel 97-2003 workbook"):
            read_table(tmp_path / name)


def test_workbook_named_csv(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "real.xlsx", [HEADER])
    renamed = path.rename(tmp_path / "cases.csv")
    with pytest.raises(ImportFileError, match="^cases.csv is not a CSV file: it is an Excel"):
        read_table(renamed)


def test_binary_named_csv(tmp_path: Path) -> None:
    (tmp_path / "cases.csv").write_bytes(b"Case Ref,Type\r\n\x00\x01\x02\x03binary" * 10)
    with pytest.raises(ImportFileError, match="^cases.csv is not a text \\(CSV\\) file"):
        read_table(tmp_path / "cases.csv")


def test_undecodable_text_is_refused_not_guessed(tmp_path: Path) -> None:
    (tmp_path / "cases.csv").write_bytes(b"Case Ref,Type\r\nFAKE-1\x81,CP\r\n")
    with pytest.raises(ImportFileError, match="neither UTF-8 nor Windows-1252: byte 0x81"):
        read_table(tmp_path / "cases.csv")


def test_other_file_types_and_missing_or_empty_files(tmp_path: Path) -> None:
    (tmp_path / "cases.pdf").write_bytes(b"%PDF-1.7")
    with pytest.raises(ImportFileError, match="must be CSV .* or Excel"):
        read_table(tmp_path / "cases.pdf")
    with pytest.raises(ImportFileError, match="no such file"):
        read_table(tmp_path / "nope.csv")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(ImportFileError, match="empty.csv has no rows"):
        read_table(tmp_path / "empty.csv")


def test_word_document_named_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "cases.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    with pytest.raises(ImportFileError, match="ZIP archive but a Word document"):
        read_table(path)


def test_truncated_xlsx(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "good.xlsx", [HEADER, *ROWS])
    broken = tmp_path / "cases.xlsx"
    broken.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(ImportFileError, match="^cases.xlsx is a damaged XLSX workbook"):
        read_table(broken)


def test_malformed_sheet_xml(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [HEADER, *ROWS])
    path = rewrite_part(good, tmp_path / "cases.xlsx", "xl/worksheets/sheet1.xml", b"<worksheet")
    with pytest.raises(ImportFileError, match="^cases.xlsx is not a readable XLSX workbook"):
        read_table(path)


BILLION_LAUGHS = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE worksheet [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>Case Ref</t></is></c></row>
<row r="2"><c r="A2" t="inlineStr"><is><t>&c;</t></is></c></row>
</sheetData></worksheet>"""


def test_xml_entity_tricks_are_refused(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [HEADER, *ROWS])
    path = rewrite_part(good, tmp_path / "cases.xlsx", "xl/worksheets/sheet1.xml", BILLION_LAUGHS)
    with pytest.raises(ImportFileError, match="DOCTYPE or ENTITY declaration .*refused as hostile"):
        read_table(path)


def test_defusedxml_refuses_entities_even_past_our_own_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second line of defence: openpyxl itself parses through defusedxml."""
    good = write_xlsx(tmp_path / "good.xlsx", [HEADER, *ROWS])
    path = rewrite_part(good, tmp_path / "cases.xlsx", "xl/worksheets/sheet1.xml", BILLION_LAUGHS)
    monkeypatch.setattr(xlsx_reader, "_check_xml_part", lambda *args: None)
    with pytest.raises(
        ImportFileError, match="^cases.xlsx contains XML entity tricks .*refused as hostile"
    ):
        read_table(path)


def test_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    good = write_xlsx(tmp_path / "good.xlsx", [HEADER, *ROWS])
    huge = b"<worksheet>" + b" " * 50_000_000 + b"</worksheet>"
    path = rewrite_part(good, tmp_path / "cases.xlsx", "xl/worksheets/sheet1.xml", huge)
    assert path.stat().st_size < 200_000
    with pytest.raises(ImportFileError, match="absurd size .* possible zip bomb"):
        read_table(path)


def test_too_many_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.importing import reader

    monkeypatch.setattr(reader, "MAX_ROWS", 4)
    with pytest.raises(ImportFileError, match="^cases.csv has more than 4 rows: refused"):
        read_table(write_csv(tmp_path / "cases.csv", [HEADER, *ROWS]))
    with pytest.raises(ImportFileError, match="^cases.xlsx has more than 4 rows: refused"):
        read_table(write_xlsx(tmp_path / "cases.xlsx", [HEADER, *ROWS]))


def test_the_row_limit_counts_cases_not_the_header_titles_or_blank_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditor.importing import reader

    monkeypatch.setattr(reader, "MAX_ROWS", 5)
    titled = [["Demo council case list"], [""], HEADER, ROWS[0], [""] * 7, *ROWS[1:]]
    for path in (
        write_csv(tmp_path / "cases.csv", titled),
        write_xlsx(tmp_path / "cases.xlsx", titled),
    ):
        assert len(read_table(path).rows) == 5, path.name


def test_a_workbook_over_the_limit_is_refused_before_its_rows_are_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditor.importing import reader

    monkeypatch.setattr(reader, "MAX_ROWS", 2_000)
    rows = [HEADER, *([f"FAKE-{i:05d}", "CP", "T", "W", "", "", ""] for i in range(2_500))]
    path = write_xlsx(tmp_path / "cases.xlsx", rows)
    seen: list[int] = []
    with pytest.raises(ImportFileError, match="^cases.xlsx has more than 2,000 rows: refused"):
        read_table(path, progress=lambda done, total: seen.append(done))
    assert seen == []  # no row was read: the progress bar never moved


def test_reading_reports_progress_and_can_be_cancelled(tmp_path: Path) -> None:
    rows = [HEADER, *([f"FAKE-{i:05d}", "CP", "T", "W", "", "", ""] for i in range(2500))]
    path = write_csv(tmp_path / "cases.csv", rows)
    seen: list[tuple[int, int]] = []
    read_table(path, progress=lambda done, total: seen.append((done, total)))
    assert [done for done, _ in seen] == [1000, 2000]
    assert all(total >= 2501 for _, total in seen)
    with pytest.raises(ImportCancelled):
        read_table(path, cancelled=lambda: True)


def test_an_unreadable_file_is_one_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write_csv(tmp_path / "cases.csv", [HEADER, *ROWS])

    def denied(self: Path, *args: object, **kwargs: object) -> bytes:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    with pytest.raises(ImportFileError, match="^cases.csv cannot be read \\(Permission denied\\)"):
        read_table(path)
