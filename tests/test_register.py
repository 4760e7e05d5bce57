"""The case register's rows: loading with audit status, filtering and sorting."""

from __future__ import annotations

import time

from hypothesis import given
from hypothesis import strategies as st

from auditor.audits.records import start_audit
from auditor.audits.workflow import delete_audit
from auditor.cases.records import add_case
from auditor.cases.register import (
    RegisterFilter,
    RegisterRow,
    filter_register,
    find_words,
    load_register,
    search_text,
    sort_register,
)
from auditor.store import Store

ME = "Test Auditor"


def _cases(store: Store) -> None:
    add_case(store, actor=ME, reference="B-2", case_type="child_in_need", team="North", worker="W1")
    add_case(store, actor=ME, reference="A-1", case_type="looked_after", team="South", worker="W2")
    add_case(
        store,
        actor=ME,
        reference="C-3",
        case_type="child_in_need",
        team="North",
        worker="Ann",
        closed_date="2026-01-31",
    )


def test_rows_come_by_reference_with_their_newest_audit(store: Store) -> None:
    _cases(store)
    case_b = store.scalar("SELECT uid FROM cases WHERE reference = 'B-2'")
    start_audit(store, case_uid=case_b, auditor=ME, framework_code="MINI")
    deleted = start_audit(store, case_uid=case_b, auditor=ME, framework_code="MINI")
    delete_audit(store, deleted, actor=ME, reason="started twice")
    seen: list[tuple[int, int]] = []
    rows = load_register(store, progress=lambda d, t: seen.append((d, t)), batch=2)
    assert [r.reference for r in rows] == ["A-1", "B-2", "C-3"]
    assert rows[1].audits == 1 and rows[1].latest_status == "draft"
    assert rows[0].audits == 0 and rows[0].latest_status is None
    assert rows[2].closed_date == "2026-01-31"
    assert seen == [(2, 3), (3, 3)]


def test_filters_combine(store: Store) -> None:
    _cases(store)
    rows = load_register(store)
    assert [r.reference for r in filter_register(rows, RegisterFilter(text="north"))] == [
        "B-2",
        "C-3",
    ]
    assert [r.reference for r in filter_register(rows, RegisterFilter(text="ANN"))] == ["C-3"]
    both = RegisterFilter(team="North", status="open")
    assert [r.reference for r in filter_register(rows, both)] == ["B-2"]
    assert [r.reference for r in filter_register(rows, RegisterFilter(status="closed"))] == ["C-3"]
    kind = RegisterFilter(case_type="looked_after", status="not_audited")
    assert [r.reference for r in filter_register(rows, kind)] == ["A-1"]
    assert filter_register(rows, RegisterFilter(status="final")) == []
    assert RegisterFilter().is_empty and not both.is_empty


def _synthetic(n: int) -> list[RegisterRow]:
    teams = ("North", "South", "East")
    return [
        RegisterRow(
            f"uid-{i}",
            f"REF-{i:06d}",
            "child_in_need" if i % 2 else "child_protection",
            teams[i % 3],
            f"Worker {i % 40:02d}",
            f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}",
            None if i % 5 else "2026-01-01",
            i % 3,
            (None, "draft", "final")[i % 3],
            search_text(
                f"REF-{i:06d}",
                teams[i % 3],
                f"Worker {i % 40:02d}",
                "child_in_need" if i % 2 else "child_protection",
            ),
        )
        for i in range(n)
    ]


def test_sorting_is_stable_and_reversible() -> None:
    rows = _synthetic(30)
    by_team = sort_register(rows, "team")
    assert [r.team for r in by_team][:10] == ["East"] * 10
    east = [r.reference for r in by_team if r.team == "East"]
    assert east == sorted(east)
    newest = sort_register(rows, "referral_date", descending=True)
    assert newest[0].referral_date == max(r.referral_date or "" for r in rows)
    assert sort_register(rows, "latest_status")[0].latest_status is None


def test_100k_rows_filter_and_sort_in_well_under_a_second() -> None:
    rows = _synthetic(100_000)
    started = time.perf_counter()
    found = filter_register(rows, RegisterFilter(text="worker 07", team="North"))
    ordered = sort_register(found, "referral_date", descending=True)
    everything = sort_register(rows, "worker")
    elapsed = time.perf_counter() - started
    assert found and all(r.team == "North" and {"worker", "07"} <= _words_in(r) for r in found)
    assert len(ordered) == len(found) and len(everything) == 100_000
    assert elapsed < 1.0, f"filter and sort of 100,000 rows took {elapsed:.2f} s"


