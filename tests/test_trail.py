"""The audit trail: every change recorded; tampering outside the app is detected."""

from __future__ import annotations

import itertools
import sqlite3
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.audits.records import record_answer, start_audit
from auditor.cases.records import Case
from auditor.errors import TrailForkError
from auditor.store import Store
from auditor.store.trail import (
    GENESIS,
    Change,
    chain_gaps,
    chain_rows,
    gaps_of,
    history,
    merge_chain,
    record,
    row_hash,
    verify_trail,
)
from tests.sealed_rows import edit_sealed_row

ACTOR = "Test Auditor"


@pytest.fixture
def audited(store: Store, case: Case) -> str:
    uid = start_audit(store, case_uid=case.uid, auditor=ACTOR, framework_code="MINI")
    record_answer(store, uid, "R-1", value="no", evidence="No risk analysis found.", actor=ACTOR)
    record_answer(store, uid, "R-1", value="partly", actor=ACTOR)
    return uid


def _raw(db_path: Path) -> sqlite3.Connection:
    """A connection as a user with a database tool would open it, triggers dropped."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("DROP TRIGGER IF EXISTS trail_no_update")
    conn.execute("DROP TRIGGER IF EXISTS trail_no_delete")
    return conn


def test_history_lists_each_change_with_old_and_new_value(store: Store, audited: str) -> None:
    # Row 1 of the chain is the case being added; the audit's own rows follow.
    rows = [(r["field"], r["old_value"], r["new_value"]) for r in history(store, audited)]
    assert rows == [
        ("created", None, "TEST-0001 on MINI 1.0.0"),
        ("case_type", None, "child_in_need"),  # the type the audit is made for
        ("R-1.value", None, "no"),
        ("R-1.evidence", "", "No risk analysis found."),
        ("R-1.value", "no", "partly"),
    ]
    assert {r["actor"] for r in history(store, audited)} == {ACTOR}
    assert verify_trail(store) == []


def test_the_app_cannot_update_or_delete_trail_rows(store: Store, audited: str) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.execute("UPDATE trail SET new_value = 'yes'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.execute("DELETE FROM trail")


def test_an_edited_row_is_detected(store: Store, audited: str, db_path: Path) -> None:
    with _raw(db_path) as conn:
        conn.execute(
            "UPDATE trail SET new_value = 'yes' WHERE field = 'R-1.value' AND new_value = 'partly'"
        )
    [problem] = verify_trail(store)
    assert "row 6: was changed after it was written (answer R-1.value)" in problem


def test_a_deleted_middle_row_is_detected(store: Store, audited: str, db_path: Path) -> None:
    with _raw(db_path) as conn:
        conn.execute("DELETE FROM trail WHERE seq = 3")
    [problem] = verify_trail(store)
    assert "rows 3–3 are missing" in problem


def test_deleting_the_newest_rows_is_detected(store: Store, audited: str, db_path: Path) -> None:
    with _raw(db_path) as conn:
        conn.execute("DELETE FROM trail WHERE seq = (SELECT MAX(seq) FROM trail)")
    [problem] = verify_trail(store)
    assert "were deleted" in problem


def test_rows_from_another_origin_verify_as_their_own_chain(
    store: Store, audited: str, tmp_path: Path
) -> None:
    with Store.open(tmp_path / "laptop2.db") as other:
        record(other, [Change("case", "x", "created", None, "X")], actor="Second Auditor")
        rows = other.query("SELECT * FROM trail")
        head = other.one("SELECT * FROM trail_heads")
    with store.atomic():
        for row in rows:
            row.pop("id", None)
            store.db["trail"].insert(row)
        store.db["trail_heads"].insert(head)
    assert verify_trail(store) == []
    record(store, [Change("case", "y", "created", None, "Y")], actor=ACTOR)
    assert verify_trail(store) == []


def test_unchanged_values_are_not_recorded(store: Store) -> None:
    assert record(store, [Change("case", "x", "team", "A", "A")], actor=ACTOR) == 0


def _laptop_chain(tmp_path: Path, n: int) -> tuple[list[dict], dict]:
    """Another database's chain of ``n`` rows and its head."""
    with Store.open(tmp_path / "laptop2.db") as other:
        record(
            other,
            [Change("case", f"c{i}", "created", None, f"C{i}") for i in range(n)],
            actor="Second Auditor",
        )
        rows = other.query("SELECT * FROM trail ORDER BY seq")
        head = other.one("SELECT seq, hash FROM trail_heads")
    for row in rows:
        row.pop("id", None)
    assert head is not None
    return rows, head


