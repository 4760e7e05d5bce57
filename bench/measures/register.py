"""The case register: every case read for the Cases view, beside a raw ``fetchall`` of the
same columns; and what the GUI thread then does with the rows (the model filled, the
columns fitted to their contents on a shown table), which the user waits through."""

from __future__ import annotations

from pathlib import Path

from bench.measures.common import Row, cpu_seconds, generated_db, least_alternated, scaled

GOAL_RATIO = 1.5
ROUNDS = 5  # each side's least, the two taking turns
COLUMNS = "id, uid, reference, case_type, team, worker, referral_date, closed_date"


def measure(scale: float, workdir: Path) -> list[Row]:
    from auditor.cases.register import load_register
    from auditor.store import Store

    cases = scaled(100_000, scale)
    db = generated_db(workdir / "register.db", cases=cases, audits=min(cases, 5_000))
    with Store.open(db, create=False, check=False) as store:
        load_register(store)  # warm the page cache for both
        ours, bare = least_alternated(
            lambda: load_register(store),
            lambda: (
                store.execute(f"SELECT {COLUMNS} FROM cases ORDER BY reference").fetchall(),
                store.execute(
                    "SELECT case_id, status FROM audits WHERE deleted_at IS NULL "
                    "ORDER BY case_id, audit_date, id"
                ).fetchall(),
            ),
            ROUNDS,
        )
        rows = load_register(store)
    filled = _model_fill(rows)
    ratio = ours / bare
    return [
        Row(f"{cases:,}-case register load", f"{ours * 1000:.0f} ms CPU",
            f"raw fetchall {bare * 1000:.0f} ms CPU", ratio, f"≤ {GOAL_RATIO}×",
            ratio <= GOAL_RATIO,
            note=f"on the GUI thread, the model filled and the columns fitted: "
            f"{filled * 1000:.0f} ms CPU"),
    ]  # fmt: skip


def _model_fill(rows: list[object]) -> float:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication, QTableView

    from ui.cases.model import CaseRegisterModel
    from ui.cases.view import fit_register_columns

    app = QApplication.instance() or QApplication([])
    model = CaseRegisterModel()
    table = QTableView()
    table.resize(1200, 600)
    table.setModel(model)
    table.setSortingEnabled(True)  # as the Cases view: sorted by reference
    table.show()
    app.processEvents()

    # As the Cases view does: the rows put in the table's order on the worker, then given
    # to the model with that order, so the GUI thread does not sort them again.
    ordering = model.ordering()
    ordering(rows)

    def fill() -> None:
        model.set_rows(rows, ordered=ordering)
        fit_register_columns(table)
        app.processEvents()  # the first paint

    return cpu_seconds(fill)
