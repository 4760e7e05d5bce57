"""The import wizard's second page: which case detail each column holds (guessed from the
headings or taken from a saved mapping, corrected here), what the council's own case-type
words mean, and saving the mapping by name for next month's file."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWizardPage

from auditor.importing import (
    IMPORT_FIELDS,
    REQUIRED_FIELDS,
    ColumnMapping,
    Table,
    list_mappings,
    load_mapping,
    save_mapping,
)
from auditor.importing.values import normalise_words
from ui.errors import reporting_user_errors
from ui.import_cases.columns import CaseTypeWords, ColumnChoices
from ui.import_cases.work import ImportState
from ui.session import Session
from ui.settings import LAST_MAPPING
from ui.widgets.common import named, wrapped


def fit_to_headings(
    mapping: ColumnMapping, headings: Sequence[str]
) -> tuple[ColumnMapping, list[str]]:
    """A saved mapping made to name this file's headings exactly ("case ref" finds "Case
    Ref"), and the fields whose column this file does not have (left unmapped)."""
    loose = {normalise_words(h): h for h in reversed(headings)}
    fitted = ColumnMapping(case_type_words=dict(mapping.case_type_words))
    missing: list[str] = []
    for name, heading in mapping.columns.items():
        found = heading if heading in headings else loose.get(normalise_words(heading))
        if found is None:
            missing.append(f"{IMPORT_FIELDS[name]} (from a column “{heading}”)")
        else:
            fitted = fitted.with_column(found, name)
    return fitted, missing


