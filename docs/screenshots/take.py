"""Take the README's screenshots of the desktop app at 1366×768 under Xvfb.

Run from the checkout:  .venv/bin/python docs/screenshots/take.py [--out DIR] [--scale 1.0]

It starts its own Xvfb (display :97) unless DISPLAY is set, builds a 400-case demo
database in a temp folder, drives the real app (keyboard answers, typed evidence, an
action, the safeguarding flag, a moderation) and saves one PNG per screen.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
WIDTH, HEIGHT = 1366, 768


def start_xvfb(scale: float) -> list[subprocess.Popen[bytes]]:
    """Xvfb at 1366×768 (times ``scale``) with openbox managing the windows, as on a real
    desktop: windows get frames, dialogs are placed and take the focus. Nothing when a
    DISPLAY is set already."""
    if os.environ.get("DISPLAY") or not shutil.which("Xvfb"):
        return []
    display = ":97"
    size = f"{round(WIDTH * scale)}x{round(HEIGHT * scale)}x24"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    procs = [subprocess.Popen(["Xvfb", display, "-screen", "0", size, "-nolisten", "tcp"], **quiet)]
    time.sleep(1.0)
    os.environ["DISPLAY"] = display
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    if shutil.which("openbox"):
        procs.append(subprocess.Popen(["openbox"], **quiet))
        time.sleep(0.5)
    return procs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="QT_SCALE_FACTOR, e.g. 1.5: the screen grows so the window stays 1366×768 points",
    )
    args = parser.parse_args()
    display = start_xvfb(args.scale)
    try:
        with tempfile.TemporaryDirectory() as folder:
            os.environ["CASE_AUDITOR_DATA_DIR"] = str(Path(folder) / "data")
            os.environ["QT_SCALE_FACTOR"] = str(args.scale)
            suffix = "" if args.scale == 1 else f"-{round(args.scale * 100)}"
            Shooter(Path(folder) / "shots.db", args.out, suffix).run()
    finally:
        for proc in reversed(display):
            proc.terminate()
            proc.wait(timeout=10)


class Shooter:
    def __init__(self, db: Path, out: Path, suffix: str = "") -> None:
        from auditor.demo import make_demo
        from auditor.store import Store

        with Store.open(db) as store:
            make_demo(store, cases=400, seed=1)
        self.db = db
        self.out = out
        self.suffix = suffix
        out.mkdir(parents=True, exist_ok=True)

    # -- helpers ----------------------------------------------------------------------------

    def wait(self, ms: int) -> None:
        from PySide6.QtCore import QEventLoop, QTimer

        loop = QEventLoop()
        QTimer.singleShot(ms, loop.quit)
        loop.exec()

    def wait_for(self, ready: Callable[[], bool], timeout_ms: int = 10_000) -> None:
        waited = 0
        while not ready():
            assert waited < timeout_ms, "timed out"
            self.wait(50)
            waited += 50

    def save(self, widget: object, name: str) -> None:
        self.wait(300)
        self.save_image(widget.grab().toImage(), name)  # type: ignore[attr-defined]

    def save_image(self, image: object, name: str) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtGui import QImage

        # 256 colours, no dithering: a quarter of the size, text stays crisp.
        flags = Qt.ImageConversionFlag.ThresholdDither | Qt.ImageConversionFlag.AvoidDither
        image = image.convertToFormat(QImage.Format.Format_Indexed8, flags)  # type: ignore[attr-defined]
        path = self.out / f"{name}{self.suffix}.png"
        image.save(str(path), "PNG", 0)  # type: ignore[attr-defined]
        print(f"{path}: {image.width()}×{image.height()}, "  # type: ignore[attr-defined]
              f"{path.stat().st_size // 1024} KB")  # fmt: skip

    def dialog(self, kind: type) -> object:
        from PySide6.QtWidgets import QApplication

        self.wait_for(lambda: any(isinstance(w, kind) and w.isVisible()
                                  for w in QApplication.topLevelWidgets()))  # fmt: skip
        return next(w for w in QApplication.topLevelWidgets()
                    if isinstance(w, kind) and w.isVisible())  # fmt: skip

    # -- the screens ------------------------------------------------------------------------

    def run(self) -> None:
        from ui.app import AppController, make_application
        from ui.errors import install_handlers, show_error
        from ui.operations import OperationRunner
        from ui.settings import Settings

        install_handlers()
        self.app = make_application()
        settings = Settings.open_default()
        self.controller = AppController(
            settings, OperationRunner(on_failure=lambda e: show_error(None, e))
        )
        self.first_run(settings)
        window = self.controller.window
        assert window is not None
        window.resize(WIDTH, HEIGHT)
        window.move(0, 0)
        window.activateWindow()
        self.wait_for(lambda: self.app.activeWindow() is window)
        self.window = window
        self.cases()
        self.audit_in_progress()
        self.audit_complete()
        self.audits()
        self.moderation()
        self.actions()
        self.dashboard()
        self.frameworks()
        self.framework_editor()
        self.packs()
        self.programmes()
        self.import_wizard()
        self.export_report()
        self.board_pack()
        self.hub_sync()
        self.controller.shutdown()

    def first_run(self, settings: object) -> None:
        from ui.first_run import FirstRunDialog

        # A brand-new database shows the offer of demo data; the shots use the demo one.
        self.controller.open_database(self.db.with_name("empty.db"))
        dialog = self.dialog(FirstRunDialog)
        dialog.name.setText("Demo Auditor Ash")  # type: ignore[attr-defined]
        self.save(dialog, "first-run")
        dialog.accept()  # type: ignore[attr-defined]
        self.controller.open_database(self.db)

    def cases(self) -> None:
        from PySide6.QtTest import QTest

        self.window.show_view("cases")
        cases = self.window.page("cases")
        self.wait_for(lambda: cases.model.total > 0)
        QTest.keyClicks(cases.text, "safeguarding team north")
        self.wait_for(lambda: cases.model.rowCount() < cases.model.total)
        cases.table.selectRow(3)
        self.save(self.window, "cases")

    def _start_audit(self, case_type: str, offset: int) -> object:
        from auditor.audits.records import start_audit

        store = self.window.session.store
        case = store.query(
            "SELECT uid FROM cases WHERE case_type = ? AND id NOT IN "
            "(SELECT case_id FROM audits) ORDER BY reference",
            [case_type],
        )[offset]["uid"]
        uid = start_audit(store, case_uid=case, auditor="Demo Auditor Ash", framework_code="IN-CFA")
        self.window.open_audit(uid)
        return self.window.audit_form

    def audit_in_progress(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        form = self._start_audit("child_protection", 0)
        notes = {
            "2": "Risks listed in the assessment of 03/02; no analysis of their impact.",
            "3": "No chronology on the file since the referral.",
        }
        for key in ("1", "1", "2", "1", "1", "1", "3", "1", "1", "1"):
            card = form.current
            QTest.keyClick(card, key)
            if key in notes:
                QTest.keyClicks(card.evidence, notes[key])
                QTest.keyClick(
                    card.evidence, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
                )
        QTest.keyClick(form.current, Qt.Key.Key_G)
        self.wait(500)
        self.save(self.window, "audit-form")

    def audit_complete(self) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        from auditor.domain import Grade
        from ui.widgets.action_dialog import ActionDialog

        form = self._start_audit("looked_after", 0)
        codes = list(form.cards)
        for n, code in enumerate(codes):
            card = form.current
            # The child is not safe now (SAFE-01 No): the concern raised below follows.
            key = "3" if n in (1, len(codes) - 3) or code == "SAFE-01" else "1"
            QTest.keyClick(card, key)
            if key == "3":
                QTest.keyClicks(card.evidence, "Not evidenced on the file.")
                QTest.keyClick(
                    card.evidence, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier
                )
        panel = form.grade
        panel.final_grade.setCurrentIndex(panel.final_grade.findData(Grade.INADEQUATE.value))
        QTest.keyClicks(panel.reason, "The child has not been seen alone for four months.")
        panel.safeguarding.click()
        QTest.keyClicks(panel.safeguarding_note, "Told the team manager by phone at 14:10.")
        form.actions.add()
        dialog = self.dialog(ActionDialog)
        QTest.keyClicks(dialog.text, "Visit the child and see them alone today.")
        QTest.keyClicks(dialog.owner, "Team manager")
        dialog.accept()
        form.tabs.setCurrentIndex(0)
        self.save(self.window, "audit-grade")
        form.submit()
        self.wait(300)

    def audits(self) -> None:
        from PySide6.QtWidgets import QApplication, QMessageBox

        for box in QApplication.topLevelWidgets():
            if isinstance(box, QMessageBox) and box.isVisible():
                yes = box.button(QMessageBox.StandardButton.Yes)
                assert yes is not None, f"{box.text()} {box.informativeText()}"
                yes.click()
        self.window.show_view("audits")
        view = self.window.page("audits")
        view.tabs.setCurrentIndex(4)
        self.wait_for(lambda: view.model.total > 100)
        self.save(self.window, "audits")

    def moderation(self) -> None:
        from auditor.audits.records import list_audits

        self.window.session.settings.auditor_name = "Demo QA Lead Oak"
        submitted = [a for a in list_audits(self.window.session.store, status="submitted")
                     if a.auditor != "Demo QA Lead Oak"]  # fmt: skip
        self.window.moderate(submitted[0].uid)
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        from PySide6.QtWidgets import QApplication

        self.wait(300)
        # By key, as a moderator works: agree (1) the first criteria, change (2) one to
        # Partly (its scale key) with a reason, then Enter on to the next undecided one.
        for key in ("1", "1", "1", "2", "2"):
            QTest.keyClick(QApplication.focusWidget(), key)
        QTest.keyClicks(QApplication.focusWidget(), "The plan names no one for two of its actions.")
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
        self.wait(300)
        self.save(self.window, "moderation")
        self.window.session.settings.auditor_name = "Demo Auditor Ash"

    def actions(self) -> None:
        self.window.show_view("actions")
        view = self.window.page("actions")
        self.wait_for(lambda: view.model.rowCount() > 0)
        self.save(self.window, "actions")

    def dashboard(self) -> None:
        self.window.show_view("dashboard")
        view = self.window.page("dashboard")
        self.wait_for(lambda: view.figures is not None)
        self.save(self.window, "dashboard")
        view.pages.setCurrentWidget(view.performance)
        self.wait_for(lambda: view.performance.report is not None)
        self.save(self.window, "dashboard-timeliness")
        view.pages.setCurrentWidget(view.agreement_panel.parentWidget())
        self.wait_for(lambda: view.agreement_panel.criteria.rowCount() > 0)
        self.save(self.window, "dashboard-agreement")
        view.pages.setCurrentIndex(0)

    def frameworks(self) -> None:
        self.window.show_view("frameworks")
        view = self.window.page("frameworks")
        section = view.tree.topLevelItem(0)
        view.tree.setCurrentItem(section.child(0))
        self.save(self.window, "frameworks")

    def framework_editor(self) -> None:
        """Copy the built-in framework into a draft, reword a criterion, look at the preview."""
        from PySide6.QtTest import QTest

        view = self.window.page("frameworks")
        view.copy_framework()
        editor = view.editor
        self.wait_for(lambda: editor is not None and editor.isVisible())
        editor.resize(1300, 720)
        tree = editor.tree
        first = tree.topLevelItem(0).child(0)
        tree.setCurrentItem(first)
        editor.c_text.selectAll()
        QTest.keyClicks(editor.c_text, "Is the risk to the child recorded, analysed and dated?")
        self.wait(600)  # the draft is checked and saved after a pause
        self.save(editor, "framework-editor")
        editor.tabs.setCurrentWidget(editor.scales_form)
        self.wait(300)
        self.save(editor, "framework-scales")
        editor.tabs.setCurrentWidget(editor.preview_page)
        self.wait(400)
        self.save(editor, "framework-preview")
        editor.reject()
        self.wait(200)

    def packs(self) -> None:
        from PySide6.QtGui import QAction

        from auditor.audits.records import get_audit, record_answer, update_audit
        from auditor.packs import apply_merge, export_pack, read_pack
        from auditor.store import Store
        from ui.file_choice import FileDialog
        from ui.packs.preview import PackPreviewDialog

        # Ash's draft goes to Ash's laptop (another database) in a pack; then it is changed
        # both there and here, and the pack coming back from the laptop is a conflict.
        store = self.window.session.store
        uid = store.scalar("SELECT uid FROM audits WHERE auditor = 'Demo Auditor Ash' AND "
                           "status = 'draft' ORDER BY id DESC LIMIT 1")  # fmt: skip
        code = sorted(get_audit(store, uid).answers)[1]
        folder = self.db.parent
        export_pack(store, folder / "to-laptop.auditpack", created_by="Demo Auditor Ash",
                    audit_uids=[uid])  # fmt: skip
        with Store.open(folder / "laptop.db") as laptop:
            apply_merge(laptop, read_pack(folder / "to-laptop.auditpack"), actor="Demo Auditor Ash")
            evidence = "Plan reviewed with the family on 12/03; risks analysed."
            record_answer(laptop, uid, code, value="yes", actor="Demo Auditor Ash",
                          evidence=evidence)  # fmt: skip
            update_audit(laptop, uid, actor="Demo Auditor Ash",
                         strengths="The child's views are recorded at every visit.")  # fmt: skip
            export_pack(laptop, folder / "ash-laptop.auditpack", created_by="Demo Auditor Ash")
        # Ash changes the same answer here too (a draft is changed by its own auditor only).
        record_answer(store, uid, code, value="no", actor="Demo Auditor Ash",
                      evidence="No analysis of the risks on the file.")  # fmt: skip
        self.window.session.settings.auditor_name = "Demo QA Lead Oak"
        chosen = [str(folder / "ash-laptop.auditpack")]
        original = FileDialog.getOpenFileNames
        FileDialog.getOpenFileNames = lambda *_a, **_k: (chosen, "")  # type: ignore[method-assign]
        try:
            self.window.findChild(QAction, "packs_import").trigger()
            dialog = self.dialog(PackPreviewDialog)
        finally:
            FileDialog.getOpenFileNames = original  # type: ignore[method-assign]
        page = dialog.pages[0]  # type: ignore[attr-defined]
        view = page.conflicts.view_of(uid)
        view.choose("fields")
        view.keep[1].setCurrentIndex(1)  # the laptop's answer, with our evidence
        self.save(dialog, "pack-conflict")
        dialog.reject()  # type: ignore[attr-defined]
        self.window.session.settings.auditor_name = "Demo Auditor Ash"

    def programmes(self) -> None:
        from auditor.clock import today
        from ui.programmes.draw_sample import DrawSampleDialog
        from ui.programmes.new_programme import NewProgrammeDialog

        self.window.show_view("programmes")
        view = self.window.page("programmes")
        self.wait_for(lambda: view.model.total > 0)
        view.new_button.click()
        create = self.dialog(NewProgrammeDialog)
        name = f"Stratified dip sample {today():%B %Y}"
        create.name.setText(name)  # type: ignore[attr-defined]
        create.auditors.setPlainText("Demo Auditor Ash\nDemo Auditor Birch")  # type: ignore[attr-defined]
        create.ok.click()  # type: ignore[attr-defined]
        self.wait_for(lambda: view.panel.title.text() == name)
        view.panel.buttons["draw"].click()
        draw = self.dialog(DrawSampleDialog)
        draw.choices.choose("stratified", "number")  # type: ignore[attr-defined]
        draw.choices.by_type.setChecked(True)  # type: ignore[attr-defined]
        draw.choices.n.setValue(24)  # type: ignore[attr-defined]
        draw.preview_button.click()  # type: ignore[attr-defined]
        self.wait_for(lambda: draw.preview_panel.sample is not None)  # type: ignore[attr-defined]
        self.save(draw, "draw-sample")
        draw.save_button.click()  # type: ignore[attr-defined]
        self.wait_for(lambda: view.panel.model.total == 24)
        view.panel.buttons["check"].click()
        self.wait_for(lambda: view.panel.check_result.text() != "")
        view.panel.table.selectRow(0)
        self.save(self.window, "programmes")

    def import_wizard(self) -> None:
        from PySide6.QtGui import QAction

        from ui.import_cases.wizard import ImportWizard

        # A small synthetic case list: two demo cases with a new team and type, new cases
        # and two bad rows (an impossible date, an unknown case type).
        store = self.window.session.store
        moved = store.query("SELECT reference FROM cases ORDER BY reference LIMIT 2")
        rows = [["Case Ref", "Case Type", "Team", "Key Contact", "Referral Date"]]
        rows += [[m["reference"], "CP", "Team North", "", ""] for m in moved]
        rows += [[f"CASE-TEST-{n:04d}", ("CP", "CIN", "CLA")[n % 3], "Team North",
                  f"Demo Worker {n:02d}", f"{n + 2:02d}/01/2026"] for n in range(1, 9)]  # fmt: skip
        rows[5][4] = "31/02/2026"
        rows[7][1] = "Martian"
        path = self.db.with_name("case-list-january.csv")
        path.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8-sig")
        self.window.findChild(QAction, "importCases").trigger()
        wizard = self.dialog(ImportWizard)
        assert isinstance(wizard, ImportWizard)
        wizard.file_page.open_file(path)
        self.wait_for(wizard.file_page.isComplete)
        wizard.next()
        combo = wizard.columns_page.columns.combos["Key Contact"]
        combo.setCurrentIndex(combo.findData("worker"))
        self.save(wizard, "import-columns")
        wizard.next()
        self.wait_for(lambda: wizard.state.validation is not None)
        self.save(wizard, "import-check")
        wizard.reject()

    def export_report(self) -> None:
        from PySide6.QtGui import QAction
        from PySide6.QtWidgets import QMessageBox

        from ui.file_choice import FileDialog
        from ui.reports.export_report import ExportReportDialog

        self.window.findChild(QAction, "exportReportAction").trigger()
        dialog = self.dialog(ExportReportDialog)
        dialog.team.setCurrentIndex(dialog.team.findText("Demo Safeguarding Team North"))
        dialog.pseudonymise.setChecked(True)
        dialog.count()  # now, not after the pause it leaves for more typing
        self.wait_for(lambda: dialog.export_button.isEnabled())
        self.save(dialog, "export-report")
        target = self.db.parent / "case-audit-report.xlsx"  # the temp folder, thrown away
        real = FileDialog.getSaveFileName
        FileDialog.getSaveFileName = lambda *_args: (str(target), "")  # type: ignore[assignment]
        try:
            dialog.export_button.click()
            done = self.dialog(QMessageBox)
            self.save(done, "export-report-done")
            done.close()
        finally:
            FileDialog.getSaveFileName = real  # type: ignore[method-assign]

    def board_pack(self) -> None:
        """Pages 1 and 3 of the demo's board pack side by side, as a board member sees them
        (the PDF made by the core, drawn by poppler's pdftoppm)."""
        from PySide6.QtGui import QColor, QImage, QPainter

        from auditor.reports.board_pack import export_board_pack
        from auditor.store import Store

        pdf = self.db.parent / "board-pack.pdf"
        with Store.open(self.db, readonly=True) as store:
            export_board_pack(store, pdf)
        pages = []
        for page in (1, 3):
            stem = self.db.parent / f"page-{page}"
            subprocess.run(["pdftoppm", "-r", "75", "-f", str(page), "-l", str(page), "-png",
                            "-singlefile", str(pdf), str(stem)], check=True)  # fmt: skip
            pages.append(QImage(f"{stem}.png"))
        gap = 16
        both = QImage(sum(p.width() for p in pages) + 3 * gap, max(p.height() for p in pages)
                      + 2 * gap, QImage.Format.Format_RGB32)  # fmt: skip
        both.fill(QColor("#8a8f98"))
        painter = QPainter(both)
        x = gap
        for image in pages:
            painter.drawImage(x, gap, image)
            x += image.width() + gap
        painter.end()
        self.save_image(both, "board-pack")

    def hub_sync(self) -> None:
        from PySide6.QtGui import QAction

        from ui.hub.sync import SyncDialog

        self.window.findChild(QAction, "hubSync").trigger()
        dialog = self.dialog(SyncDialog)
        dialog.url.setText("postgresql://demo.auditor@audit-hub.demo-council.example/audits")
        dialog.passphrase.setText("demo passphrase")
        self.save(dialog, "hub-sync")
        dialog.reject()


if __name__ == "__main__":
    main()
