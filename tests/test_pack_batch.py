"""Both faces merge a batch of packs the same way: the core's merge_packs, one transaction.

The command line (``pack import A B C``) and the app (File → Import audit packs…, whose
merge work is ``ui.packs.import_packs.merging``) are given the same packs on two copies
of the same database; the databases they leave are the same, row for row, apart from local
ids and the times of the merge. A batch with a pack that is refused leaves the database as
it was through either face: never a half-done merge.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.audits.records import get_audit, record_answer, start_audit
from auditor.cases.records import add_case
from auditor.cli import main
from auditor.errors import PackContentError
from auditor.frameworks.library import ensure_builtin_frameworks, register_framework
from auditor.frameworks.model import Framework, parse_framework
from auditor.packs import Pack, Resolution, export_pack, merge_packs, read_pack
from auditor.store import Store
from ui.packs.import_packs import merging

QA = "Test QA Lead"
ASH, BIRCH = "Test Auditor Ash", "Test Auditor Birch"


@pytest.fixture
def world(tmp_path: Path, mini: Framework) -> Iterator[dict[str, Any]]:
    """The QA lead's database after a first pack from Ash, and a batch to merge next: Ash's
    second pack (one audit changed only by Ash, one changed on both sides: a conflict),
    Birch's first pack, and Ash's second pack again under another name."""
    stores = {name: Store.open(tmp_path / f"{name}.db") for name in ("qa", "ash", "birch")}
    for store in stores.values():
        register_framework(store, mini)
    qa, ash, birch = stores["qa"], stores["ash"], stores["birch"]
    ensure_builtin_frameworks(qa)  # as the app and the command line both do on opening it
    case = add_case(ash, actor=ASH, reference="TEST-0001", case_type="child_in_need")
    only_ash = start_audit(ash, case_uid=case.uid, auditor=ASH, framework_code="MINI")
    both = start_audit(ash, case_uid=case.uid, auditor=ASH, framework_code="MINI")
    for uid in (only_ash, both):
        record_answer(ash, uid, "R-1", value="no", evidence="Nothing on file.", actor=ASH)
    export_pack(ash, tmp_path / "ash-1.auditpack", created_by=ASH)
    merge_packs(qa, [read_pack(tmp_path / "ash-1.auditpack")], actor=QA)
    record_answer(ash, only_ash, "R-1", value="partly", actor=ASH)
    record_answer(ash, both, "R-2", value="yes", evidence="Framework used.", actor=ASH)
    record_answer(qa, both, "R-2", value="no", evidence="Not seen.", actor=ASH)
    other = add_case(birch, actor=BIRCH, reference="TEST-0002", case_type="child_in_need")
    audit = start_audit(birch, case_uid=other.uid, auditor=BIRCH, framework_code="MINI")
    record_answer(birch, audit, "V-1", value="yes", evidence="Views quoted.", actor=BIRCH)
    export_pack(ash, tmp_path / "ash-2.auditpack", created_by=ASH)
    export_pack(birch, tmp_path / "birch-1.auditpack", created_by=BIRCH)
    shutil.copy(tmp_path / "ash-2.auditpack", tmp_path / "ash-2 copy.auditpack")
    batch = [tmp_path / f"{n}.auditpack" for n in ("ash-2", "birch-1", "ash-2 copy")]
    yield {"qa": qa, "ash": ash, "batch": batch, "both": both, "tmp": tmp_path}
    for store in stores.values():
        store.close()


def copy_of(store: Store, path: Path) -> Path:
    """A copy of the database through SQLite's backup (no plain read of a file in use)."""
    target = sqlite3.connect(path)
    try:
        store.db.conn.backup(target)
    finally:
        target.close()
    return path


# Columns that differ between two merges of the same packs for local reasons only: row ids,
# the moments of the merge, and this database's own trail rows (their hash covers the time).
_LOCAL = {"id", "loaded_at", "imported_at", "recorded_at", "detected_at", "resolved_at"}


def content(path: Path) -> dict[str, list[str]]:
    """Every table's rows as a merge leaves them, without what legitimately differs."""
    with Store.open(path, create=False) as store:
        own = store.origin
        conn = store.db.conn
        conn.row_factory = sqlite3.Row
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        result = {}
        for table in tables:
            rows = []
            for row in conn.execute(f"SELECT * FROM [{table}]"):
                values = dict(row)
                mine = values.get("origin") == own
                rows.append(
                    repr(
                        sorted(
                            (k, v)
                            for k, v in values.items()
                            if k not in _LOCAL
                            and not k.endswith("_id")
                            and k not in ("at", "updated_at")
                            and not (mine and k in ("uid", "hash", "prev_hash"))
                            and not (table == "merge_conflicts" and k == "uid")
                        )
                    )
                )
            result[table] = sorted(rows)
        return result


def through_the_app(db: Path, chosen: list[tuple[Pack, dict[str, Resolution]]]) -> Any:
    """The app's merge work, run as its operation runner runs it (on a Store of its own)."""
    with Store.open(db, create=False) as store:
        return merging(chosen, QA)(store, lambda done, total, text: None)