class ColumnsPage(QWizardPage):
    def __init__(self, session: Session, state: ImportState) -> None:
        super().__init__()
        self.session = session
        self.state = state
        # What the page was last built for, compared by identity (a Table is immutable).
        self._shown_for: tuple[Table | None, str] = (None, "")  # (table, saved mapping)
        self._words_for: tuple[Table | None, str | None] = (None, None)  # case-type column
        self.setTitle("Match the columns")
        self.setSubTitle(
            "Choose which case detail each column of your file holds. Case reference and "
            "Case type are required; columns set to “Not imported” are left out."
        )
        self.columns = ColumnChoices()
        self.columns.field_chosen.connect(self._on_field_chosen)
        self.required = wrapped(object_name="requiredColumns")
        self.note = wrapped(object_name="mappingNote")
        self.words = CaseTypeWords()
        self.words.word_chosen.connect(self._on_word_chosen)
        self.save_name = named(
            QLineEdit(),
            "Mapping name",
            "A name for these column choices, to use again for next month's file",
        )
        self.save_name.setPlaceholderText("e.g. Monthly list from the case system")
        self.save_button = named(
            QPushButton("Sa&ve mapping"), "Save mapping", "Keep these column choices by name"
        )
        self.save_button.clicked.connect(self.save)
        self.save_name.textChanged.connect(
            lambda text: self.save_button.setEnabled(bool(text.strip()))
        )
        self.saved = wrapped(object_name="mappingSaved")
        self._layout()

    def _layout(self) -> None:
        save_row = QHBoxLayout()
        label = QLabel("Save this mapping &as:")
        label.setBuddy(self.save_name)
        save_row.addWidget(label)
        save_row.addWidget(self.save_name, 1)
        save_row.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.columns, 1)
        layout.addWidget(self.required)
        layout.addWidget(self.note)
        layout.addWidget(self.words)
        layout.addLayout(save_row)
        layout.addWidget(self.saved)

    def initializePage(self) -> None:
        """Start from the saved mapping or the guess, unless the user already corrected
        the columns of this same file (they went back to page one and came on again)."""
        table = self.state.table
        assert table is not None, "the first page reads the file before this page shows"
        shown_table, shown_name = self._shown_for
        if table is not shown_table or self.state.saved_mapping != shown_name:
            self._shown_for = (table, self.state.saved_mapping)
            self._words_for = (None, None)
            reasons = self._start_mapping(table)
            self.columns.show_table(table, self.state.mapping, reasons)
            self.columns.resizeColumnToContents(0)
        self._refresh()

    def _start_mapping(self, table: Table) -> dict[str, str]:
        """The first mapping (guessed, or the saved one), and for each column how sure it is."""
        name = self.state.saved_mapping
        self.note.setText("")
        self.saved.setText("")
        self.save_name.setText(name)
        self.save_button.setEnabled(bool(name))
        if not name:
            return self._guess(table)
        with reporting_user_errors(self, "loading the saved mapping"):
            mapping, missing = fit_to_headings(
                load_mapping(self.session.store, name), table.headers
            )
            self.state.mapping = mapping
            if missing:
                self.note.setText(
                    f"⚠ The saved mapping “{name}” reads columns this file does "
                    f"not have: {'; '.join(missing)}. Choose them below."
                )
            return {
                heading: "From the saved mapping" if mapping.field_for(heading) else ""
                for heading in table.headers
            }
        return self._guess(table)  # the saved one has gone

    def _guess(self, table: Table) -> dict[str, str]:
        guesses = self.state.guesses
        assert guesses is not None, "the first page guesses the columns as it reads the file"
        self.state.mapping = guesses.mapping
        return {guess.header: guess.certainty for guess in guesses.columns}

    def isComplete(self) -> bool:
        return all(self.state.mapping.header_for(name) for name in REQUIRED_FIELDS)

    # -- the user's choices ----------------------------------------------------------------

    def _on_field_chosen(self, heading: str, name: str | None) -> None:
        before = self.state.mapping.header_for(name) if name else None
        self.state.mapping = self.state.mapping.with_column(heading, name)
        self.columns.show_mapping(self.state.mapping)  # a field reads one column only
        if name and before and before != heading:
            self.note.setText(
                f"{IMPORT_FIELDS[name]} now comes from “{heading}”; "
                f"“{before}” is no longer imported."
            )
        else:
            self.note.setText("")
        self._refresh()

    def _on_word_chosen(self, word: str, case_type: str | None) -> None:
        mapping = self.state.mapping
        if case_type is None:
            words = {w: t for w, t in mapping.case_type_words.items() if w != word}
            self.state.mapping = ColumnMapping(columns=dict(mapping.columns), case_type_words=words)
        else:
            self.state.mapping = mapping.with_case_type_word(word, case_type)

    def _refresh(self) -> None:
        lines = []
        for name in REQUIRED_FIELDS:
            heading = self.state.mapping.header_for(name)
            label = IMPORT_FIELDS[name]
            lines.append(
                f"✓ {label}: from “{heading}”"
                if heading
                else f"✗ {label}: choose the column that holds it (required)"
            )
        self.required.setText("     ".join(lines))
        self.required.setProperty("met", "yes" if self.isComplete() else "no")
        self.required.style().polish(self.required)
        for label in (self.note, self.saved):
            label.setVisible(bool(label.text()))  # no gap where there is nothing to say
        self._refresh_words()
        self.completeChanged.emit()

    def _refresh_words(self) -> None:
        """List the unknown case-type words again when the case-type column changed
        (counting them reads every row: not on every choice)."""
        table, heading = self.state.table, self.state.mapping.header_for("case_type")
        if table is not None and (table is not self._words_for[0] or heading != self._words_for[1]):
            self._words_for = (table, heading)
            words = self.state.unknown_words(heading)
            self.words.show_words(words, self.state.mapping)

    def save(self) -> None:
        name = self.save_name.text().strip()
        if not name:
            return
        replacing = name in list_mappings(self.session.store)
        with reporting_user_errors(self, "saving the column mapping"):
            save_mapping(self.session.store, name, self.state.mapping)
            self.session.settings.set(LAST_MAPPING, name)
            self.saved.setText(
                f"✓ Saved as “{name}”{' (replacing the earlier one)' if replacing else ''}"
                ": choose it on the first page next time."
            )
            self.saved.show()