def _partial(rows: list[dict], head: dict, keep: set[int]) -> tuple[list[dict], list[dict]]:
    """What a pack carries: the rows kept, and gaps for the rest."""
    kept = [r for r in rows if r["seq"] in keep]
    links = {r["seq"]: (r["prev_hash"], r["hash"]) for r in kept}
    return kept, chain_gaps(links, (head["seq"], head["hash"]))


def test_a_chain_with_gaps_verifies_and_fills_in_later(
    store: Store, audited: str, tmp_path: Path
) -> None:
    rows, head = _laptop_chain(tmp_path, 8)
    origin = rows[0]["origin"]
    kept, gaps = _partial(rows, head, {2, 3, 6})
    assert [(g["seq"], g["last_seq"]) for g in gaps] == [(1, 1), (4, 5), (7, 8)]
    with store.atomic():
        assert merge_chain(store, origin, kept, gaps, head) == 3
    assert verify_trail(store) == []
    # A second pack carries rows 4 and 8: two gaps shrink, one goes.
    kept2, gaps2 = _partial(rows, head, {4, 8})
    with store.atomic():
        assert merge_chain(store, origin, kept2, gaps2, head) == 2
    assert verify_trail(store) == []
    spans = [(g["seq"], g["last_seq"]) for g in gaps_of(store, origin)]
    assert spans == [(1, 1), (5, 5), (7, 7)]
    # The whole chain: no gap is left, and merging it again adds nothing.
    with store.atomic():
        assert merge_chain(store, origin, rows, [], head) == 3
        assert merge_chain(store, origin, rows, [], head) == 0
    assert gaps_of(store, origin) == []
    assert verify_trail(store) == []


def test_a_chain_s_rows_merged_out_of_order_are_kept_in_order(
    store: Store, audited: str, tmp_path: Path
) -> None:
    """Packs carry a chain's rows in order, and the merge does not sort them then; rows in
    another order (a pack made by other software) are put in order before they are kept."""
    rows, head = _laptop_chain(tmp_path, 6)
    origin = rows[0]["origin"]
    with store.atomic():
        assert merge_chain(store, origin, [*reversed(rows[3:]), *rows[:3]], [], head) == 6
    assert verify_trail(store) == []
    assert [r["seq"] for r in chain_rows(store, origin)] == [1, 2, 3, 4, 5, 6]


def test_a_changed_row_inside_a_merged_chain_is_still_detected(
    store: Store, audited: str, tmp_path: Path, db_path: Path
) -> None:
    rows, head = _laptop_chain(tmp_path, 5)
    kept, gaps = _partial(rows, head, {1, 2, 4, 5})
    with store.atomic():
        merge_chain(store, rows[0]["origin"], kept, gaps, head)
    with _raw(db_path) as conn:  # another database's rows are sealed as they are merged
        edit_sealed_row(conn, head_origin(rows), 4, new_value="X")
    [problem] = verify_trail(store)
    assert "row 4: was changed after it was written" in problem


def head_origin(rows: list[dict]) -> str:
    return str(rows[0]["origin"])


def test_a_row_missing_for_no_declared_reason_stays_missing(
    store: Store, audited: str, tmp_path: Path
) -> None:
    rows, head = _laptop_chain(tmp_path, 5)
    with store.atomic():
        merge_chain(store, head_origin(rows), [r for r in rows if r["seq"] != 3], [], head)
    [problem] = verify_trail(store)
    assert "rows 3–3 are missing" in problem


def test_a_forked_chain_is_refused_and_nothing_changes(
    store: Store, audited: str, tmp_path: Path
) -> None:
    rows, head = _laptop_chain(tmp_path, 3)
    with store.atomic():
        merge_chain(store, head_origin(rows), rows, [], head)
    before = store.scalar("SELECT COUNT(*) FROM trail")
    forked = [dict(r) for r in rows]
    forked[2]["uid"], forked[2]["new_value"] = "another-uid", "Other"
    forked[2]["hash"] = row_hash(forked[2])
    fork_head = {"seq": 3, "hash": forked[2]["hash"]}
    with (
        pytest.raises(TrailForkError, match="differs from the copy here at row 3"),
        store.atomic(),
    ):
        merge_chain(store, head_origin(rows), forked, [], fork_head)
    assert store.scalar("SELECT COUNT(*) FROM trail") == before
    assert verify_trail(store) == []