def test_the_command_line_and_the_app_leave_the_same_database(world: dict[str, Any]) -> None:
    tmp, batch = world["tmp"], world["batch"]
    start = copy_of(world["qa"], tmp / "start.db")
    cli_db, app_db = shutil.copy(start, tmp / "cli.db"), shutil.copy(start, tmp / "app.db")
    assert main(["pack", "import", *map(str, batch), "--db", str(cli_db), "--by", QA]) == 0
    results = through_the_app(app_db, [(read_pack(p), {}) for p in batch])
    assert [s.already_imported for _path, s in results] == [False, False, True]
    assert [len(s.conflicts_kept) for _path, s in results] == [1, 0, 0]
    assert content(cli_db) == content(app_db)
    assert content(cli_db) != content(start)


def test_a_conflict_resolved_the_same_way_gives_the_same_database(world: dict[str, Any]) -> None:
    tmp, batch, both = world["tmp"], world["batch"], world["both"]
    start = copy_of(world["qa"], tmp / "start.db")
    cli_db, app_db = shutil.copy(start, tmp / "cli.db"), shutil.copy(start, tmp / "app.db")
    args = ["pack", "import", *map(str, batch), "--db", str(cli_db), "--by", QA, "--theirs"]
    assert main(args) == 0
    # In the app the conflict is shown in the first pack's preview and taken from the pack;
    # the third file is the same pack, by then already merged.
    results = through_the_app(
        app_db, [(read_pack(p), {both: "theirs"} if n != 1 else {}) for n, p in enumerate(batch)]
    )
    assert results[0][1].conflicts_resolved == 1
    assert content(cli_db) == content(app_db)
    with Store.open(app_db, create=False) as store:
        assert get_audit(store, both).answer_value("R-2") == "yes"


def _framework_changed_elsewhere(tmp: Path, mini: Framework) -> Path:
    """A pack whose MINI 1.0.0 differs from ours: refused when it is planned, mid-batch."""
    with Store.open(tmp / "changed.db") as store:
        text = mini.source_text.replace("Is the level of risk recorded?", "Is risk noted?")
        register_framework(store, parse_framework(text, origin="changed"))
        case = add_case(store, actor=BIRCH, reference="TEST-0003", case_type="child_in_need")
        start_audit(store, case_uid=case.uid, auditor=BIRCH, framework_code="MINI")
        export_pack(store, tmp / "changed.auditpack", created_by=BIRCH)
    return tmp / "changed.auditpack"


def test_a_batch_with_a_refused_pack_changes_nothing_through_either_face(
    world: dict[str, Any], mini: Framework, capsys: pytest.CaptureFixture[str]
) -> None:
    tmp = world["tmp"]
    batch = [*world["batch"][:2], _framework_changed_elsewhere(tmp, mini)]
    start = copy_of(world["qa"], tmp / "start.db")
    cli_db, app_db = shutil.copy(start, tmp / "cli.db"), shutil.copy(start, tmp / "app.db")
    assert main(["pack", "import", *map(str, batch), "--db", str(cli_db), "--by", QA]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "MINI version 1.0.0 differs from the copy" in err
    with pytest.raises(PackContentError, match="MINI version 1.0.0 differs"):
        through_the_app(app_db, [(read_pack(p), {}) for p in batch])
    assert content(cli_db) == content(start)  # the first two packs were not kept either
    assert content(app_db) == content(start)


def test_the_same_pack_twice_in_a_batch_changes_nothing_the_second_time(
    world: dict[str, Any],
) -> None:
    qa, batch = world["qa"], world["batch"]
    first, _birch, again = merge_packs(qa, [read_pack(p) for p in batch], actor=QA)
    assert not first.already_imported and first.updated == 1
    assert again.already_imported and (again.added, again.updated) == (0, 0)


def test_a_conflict_settled_by_an_earlier_pack_of_the_batch_is_no_longer_one(
    world: dict[str, Any],
) -> None:
    """The app keeps each pack's choices from its preview; by the time the copy of Ash's
    pack is merged, the first has settled the conflict, so its choice is dropped."""
    qa, batch, both = world["qa"], world["batch"], world["both"]
    packs = [read_pack(batch[0]), read_pack(_reexported(world))]
    first, second = merge_packs(qa, packs, actor=QA, resolutions=[{both: "theirs"}] * 2)
    assert first.conflicts_resolved == 1
    assert second.conflicts_resolved == 0 and second.conflicts_kept == ()


def _reexported(world: dict[str, Any]) -> Path:
    """Ash's audits exported once more (a new pack of the same versions)."""
    path = world["tmp"] / "ash-3.auditpack"
    export_pack(world["ash"], path, created_by=ASH)
    return path


def test_the_command_line_merges_its_batch_with_one_side_for_every_conflict(
    world: dict[str, Any],
) -> None:
    qa, batch, both = world["qa"], world["batch"], world["both"]
    summaries = merge_packs(qa, [read_pack(p) for p in batch], actor=QA, resolutions=["ours"] * 3)
    assert summaries[0].conflicts_resolved == 1
    assert get_audit(qa, both).answer_value("R-2") == "no"
