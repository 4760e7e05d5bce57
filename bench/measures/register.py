"""The case register: every case read for the Cases view, beside a raw ``fetchall`` of the
same columns, and the table model filled from it."""

from __future__ import annotations

from pathlib import Path

from bench.measures.common import Row, cpu_seconds, generated_db, scaled

GOAL_RATIO = 1.5
COLUMNS = "id, uid, reference, case_type, team, worker, referral_date, closed_date"


def measure(scale: float, workdir: Path) -> list[Row]:
    from auditor.cases.register import load_register
    from auditor.store import Store

    cases = scaled(100_000, scale)
    db = generated_db(workdir / "register.db", cases=cases, audits=min(cases, 5_000))
    with Store.open(db, create=False, check=False) as store:
        load_register(store)  # warm the page cache for both
        ours = min(cpu_seconds(lambda: load_register(store)) for _ in range(3))
        bare = min(
            cpu_seconds(
                lambda: (
                    store.execute(f"SELECT {COLUMNS} FROM cases ORDER BY reference").fetchall(),
                    store.execute(
                        "SELECT case_id, status FROM audits WHERE deleted_at IS NULL "
                        "ORDER BY case_id, audit_date, id"
                    ).fetchall(),
                )
            )
            for _ in range(3)
        )
        rows = load_register(store)
    filled = _model_fill(rows)
    ratio = ours / bare
    return [
        Row(f"{cases:,}-case register load", f"{ours * 1000:.0f} ms CPU",
            f"raw fetchall {bare * 1000:.0f} ms CPU", ratio, f"≤ {GOAL_RATIO}×",
            ratio <= GOAL_RATIO, note=f"filling the table model: {filled * 1000:.0f} ms CPU"),
    ]  # fmt: skip


def _model_fill(rows: list[object]) -> float:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from ui.cases.model import CaseRegisterModel

    _app = QApplication.instance() or QApplication([])
    model = CaseRegisterModel()
    return cpu_seconds(lambda: model.set_rows(rows))