_CHAIN: list[tuple[list[dict], dict]] = []


def _a_laptop_chain() -> tuple[list[dict], dict]:
    """One chain of 12 rows from another database, made once for every example."""
    if not _CHAIN:
        with tempfile.TemporaryDirectory() as folder:
            _CHAIN.append(_laptop_chain(Path(folder), 12))
    return _CHAIN[0]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=12),  # the pack's head: made after that row
            st.sets(st.integers(min_value=1, max_value=12)),  # the rows it carries
            st.booleans(),  # whether it declares gaps for the rest (a pack does)
        ),
        min_size=1,
        max_size=4,
    )
)
def test_merged_gaps_are_those_of_every_row_held(
    packs: list[tuple[int, set[int], bool]],
) -> None:
    """However packs of one chain arrive (partial, older, rows left out for no declared
    reason), the gaps a merge records are those the whole chain held here gives: merging
    reads only what the pack touches, with the same result."""
    rows, _head = _a_laptop_chain()
    origin = rows[0]["origin"]
    with tempfile.TemporaryDirectory() as folder, Store.open(Path(folder) / "qa.db") as store:
        for head_seq, keep, declares in packs:
            head = {"seq": head_seq, "hash": rows[head_seq - 1]["hash"]}
            carried = [r for r in rows if r["seq"] in keep and r["seq"] <= head_seq]
            links = {r["seq"]: (r["prev_hash"], r["hash"]) for r in carried}
            gaps = chain_gaps(links, (head_seq, head["hash"])) if declares else []
            declared = [*gaps_of(store, origin), *gaps]
            with store.atomic():
                merge_chain(store, origin, carried, gaps, head)
            held = {r["seq"]: (r["prev_hash"], r["hash"]) for r in chain_rows(store, origin)}
            top = store.one("SELECT seq, hash FROM trail_heads WHERE origin = ?", [origin])
            assert top is not None
            assert gaps_of(store, origin) == chain_gaps(held, (top["seq"], top["hash"]), declared)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=30),  # the chain's head
    st.sets(st.integers(min_value=1, max_value=34)),  # the rows held
    st.none()
    | st.lists(  # gaps declared (first row, rows more), overlapping or not
        st.tuples(st.integers(min_value=1, max_value=30), st.integers(min_value=0, max_value=6)),
        max_size=4,
    ),
)
def test_gaps_are_the_runs_of_rows_not_held(
    head_seq: int, held: set[int], declared_runs: list[tuple[int, int]] | None
) -> None:
    """A gap stands for each longest run of rows up to the head that are not held (and,
    with declared gaps, inside one), with the hashes of the rows either side of it."""
    links = {s: (f"prev{s}", f"hash{s}") for s in held}
    declared = (
        None
        if declared_runs is None
        else [
            {"seq": a, "last_seq": a + n, "prev_hash": f"from{a}", "hash": f"to{a + n}"}
            for a, n in declared_runs
        ]
    )

    def covered(seq: int) -> bool:
        return declared is None or any(g["seq"] <= seq <= g["last_seq"] for g in declared)

    gaps = chain_gaps(links, (head_seq, "head"), declared)
    missing = [s for s in range(1, head_seq + 1) if s not in held and covered(s)]
    assert [s for g in gaps for s in range(g["seq"], g["last_seq"] + 1)] == missing
    assert all(a["last_seq"] + 1 < b["seq"] for a, b in itertools.pairwise(gaps))
    starts = {g["seq"]: g["prev_hash"] for g in declared or ()}
    ends = {g["last_seq"]: g["hash"] for g in declared or ()}
    for gap in gaps:
        first, last = gap["seq"], gap["last_seq"]
        if first == 1:
            assert gap["prev_hash"] == GENESIS
        else:
            assert gap["prev_hash"] == (
                f"hash{first - 1}" if first - 1 in held else starts.get(first, "")
            )
        if last + 1 in held:
            assert gap["hash"] == f"prev{last + 1}"
        else:
            assert gap["hash"] == ("head" if last == head_seq else ends.get(last, ""))
