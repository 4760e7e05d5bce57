"""Framework drafts: a framework being made or revised in the app, kept in the database.

A draft holds the framework's TOML text (the one format, read by the one parser
:func:`~auditor.frameworks.model.parse_framework`). It is saved whatever state it is in (a
draft may be half written) and its problems are reported; publishing refuses while there
are any. Publishing gives it the next version of its code and registers it in the
``frameworks`` table, where it is frozen; the draft is then removed. Nobody can audit
against a draft: audits only ever find frameworks in ``frameworks``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

from auditor.clock import new_uid, now_utc
from auditor.errors import FrameworkError, NotFoundError, ValidationError
from auditor.frameworks.library import get_framework, list_frameworks, register_framework
from auditor.frameworks.model import Framework, parse_framework
from auditor.frameworks.toml_text import EXAMPLE_TOML, framework_toml
from auditor.store import Store
from auditor.store.trail import Change, record
from auditor.words import plural

DRAFT_ORIGIN = "draft"
# The version a draft's text carries until publishing gives it a real one.
DRAFT_VERSION = "draft"
HEADER = "# Made in Case Auditor's framework editor. The format is described in docs/frameworks.md."


@dataclass(frozen=True)
class Draft:
    uid: str
    code: str
    title: str
    source_text: str
    based_on_code: str | None
    based_on_version: str | None
    created_by: str
    created_at: str
    updated_by: str
    updated_at: str

    @property
    def based_on(self) -> str:
        """Says what the draft started from: "a copy of IN-CFA 1.0.0", or "new"."""
        if self.based_on_code is None:
            return "new"
        return f"a copy of {self.based_on_code} {self.based_on_version}"


# -- reading and writing the text ---------------------------------------------------------


def problems(text: str) -> list[str]:
    """What is wrong with a draft's text, named by section, criterion or table (the
    parser's words); empty when it could be published."""
    try:
        parse_framework(text, origin=DRAFT_ORIGIN)
    except FrameworkError as exc:
        message = str(exc).removeprefix(f"{DRAFT_ORIGIN}: ")
        return [message[:1].upper() + message[1:]]
    return []


def raw_of(text: str) -> dict[str, Any]:
    """The draft's text as the structure the TOML format has (for the editor's form)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FrameworkError(f"The draft is not valid TOML ({exc})") from exc


def text_of(raw: dict[str, Any]) -> str:
    """The framework-file text for the structure ``raw``."""
    body = framework_toml(raw).split("\n", 1)[1]
    return f"{HEADER}\n{body}"


def _with_version(text: str, version: str) -> str:
    raw = raw_of(text)
    raw["version"] = version
    return text_of(raw)


# -- the drafts in a database -------------------------------------------------------------


def list_drafts(store: Store) -> list[Draft]:
    rows = store.query(
        f"SELECT {', '.join(Draft.__dataclass_fields__)} FROM framework_drafts "
        "ORDER BY code, created_at"
    )
    return [Draft(**row) for row in rows]


def get_draft(store: Store, uid: str) -> Draft:
    row = store.one(
        f"SELECT {', '.join(Draft.__dataclass_fields__)} FROM framework_drafts WHERE uid = ?",
        [uid],
    )
    if row is None:
        raise NotFoundError(f"no framework draft with id {uid}")
    return Draft(**row)


def new_draft(store: Store, *, actor: str, code: str = "NEW-FRAMEWORK", title: str = "") -> Draft:
    """A new framework from the template: one scale, one section, one criterion, one
    timescale, each an example to change."""
    raw = raw_of(EXAMPLE_TOML)
    raw.update(code=code, title=title or "New audit framework", version=DRAFT_VERSION)
    return _insert(store, text_of(raw), actor=actor, based_on=None)


def copy_draft(store: Store, framework: Framework, *, actor: str) -> Draft:
    """A draft that starts as a copy of ``framework`` (any one, the built-in included);
    it keeps the code, so publishing it makes the next version of that framework."""
    raw = raw_of(framework.source_text)
    raw["version"] = DRAFT_VERSION
    return _insert(store, text_of(raw), actor=actor, based_on=framework)


def _insert(store: Store, text: str, *, actor: str, based_on: Framework | None) -> Draft:
    uid, now = new_uid(), now_utc()
    code, title = _code_and_title(text, ("", ""))
    with store.atomic():
        store.execute(
            "INSERT INTO framework_drafts (uid, code, title, source_text, based_on_code, "
            "based_on_version, created_by, created_at, updated_by, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [uid, code, title, text, based_on and based_on.code, based_on and based_on.version,
             actor, now, actor, now],
        )  # fmt: skip
        made = f"copy of {based_on.code} {based_on.version}" if based_on else "new"
        record(store, [Change("framework", uid, "draft", None, f"{code} ({made})")], actor=actor)
    return get_draft(store, uid)


def save_draft(store: Store, uid: str, text: str, *, actor: str) -> list[str]:
    """Keep ``text`` as the draft's framework (always: a draft may be incomplete) and
    return its problems."""
    draft = get_draft(store, uid)
    code, title = _code_and_title(text, (draft.code, draft.title))
    with store.atomic():
        store.execute(
            "UPDATE framework_drafts SET source_text = ?, code = ?, title = ?, updated_by = ?, "
            "updated_at = ? WHERE uid = ?",
            [text, code, title, actor, now_utc(), uid],
        )
    return problems(text)


def _code_and_title(text: str, fallback: tuple[str, str]) -> tuple[str, str]:
    """The code and title the text gives, for the list of drafts, even when the rest of
    it has problems."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return fallback
    code, title = raw.get("code"), raw.get("title")
    return (
        code.strip() if isinstance(code, str) and code.strip() else fallback[0],
        title.strip() if isinstance(title, str) and title.strip() else fallback[1],
    )


