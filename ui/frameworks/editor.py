"""The framework editor: a draft's sections and criteria edited in forms, checked as you
type by the one parser, saved as you go, with a preview of the audit form.

The draft is held as the structure the TOML format has (``self.raw``); every change writes
into it, and a short pause later (so typing in a framework of 47 criteria does not lag) its
text is saved to the draft and parsed: the problems are listed under the form, and the
field a problem names is marked. The Scales, Grading and Timescales tabs are forms of their
own (``scales_form``, ``grading_form``, ``timescales_form``) over the same structure.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from auditor.audits.grading import grade_audit
from auditor.domain import CASE_TYPE_LABELS, CaseType
from auditor.frameworks import drafts
from auditor.frameworks.model import Framework, parse_framework
from auditor.words import plural
from ui.frameworks.form_fields import (
    ROLE,
    case_type_list,
    number_or_text,
    show_case_types,
    shown_number,
    ticked_case_types,
)
from ui.frameworks.grading_form import GradingForm
from ui.frameworks.scales_form import ScalesForm
from ui.frameworks.timescales_form import TimescalesForm
from ui.session import Session
from ui.widgets.common import TextBox, buddy, heading, named, wrapped
from ui.widgets.criterion_card import CriterionCard

PAUSE_MS = 400  # after the last keystroke, save and check
ALWAYS = "Always asked (for its case types)"


class FrameworkEditor(QDialog):
    def __init__(self, session: Session, uid: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session, self.uid = session, uid
        draft = drafts.get_draft(session.store, uid)
        self.raw: dict[str, Any] = drafts.raw_of(draft.source_text)
        self.framework: Framework | None = None
        self.loading = False  # filling the forms: not an edit
        self.setObjectName("frameworkEditor")
        self.setWindowTitle(f"Framework draft: {draft.title} ({draft.code})")
        self.pause = QTimer(self, singleShot=True, interval=PAUSE_MS)
        self.pause.timeout.connect(self.save_now)
        self._build()
        self._fill_tree()
        self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self._check(drafts.problems(draft.source_text))
        self.tree.setFocus()

    # -- layout -----------------------------------------------------------------------------

    def _build(self) -> None:
        self.tabs = named(QTabWidget(), "Framework draft", object_name="editorTabs")
        self.tabs.addTab(self._content_tab(), "Co&ntent")
        self.scales_form = ScalesForm(self.raw)
        self.grading_form = GradingForm(self.raw)
        self.timescales_form = TimescalesForm(self.raw)
        for form in (self.scales_form, self.grading_form, self.timescales_form):
            form.edited.connect(self._edited)
        self.scales_form.renamed.connect(self._on_scales_renamed)
        self.tabs.addTab(self.scales_form, "Sc&ales")
        self.tabs.addTab(self.grading_form, "&Grading")
        self.tabs.addTab(self.timescales_form, "&Timescales")
        self.preview_page = self._preview_tab()
        self.tabs.addTab(self.preview_page, "Pre&view")
        self.tabs.currentChanged.connect(lambda _i: self._refresh_preview())
        self.problem_list = named(
            QListWidget(), "Problems", "What stops this draft being published",
            object_name="draftProblems",
        )  # fmt: skip
        self.problem_list.setMaximumHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.status = QLabel(objectName="draftStatus")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buddy("Pro&blems:", self.problem_list))
        layout.addWidget(self.problem_list)
        layout.addLayout(bottom)
        self.resize(1200, 700)

    def _content_tab(self) -> QWidget:
        self.code = named(QLineEdit(self.raw.get("code", "")), "Framework code")
        self.title_edit = named(QLineEdit(self.raw.get("title", "")), "Framework title")
        self.description = named(TextBox(2), "Description")
        self.description.setPlainText(self.raw.get("description", ""))
        for edit, key in ((self.code, "code"), (self.title_edit, "title")):
            edit.textEdited.connect(lambda text, key=key: self._set_top(key, text))
        self.description.textChanged.connect(
            lambda: self._set_top("description", self.description.toPlainText())
        )
        top = QFormLayout()
        top.addRow(buddy("Co&de:", self.code), self.code)
        top.addRow(buddy("&Framework title:", self.title_edit), self.title_edit)
        top.addRow(buddy("Descri&ption:", self.description), self.description)
        self.tree = named(QTreeWidget(), "Sections and criteria", object_name="draftTree")
        self.tree.setHeaderLabels(["Section or criterion", "Wording"])
        self.tree.setColumnWidth(0, self.fontMetrics().horizontalAdvance("MGMT-OVER-00") + 60)
        self.tree.currentItemChanged.connect(lambda item, _old: self._show_item(item))
        left = QVBoxLayout()
        left.addWidget(self.tree, 1)
        row = QHBoxLayout()
        for text, name, slot in (
            ("Add &section", "addSection", self.add_section),
            ("Add c&riterion", "addCriterion", self.add_criterion),
            ("Re&move", "removeItem", self.remove_item),
            ("Move &up", "moveUp", lambda: self.move_item(-1)),
            ("Move d&own", "moveDown", lambda: self.move_item(1)),
        ):
            button = QPushButton(text, objectName=name)
            button.setAutoDefault(False)  # Enter in a field must not add or remove anything
            button.clicked.connect(slot)
            row.addWidget(button)
        left.addLayout(row)
        left_widget = QWidget()
        left_widget.setLayout(left)
        self.forms = QStackedWidget()
        self.forms.addWidget(self._section_form())
        self.forms.addWidget(self._criterion_form())
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left_widget)
        splitter.addWidget(self.forms)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        return tab

    def _section_form(self) -> QWidget:
        self.section_code = named(QLineEdit(), "Section code", object_name="sectionCode")
        self.section_title = named(QLineEdit(), "Section title", object_name="sectionTitle")
        self.section_code.textEdited.connect(lambda t: self._set_section("code", t))
        self.section_title.textEdited.connect(lambda t: self._set_section("title", t))
        form = QWidget()
        layout = QFormLayout(form)
        layout.addRow(heading("Section"))
        layout.addRow(buddy("Sect&ion code:", self.section_code), self.section_code)
        layout.addRow(buddy("Section titl&e:", self.section_title), self.section_title)
        return form

    def _criterion_form(self) -> QWidget:
        self.c_code = named(QLineEdit(), "Criterion code", object_name="criterionCode")
        self.c_text = named(TextBox(3), "Wording", "The question the auditor answers",
                            object_name="criterionWording")  # fmt: skip
        self.c_guidance = named(TextBox(3), "Guidance", "How to judge it",
                                object_name="criterionGuidanceEdit")  # fmt: skip
        self.c_scale = named(QComboBox(), "Scale", object_name="criterionScale")
        self.c_types = case_type_list("Case types", "Which cases it is asked for",
                                      "criterionCaseTypes")  # fmt: skip
        self.c_target = named(QLineEdit(), "Target", "Percent of audits meeting it; empty for none",
                              object_name="criterionTarget")  # fmt: skip
        self.c_limiting = named(QCheckBox("Limiting: a No caps t&he suggested grade"), "Limiting",
                                object_name="criterionLimiting")  # fmt: skip
        self.c_sources = named(TextBox(2), "Source clauses", "One clause a line",
                               object_name="criterionSources")  # fmt: skip
        self.c_gate = named(QComboBox(), "Asked when", "Ask it only when an earlier criterion "
                            "has one of these answers", object_name="criterionGate")  # fmt: skip
        self.c_answers = named(QLineEdit(), "Answers that ask it", "Answer codes, comma-separated",
                               object_name="criterionAnswers")  # fmt: skip
        self.c_code.textEdited.connect(lambda t: self._set_criterion("code", t))
        self.c_text.textChanged.connect(
            lambda: self._set_criterion("text", self.c_text.toPlainText())
        )
        self.c_guidance.textChanged.connect(
            lambda: self._set_criterion("guidance", self.c_guidance.toPlainText())
        )
        self.c_scale.currentTextChanged.connect(lambda t: self._set_criterion("scale", t))
        self.c_types.itemChanged.connect(lambda _item: self._set_case_types())
        self.c_target.textEdited.connect(lambda t: self._set_criterion("target", number_or_text(t)))
        self.c_limiting.toggled.connect(lambda on: self._set_criterion("limiting", on))
        self.c_sources.textChanged.connect(self._set_sources)
        self.c_gate.currentIndexChanged.connect(lambda _i: self._set_condition())
        self.c_answers.textEdited.connect(lambda _t: self._set_condition())
        form = QWidget()
        layout = QFormLayout(form)
        layout.addRow(heading("Criterion"))
        layout.addRow(buddy("Criterion &code:", self.c_code), self.c_code)
        layout.addRow(buddy("Word&ing:", self.c_text), self.c_text)
        layout.addRow(buddy("Guidance te&xt:", self.c_guidance), self.c_guidance)
        layout.addRow(buddy("Ans&wer scale:", self.c_scale), self.c_scale)
        layout.addRow(buddy("Case t&ypes:", self.c_types), self.c_types)
        layout.addRow(buddy("Targ&et (% met):", self.c_target), self.c_target)
        layout.addRow("", self.c_limiting)
        layout.addRow(buddy("Source c&lauses:", self.c_sources), self.c_sources)
        layout.addRow(buddy("As&ked only if:", self.c_gate), self.c_gate)
        layout.addRow(buddy("…it has the answer(s):", self.c_answers), self.c_answers)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form)
        return scroll

    def _preview_tab(self) -> QWidget:
        self.preview_type = named(QComboBox(), "Preview for", object_name="previewCaseType")
        for case_type in CaseType:
            self.preview_type.addItem(CASE_TYPE_LABELS[case_type], case_type.value)
        self.preview_type.currentIndexChanged.connect(lambda _i: self._refresh_preview())
        self.preview_answers: dict[str, str | None] = {}
        self.preview_grade = wrapped(object_name="previewGrade")
        font = self.preview_grade.font()
        font.setBold(True)
        self.preview_grade.setFont(font)
        self.preview_body = QWidget()
        self.preview_layout = QVBoxLayout(self.preview_body)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.preview_body)
        tab = QWidget()
        layout = QVBoxLayout(tab)
        row = QHBoxLayout()
        row.addWidget(buddy("Audit form for a case of t&ype:", self.preview_type))
        row.addWidget(self.preview_type)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(wrapped(
            "The audit form as an auditor will see it. Answer to see the criteria asked only "
            "on an answer, and the grade the answers would suggest; nothing here is saved."
        ))  # fmt: skip
        layout.addWidget(self.preview_grade)
        layout.addWidget(scroll, 1)
        return tab

    # -- the tree of sections and criteria ------------------------------------------------

    @property
    def sections(self) -> list[dict[str, Any]]:
        return self.raw.setdefault("sections", [])  # type: ignore[no-any-return]

    def _fill_tree(self, select: tuple[int, int | None] | None = None) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        chosen = None
        for s, section in enumerate(self.sections):
            parent = QTreeWidgetItem([_section_label(section)])
            parent.setData(0, ROLE, (s, None))
            self.tree.addTopLevelItem(parent)
            parent.setFirstColumnSpanned(True)
            if select == (s, None):
                chosen = parent
            for c, criterion in enumerate(section.setdefault("criteria", [])):
                child = QTreeWidgetItem([str(criterion.get("code", "")), _wording(criterion)])
                child.setData(0, ROLE, (s, c))
                parent.addChild(child)
                if select == (s, c):
                    chosen = child
        self.tree.expandAll()
        self.tree.blockSignals(False)
        if chosen is not None:
            self.tree.blockSignals(True)  # shown below once, whether or not it is new
            self.tree.setCurrentItem(chosen)
            self.tree.blockSignals(False)
            self._show_item(chosen)

    def _place(self) -> tuple[int, int | None] | None:
        item = self.tree.currentItem()
        return item.data(0, ROLE) if item else None  # type: ignore[no-any-return]

    def _current(self) -> dict[str, Any] | None:
        place = self._place()
        if place is None:
            return None
        s, c = place
        return self.sections[s] if c is None else self.sections[s]["criteria"][c]

    def add_section(self) -> None:
        n = len(self.sections) + 1
        self.sections.append({"code": f"SECTION-{n}", "title": f"New section {n}", "criteria": []})
        self._fill_tree((len(self.sections) - 1, None))
        self._edited()
        self.section_title.setFocus()
        self.section_title.selectAll()

    def add_criterion(self) -> None:
        """A new criterion after the one chosen (or at the end of the chosen section)."""
        place = self._place()
        if not self.sections:
            self.add_section()
            place = (0, None)
        s, c = place if place else (len(self.sections) - 1, None)
        criteria = self.sections[s]["criteria"]
        at = len(criteria) if c is None else c + 1
        scale = next(iter(self.raw.get("scales", {})), "")
        criteria.insert(at, {
            "code": self._free_code(str(self.sections[s].get("code", "NEW"))),
            "text": "", "guidance": "", "scale": scale, "applies_to": ["all"],
            "limiting": False, "sources": [],
        })  # fmt: skip
        self._fill_tree((s, at))
        self._edited()
        self.c_text.setFocus()

    def _free_code(self, prefix: str) -> str:
        taken = {str(c.get("code")) for s in self.sections for c in s.get("criteria", [])}
        n = 1
        while f"{prefix}-{n:02d}" in taken:
            n += 1
        return f"{prefix}-{n:02d}"

    def remove_item(self) -> None:
        place = self._place()
        if place is None:
            return
        s, c = place
        if c is None:
            del self.sections[s]
            after = (min(s, len(self.sections) - 1), None) if self.sections else None
        else:
            criteria = self.sections[s]["criteria"]
            del criteria[c]
            after = (s, min(c, len(criteria) - 1)) if criteria else (s, None)
        self._fill_tree(after)
        self._edited()
        self.tree.setFocus()

    def move_item(self, step: int) -> None:
        """A section among the sections, or a criterion within its section and on into
        the next or previous section at either end."""
        place = self._place()
        if place is None:
            return
        s, c = place
        if c is None:
            to = s + step
            if 0 <= to < len(self.sections):
                self.sections.insert(to, self.sections.pop(s))
                self._fill_tree((to, None))
        else:
            criteria = self.sections[s]["criteria"]
            to = c + step
            if 0 <= to < len(criteria):
                criteria.insert(to, criteria.pop(c))
                self._fill_tree((s, to))
            elif 0 <= s + step < len(self.sections):
                moved = criteria.pop(c)
                target = self.sections[s + step]["criteria"]
                at = len(target) if step < 0 else 0
                target.insert(at, moved)
                self._fill_tree((s + step, at))
        self._edited()
        self.tree.setFocus()

    # -- the forms --------------------------------------------------------------------------

    def _show_item(self, item: QTreeWidgetItem | None) -> None:
        current, place = self._current(), self._place()
        if current is None or place is None:
            return
        self.loading = True
        if place[1] is None:
            self.forms.setCurrentIndex(0)
            self.section_code.setText(str(current.get("code", "")))
            self.section_title.setText(str(current.get("title", "")))
        else:
            self.forms.setCurrentIndex(1)
            self._fill_criterion(current)
        self.loading = False

    def _fill_criterion(self, c: dict[str, Any]) -> None:
        self.c_code.setText(str(c.get("code", "")))
        self.c_text.setPlainText(str(c.get("text", "")))
        self.c_guidance.setPlainText(str(c.get("guidance", "")))
        self.c_scale.clear()
        self.c_scale.addItems(list(self.raw.get("scales", {})))
        self.c_scale.setCurrentText(str(c.get("scale", "")))
        show_case_types(self.c_types, c.get("applies_to", ["all"]))
        self.c_target.setText(shown_number(c.get("target")))
        self.c_limiting.setChecked(bool(c.get("limiting", False)))
        self.c_sources.setPlainText("\n".join(str(s) for s in c.get("sources", [])))
        self.c_gate.clear()
        self.c_gate.addItem(ALWAYS, "")
        for section in self.sections:
            for other in section.get("criteria", []):
                if other is c:
                    break
                self.c_gate.addItem(f"{other.get('code')}: {_wording(other)}", other.get("code"))
            else:
                continue
            break
        condition = c.get("asked_when") or {}
        index = self.c_gate.findData(condition.get("criterion", ""))
        if index < 0:  # names a criterion that is not earlier: keep it, the parser says why
            self.c_gate.addItem(str(condition.get("criterion")), condition.get("criterion"))
            index = self.c_gate.count() - 1
        self.c_gate.setCurrentIndex(index)
        answers = condition.get("answers", [condition["answer"]] if "answer" in condition else [])
        self.c_answers.setText(", ".join(str(a) for a in answers))
        self.c_answers.setEnabled(bool(condition))

    def _set_top(self, key: str, value: str) -> None:
        if not self.loading:
            self.raw[key] = value
            self._edited()

    def _set_section(self, key: str, value: str) -> None:
        current = self._current()
        if self.loading or current is None:
            return
        current[key] = value
        item = self.tree.currentItem()
        if item is not None:
            item.setText(0, _section_label(current))
        self._edited()

    def _set_criterion(self, key: str, value: Any) -> None:
        current = self._current()
        if self.loading or current is None:
            return
        if value is None:
            current.pop(key, None)
        else:
            current[key] = value
        item = self.tree.currentItem()
        if item is not None:
            item.setText(0, str(current.get("code", "")))
            item.setText(1, _wording(current))
        self._edited()

    def _set_case_types(self) -> None:
        self._set_criterion("applies_to", ticked_case_types(self.c_types))

    def _set_sources(self) -> None:
        lines = [line.strip() for line in self.c_sources.toPlainText().splitlines()]
        self._set_criterion("sources", [line for line in lines if line])

    def _set_condition(self) -> None:
        gate = self.c_gate.currentData()
        self.c_answers.setEnabled(bool(gate))
        answers = [a.strip() for a in self.c_answers.text().split(",") if a.strip()]
        self._set_criterion("asked_when", {"criterion": gate, "answers": answers} if gate else None)

    def _on_scales_renamed(self) -> None:
        """A scale added, removed or renamed: the criterion's scale combo offers the scales
        listed (a rename has carried the criteria that use it along)."""
        if self.forms.currentIndex() == 1 and self._current() is not None:
            self._show_item(self.tree.currentItem())

    # -- saving and checking -------------------------------------------------------------

    def _edited(self) -> None:
        if not self.loading:
            self.status.setText("Editing…")
            self.pause.start()

    def save_now(self) -> None:
        """Save the draft's text and list its problems (also when the editor closes)."""
        self.pause.stop()
        text = drafts.text_of(self.raw)
        found = drafts.save_draft(self.session.store, self.uid, text, actor=self.session.actor)
        self._check(found, text)

    def _check(self, found: list[str], text: str | None = None) -> None:
        shown = found
        for form in (self.scales_form, self.grading_form, self.timescales_form):
            form.show_problems(found)
        self.problem_list.clear()
        self.problem_list.addItems(shown or ["No problems: the draft can be published."])
        self.status.setText(
            "Saved. " + (f"{plural(len(shown), 'problem')} to put right before publishing."
                         if shown else "It can be published.")
        )  # fmt: skip
        self.framework = None
        if not found:
            self.framework = parse_framework(text or drafts.text_of(self.raw), origin="draft")
        self._refresh_preview()

    def _refresh_preview(self) -> None:
        if self.tabs.currentWidget() is not self.preview_page:
            return  # built only when looked at
        while self.preview_layout.count():
            taken = self.preview_layout.takeAt(0)
            if taken.widget():
                taken.widget().deleteLater()
        framework = self.framework
        self.preview_grade.setText(self._preview_grade_text())
        if framework is None:
            self.preview_layout.addWidget(wrapped(
                "Put the problems listed below right to see the audit form."
            ))  # fmt: skip
            self.preview_layout.addStretch(1)
            return
        case_type = self.preview_type.currentData()
        asked = framework.criteria_asked(case_type, self.preview_answers)
        if not asked:
            self.preview_layout.addWidget(wrapped("Nothing is asked for this type of case."))
        section = None
        for criterion in asked:
            if criterion.section != section:
                section = criterion.section
                self.preview_layout.addWidget(heading(framework.section_title(section)))
            card = CriterionCard(criterion)
            card.set_answer(self.preview_answers.get(criterion.code))
            card.answered.connect(self._on_preview_answered)
            self.preview_layout.addWidget(card)
        self.preview_layout.addStretch(1)

    def _preview_grade_text(self) -> str:
        """The grade the preview's answers suggest under the draft's grading (the core's
        ``grade_audit``), so a changed threshold shows what it does."""
        if self.framework is None:
            return ""
        result = grade_audit(self.framework, self.preview_type.currentData(), self.preview_answers)
        if result.suggested is None or result.compliance is None:
            return "Suggested grade: answer some criteria to see it."
        capped = ""
        if result.limiting_failures:
            capped = " (capped: a limiting criterion is answered No)"
        return (
            f"Suggested grade: {result.suggested.label}{capped}. Compliance "
            f"{result.compliance:.0f} %, {result.progress_text}."
        )

    def _on_preview_answered(self, code: str, value: str) -> None:
        self.preview_answers[code] = value or None
        QTimer.singleShot(0, self._refresh_preview)  # not while the card is in its signal

    def done(self, result: int) -> None:
        if self.pause.isActive():
            self.save_now()
        super().done(result)


def _section_label(section: dict[str, Any]) -> str:
    count = len(section.get("criteria", []))
    return f"{section.get('title', '')} ({section.get('code', '')}, {plural(count, 'criterion')})"


def _wording(criterion: dict[str, Any]) -> str:
    return str(criterion.get("text", "")).replace("\n", " ") or "(no wording yet)"
