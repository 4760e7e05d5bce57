"""The main window: navigation between Cases, Audits, Actions, Dashboard, Frameworks and
Programmes, the audit form and moderation, and the menus.

Other parts of the app add their own menu items without touching this file's layout:
``add_file_action(action)`` puts an action in the File menu's import/export section
(between "Open recent" and "Quit"), and ``menu("name")`` gives any top-level menu.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSize, Qt, QUrl
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from auditor import APP_NAME
from auditor.logs import log_dir
from ui.errors import reporting_user_errors
from ui.file_choice import FileDialog
from ui.session import Session
from ui.settings import GEOMETRY, LAST_VIEW
from ui.widgets.common import named

if TYPE_CHECKING:
    from ui.audit_form.form import AuditForm

log = logging.getLogger(__name__)

# (key, label in the navigation, tooltip)
VIEWS = (
    ("cases", "Cases", "The case register: find a case and start an audit"),
    ("audits", "Audits", "My drafts, submitted, moderated and final audits"),
    ("actions", "Actions", "Every action raised by audits, open safeguarding ones first"),
    ("dashboard", "Dashboard", "Grades, compliance per criterion and the monthly trend"),
    ("frameworks", "Frameworks", "The criteria and where they come from"),
    ("programmes", "Programmes", "Rounds of audits: draw a sample and share it among auditors"),
)
KEYS = ("Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4", "Ctrl+5", "Ctrl+6")
# The View menu's items: one letter each (Audits and Actions share their first).
VIEW_ITEMS = {
    "cases": "&Cases",
    "audits": "&Audits",
    "actions": "Ac&tions",
    "dashboard": "&Dashboard",
    "frameworks": "&Frameworks",
    "programmes": "&Programmes",
}
DB_FILTER = "Case Auditor databases (*.db);;All files (*)"
FRAME_ROOM = QSize(16, 48)  # a window manager's frame and title bar, at most


class MainWindow(QMainWindow):
    def __init__(
        self,
        session: Session,
        *,
        open_database: Callable[[Path], None],
        load_demo: Callable[[], None] | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self._open_database = open_database
        self._load_demo = load_demo
        self.pages: dict[str, QWidget] = {}
        self.audit_form: AuditForm | None = None
        self.moderation: QWidget | None = None
        self.current_view = ""
        self.setWindowTitle(f"{APP_NAME} — {session.path.name}")
        self.setObjectName("mainWindow")
        self._build()
        self._build_menus()
        self._restore()

    # -- layout -----------------------------------------------------------------------------

    def _build(self) -> None:
        self.nav = named(
            QListWidget(),
            "Navigation",
            "Choose a view (Ctrl+1 to Ctrl+6)",
            object_name="navigation",
        )
        for (key, label, tip), keys in zip(VIEWS, KEYS, strict=True):
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(f"{tip} ({keys})")
            self.nav.addItem(item)
        self.nav.currentItemChanged.connect(self._on_nav_changed)
        # Arrow keys move through the screens and leave the focus in the navigation; Enter
        # (or a double click) goes into the screen shown.
        self.nav.itemActivated.connect(lambda _item: self._enter_page())
        widest = max(self.fontMetrics().horizontalAdvance(label) for _k, label, _t in VIEWS)
        self.nav.setFixedWidth(widest * 3 // 2 + 40)
        self.stack = QStackedWidget(objectName="pages")
        body = QWidget()
        row = QHBoxLayout(body)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(body)
        self.who = QLabel()
        self.statusBar().addPermanentWidget(self.who)
        self.refresh_who()

    def refresh_who(self) -> None:
        name = self.session.actor or "name not set (Edit → Your name…)"
        self.who.setText(f"Auditor: {name} · Database: {self.session.path}")

    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.menus: dict[str, QMenu] = {}
        file = self.menus["file"] = bar.addMenu("&File")
        self._action(file, "&New database…", self.new_database, "Ctrl+Shift+N")
        self._action(file, "&Open database…", self.choose_database, "Ctrl+O")
        self.recent_menu = file.addMenu("Open rec&ent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        self._file_section = file.addSeparator()  # import/export items go after this
        self._file_end = file.addSeparator()
        self._action(file, "&Quit", self.close, "Ctrl+Q")
        from ui.menus import file_menu

        file_menu.install(self)
        edit = self.menus["edit"] = bar.addMenu("&Edit")
        self._action(edit, "Your &name…", self.ask_name)
        view = self.menus["view"] = bar.addMenu("&View")
        for (key, _label, _tip), keys in zip(VIEWS, KEYS, strict=True):
            self._action(view, VIEW_ITEMS[key], lambda k=key: self.show_view(k), keys)
        help_ = self.menus["help"] = bar.addMenu("&Help")
        self._action(help_, "&Keyboard shortcuts", self.show_shortcuts, "F1")
        if self._load_demo is not None:
            self._action(help_, "Load &demo data…", self._load_demo)
        self._action(help_, "Open the &log folder", self.open_log_folder)
        self._action(help_, f"&About {APP_NAME}", self.about)

    def _action(
        self, menu: QMenu, text: str, slot: Callable[[], object], keys: object = None
    ) -> QAction:
        action = QAction(text, self)
        if keys is not None:
            action.setShortcut(QKeySequence(keys))  # type: ignore[arg-type]
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        self.addAction(action)  # its shortcut works wherever the focus is in the window
        return action

    # -- what the menus need (ui.menus.host.MenuHost) --------------------------------------

    def dialog_parent(self) -> QWidget:
        return self

    def add_file_action(self, action: QAction, *, everywhere: bool = False) -> None:
        """Put ``action`` in the File menu's import/export section; ``everywhere``: its
        shortcut works wherever the focus is in the window."""
        self.menus["file"].insertAction(self._file_end, action)
        if everywhere:
            self.addAction(action)

    def audit_in_front(self) -> str | None:
        """The audit the user means: open in the audit form (its changes saved first), else
        selected in the Audits view when that view shows; None when neither."""
        if self.audit_form is not None:
            return self.audit_form.saved_uid()
        audits = self.pages.get("audits")
        if self.current_view == "audits" and audits is not None:
            from ui.audits.view import AuditsView

            assert isinstance(audits, AuditsView)
            return audits.selected_uid()
        return None

    def add_file_separator(self) -> None:
        """A line between groups of import/export items in the File menu."""
        self.menus["file"].insertSeparator(self._file_end)

    def menu(self, name: str) -> QMenu:
        return self.menus[name]

    # -- views ------------------------------------------------------------------------------

    def page(self, key: str) -> QWidget:
        """The view called ``key``, built the first time it is shown."""
        if key not in self.pages:
            from ui import screens

            page = screens.build(key, self.session, self)
            self.pages[key] = page
            self.stack.addWidget(page)
        return self.pages[key]

    def show_view(self, key: str) -> None:
        if not self._may_leave_form(lambda: self.show_view(key)):
            return
        if key not in {k for k, *_ in VIEWS}:
            key = "cases"
        self._leave_form()
        page = self.page(key)
        self.stack.setCurrentWidget(page)
        self.current_view = key
        self.session.settings.set(LAST_VIEW, key)
        row = next(i for i, (k, *_r) in enumerate(VIEWS) if k == key)
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(row)
        self.nav.blockSignals(False)
        if hasattr(page, "shown"):
            page.shown()

    def _enter_page(self) -> None:
        page = self.stack.currentWidget()
        if hasattr(page, "enter"):
            page.enter()
        elif page is not None:
            page.focusNextChild()

    def _on_nav_changed(self, item: QListWidgetItem | None, _old: QListWidgetItem | None) -> None:
        if item is not None:
            self.show_view(item.data(Qt.ItemDataRole.UserRole))

    def open_audit(self, uid: str) -> None:
        if not self._may_leave_form(lambda: self.open_audit(uid)):
            return
        with reporting_user_errors(self, "opening an audit"):
            # Imported on first use: the form's modules are a third of the start-up's.
            from ui.audit_form.form import AuditForm

            self._leave_form()
            form = AuditForm(self.session, uid)
            form.back_requested.connect(lambda: self.show_view("audits"))
            self.audit_form = form
            self._show_extra(form)

    def moderate(self, uid: str) -> None:
        from ui.moderation.view import ModerationView

        if not self._may_leave_form(lambda: self.moderate(uid)):
            return
        with reporting_user_errors(self, "opening a moderation"):
            self._leave_form()
            view = ModerationView(self.session, uid)
            view.back_requested.connect(lambda: self.show_view("audits"))
            self.moderation = view
            self._show_extra(view)

    def _show_extra(self, page: QWidget) -> None:
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        self.nav.blockSignals(True)
        self.nav.setCurrentRow(1)
        self.nav.blockSignals(False)
        self.current_view = "audit"

    def _may_leave_form(self, then: Callable[[], None]) -> bool:
        """True when the open audit form has nothing unsaved (after one more try); else
        the form asks what to do, runs ``then`` once that is settled, and this is False."""
        form = self.audit_form
        if form is None or form.ask_to_leave(then):
            return True
        self.nav.blockSignals(True)  # the navigation still shows where the user is
        self.nav.setCurrentRow(1)
        self.nav.blockSignals(False)
        return False

    def _open_database_after_saving(self, path: Path) -> None:
        if self._may_leave_form(lambda: self._open_database(path)):
            self._open_database(path)

    def _leave_form(self) -> None:
        """Save and drop the open audit form or moderation, if any."""
        for page in (self.audit_form, self.moderation):
            if page is not None:
                if page is self.audit_form:
                    page.flush()
                self.stack.removeWidget(page)
                page.deleteLater()
        self.audit_form = self.moderation = None

    # -- menus ------------------------------------------------------------------------------

    def choose_database(self) -> None:
        path, _ = FileDialog.getOpenFileName(
            self, "Open a database", str(self.session.path.parent), DB_FILTER
        )
        if path:
            self._open_database_after_saving(Path(path))

    def new_database(self) -> None:
        path, _ = FileDialog.getSaveFileName(
            self, "New database", str(self.session.path.parent / "new.db"), DB_FILTER
        )
        if path:
            self._open_database_after_saving(Path(path))

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.session.settings.recent_databases():
            action = self.recent_menu.addAction(path)
            action.triggered.connect(
                lambda _c=False, p=path: self._open_database_after_saving(Path(p))
            )
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("No recent databases").setEnabled(False)

    def ask_name(self) -> None:
        name, ok = QInputDialog.getText(
            self, "Your name", "Your name, as written into every audit and its history:",
            text=self.session.actor,
        )  # fmt: skip
        if ok and name.strip():
            self.session.settings.auditor_name = name
            self.refresh_who()
            self.session.changes.audits_changed.emit()

    def show_shortcuts(self) -> None:
        from ui.menus.shortcuts import ShortcutsDialog

        ShortcutsDialog(self).open()

    def open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_dir())))

    def about(self) -> None:
        from auditor.about import about_text  # here: it reads the platform, which start-up need not

        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            "Offline case-file auditing against Improvement Notice criteria. Nothing leaves "
            f"this computer.\n\n{about_text(self.session.store)}",
        )

    # -- state ------------------------------------------------------------------------------

    def _restore(self) -> None:
        settings = self.session.settings
        geometry = settings.window_state(GEOMETRY)
        if geometry is None or not self.restoreGeometry(geometry):
            self._first_run_size()

    def _first_run_size(self) -> None:
        """The size before the user has chosen one: 1280×800 where the screen has room for
        it with the window's frame and the desktop's panels; else the whole available area
        (a 1366×768 laptop), so the status bar is never below the screen's edge."""
        screen = self.screen() or QGuiApplication.primaryScreen()
        available = screen.availableGeometry() if screen is not None else None
        wanted = QSize(1280, 800)
        if available is None:
            self.resize(wanted)
        elif (
            available.width() >= wanted.width() + FRAME_ROOM.width()
            and available.height() >= wanted.height() + FRAME_ROOM.height()
        ):
            self.resize(wanted)
            self.move(available.center() - self.rect().center())
        else:
            self.setGeometry(available.adjusted(0, 0, -FRAME_ROOM.width(), -FRAME_ROOM.height()))
            self.setWindowState(Qt.WindowState.WindowMaximized)

    def start(self) -> None:
        """Show the last view used; lists load in the background."""
        self.show_view(str(self.session.settings.get(LAST_VIEW)))

    def save_state(self) -> None:
        settings = self.session.settings
        settings.set_window_state(GEOMETRY, QByteArray(self.saveGeometry()))
        for page in self.pages.values():
            if hasattr(page, "save_state"):
                page.save_state()
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._may_leave_form(self.close):
            event.ignore()
            return
        self._leave_form()
        self.save_state()
        super().closeEvent(event)