def next_versions(store: Store, code: str) -> tuple[str, str]:
    """The versions publishing a draft of ``code`` may give: (minor, major), e.g.
    ("1.1.0", "2.0.0") after 1.0.0; ("1.0.0", "1.0.0") for a code not yet published."""
    versions = [f.version for f in list_frameworks(store) if f.code == code]
    if not versions:
        return "1.0.0", "1.0.0"
    newest = max(_numbers(v) for v in versions)
    return f"{newest[0]}.{newest[1] + 1}.0", f"{newest[0] + 1}.0.0"


def _numbers(version: str) -> tuple[int, int, int]:
    """The leading whole numbers of a version ("1.2" → 1, 2, 0; "2b" → 2, 0, 0)."""
    parts = [int(m.group()) if (m := re.match(r"\d+", p)) else 0 for p in version.split(".")]
    major, minor, patch = [*parts, 0, 0, 0][:3]
    return major, minor, patch


def publish_draft(store: Store, uid: str, *, actor: str, major: bool = False) -> Framework:
    """Give the draft the next version of its code (a major one if ``major``), register it
    as a framework, frozen from then on, and remove the draft. Refused while it has
    problems."""
    draft = get_draft(store, uid)
    found = problems(draft.source_text)
    if found:
        raise ValidationError(
            f"The draft {draft.code} has {plural(len(found), 'problem')}: "
            "put it right before publishing",
            found,
        )
    minor_version, major_version = next_versions(store, draft.code)
    version = major_version if major else minor_version
    text = _with_version(draft.source_text, version)
    framework = parse_framework(text, origin=f"{draft.code} {version}")
    with store.atomic():
        register_framework(store, framework)
        store.execute("DELETE FROM framework_drafts WHERE uid = ?", [uid])
        record(
            store,
            [Change("framework", uid, "published", draft.code, f"{draft.code} {version}")],
            actor=actor,
        )
    return get_framework(store, framework.code, framework.version)


def delete_draft(store: Store, uid: str, *, actor: str) -> None:
    draft = get_draft(store, uid)
    with store.atomic():
        store.execute("DELETE FROM framework_drafts WHERE uid = ?", [uid])
        record(store, [Change("framework", uid, "draft", draft.code, None)], actor=actor)