def _words_in(row: RegisterRow) -> set[str]:
    """Every word of the row's fields, and every part of a word (Find matches parts)."""
    return {
        word[i:j]
        for word in row.search.split()
        for i in range(len(word))
        for j in range(i + 1, len(word) + 1)
    }


def test_find_matches_every_word_in_any_field_and_order() -> None:
    rows = [
        RegisterRow("u1", "DEMO-01-000123", "child_protection", "Demo Safeguarding Team North",
                    "Demo Worker 07", None, None, 0, None,
                    search_text("DEMO-01-000123", "Demo Safeguarding Team North",
                                "Demo Worker 07", "child_protection")),
        RegisterRow("u2", "DEMO-01-000124", "child_in_need", "Demo Children in Need Team South",
                    "Demo Worker 08", None, None, 0, None,
                    search_text("DEMO-01-000124", "Demo Children in Need Team South",
                                "Demo Worker 08", "child_in_need")),
    ]  # fmt: skip

    def found(text: str) -> list[str]:
        return [r.uid for r in filter_register(rows, RegisterFilter(text=text))]

    assert found("safeguarding north") == ["u1"]
    assert found("NORTH   Safeguarding") == ["u1"]  # any order, any case, any spacing
    assert found("000123 worker 07") == ["u1"]  # reference and worker
    assert found("protection north") == ["u1"]  # the case type's words count too
    assert found("south 07") == []  # each word must match, not just one
    assert found("demo team") == ["u1", "u2"]
    assert found('"team north"') == ["u1"]  # a quoted phrase stays together
    assert found('"north team"') == []
    assert found("") == found("  ") == ["u1", "u2"]


def test_find_words_splits_on_spaces_and_keeps_quoted_phrases() -> None:
    assert find_words("  Safeguarding  North ") == ["safeguarding", "north"]
    assert find_words('"Worker  07" north') == ["worker 07", "north"]
    assert find_words("“demo worker” 12") == ["demo worker", "12"]
    assert find_words('""') == [] and RegisterFilter(text='"" ').is_empty


_FIELD = st.text(alphabet="abcDEF 01-", max_size=12)


@given(
    fields=st.lists(st.tuples(_FIELD, _FIELD, _FIELD), min_size=1, max_size=20),
    text=st.text(alphabet='abcdef 01-"', max_size=10),
)
def test_every_row_found_holds_every_word_and_no_such_row_is_missed(
    fields: list[tuple[str, str, str]], text: str
) -> None:
    rows = [
        RegisterRow(f"u{i}", ref, "early_help", team, worker, None, None, 0, None,
                    search_text(ref, team, worker, "early_help"))
        for i, (ref, team, worker) in enumerate(fields)
    ]  # fmt: skip
    words = find_words(text)
    found = filter_register(rows, RegisterFilter(text=text))
    assert found == [r for r in rows if all(w in r.search for w in words)]
    for row in found:  # each word within one field: none spans the gap between two
        fields_of_row = row.search.split("\t")
        assert all(any(w in f for f in fields_of_row) for w in words)


def test_each_rows_find_text_is_search_text_of_its_fields(store: Store) -> None:
    """The register casefolds a chunk's Find texts at once; a row's text is the same as
    search_text makes of its own fields: letters that casefold to several (ß to ss), a
    field holding a line break (set by plain SQL), and a case type the app does not know."""
    _cases(store)
    add_case(store, actor=ME, reference="D-4", case_type="early_help", team="Straße Süd",
             worker="İlkay")  # fmt: skip
    rows = load_register(store)
    assert all(r.search == search_text(r.reference, r.team, r.worker, r.case_type) for r in rows)
    assert "strasse süd" in next(r.search for r in rows if r.reference == "D-4")
    store.execute("UPDATE cases SET worker = 'Two\nlines' WHERE reference = 'A-1'")
    store.execute("PRAGMA ignore_check_constraints = ON")
    store.execute("UPDATE cases SET case_type = 'some_new_kind' WHERE reference = 'B-2'")
    rows = load_register(store)
    assert [r.reference for r in rows] == ["A-1", "B-2", "C-3", "D-4"]
    assert all(r.search == search_text(r.reference, r.team, r.worker, r.case_type) for r in rows)
    assert rows[0].search.endswith("two\nlines\tchild looked after")
    assert rows[1].search.endswith("\tsome_new_kind")
