"""Packs from elsewhere are untrusted: a sound container with bad content is refused whole.

Each pack here is made by the real exporter from a demo database, then unpacked, its
payload edited as a hostile or broken laptop might, and sealed again with the package's
own container functions, so the checksums are valid and only the content is bad. Every
refusal is one line naming the pack, the record and the field, and leaves the database
exactly as it was (every table compared); nothing the app reads later can crash on it.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.audits.actions import list_all_actions
from auditor.audits.records import get_audit, list_audits
from auditor.cases.records import list_cases
from auditor.cli import main
from auditor.demo import make_demo
from auditor.errors import PackContentError
from auditor.packs import export_pack, merge_packs, preview_merge, read_pack
from auditor.packs.container import read_container, write_container
from auditor.reports import export_report
from auditor.store import Store

ROOT = Path(__file__).resolve().parent.parent
QA = "Demo QA Lead Oak"
Payload = dict[str, Any]


# -- a sound pack, and one made bad from it --------------------------------------------


@pytest.fixture
def sound(tmp_path: Path) -> Path:
    """A pack of six demo audits from another laptop, as its exporter wrote it."""
    path = tmp_path / "laptop.auditpack"
    with Store.open(tmp_path / "laptop.db") as laptop:
        make_demo(laptop, cases=8, audits=6, seed=11)
        export_pack(laptop, path, created_by="Demo Auditor Ash")
    return path


@pytest.fixture
def ours(tmp_path: Path) -> Iterator[Store]:
    """The QA lead's database, with audits of its own."""
    with Store.open(tmp_path / "qa.db") as store:
        make_demo(store, cases=6, audits=5, seed=12)
        yield store


def unsealed(pack: Path) -> dict[str, Any]:
    members, _, _ = read_container(pack)
    return {name: json.loads(data) for name, data in members.items()}


def reseal(
    pack: Path,
    out: Path,
    edit: Callable[[Payload], None] = lambda payload: None,
    *,
    manifest_edit: Callable[[Payload], None] = lambda manifest: None,
    raw: Callable[[bytes], bytes] = lambda data: data,
) -> Path:
    """``pack`` with its payload (and manifest) edited, sealed again: the container's and
    the manifest's checksums are right, so only the content is wrong."""
    parts = unsealed(pack)
    edit(parts["payload.json"])
    payload = raw(json.dumps(parts["payload.json"]).encode())  # NaN is written as NaN
    manifest = parts["manifest.json"]
    manifest["payload_sha256"] = hashlib.sha256(payload).hexdigest()
    manifest["pack_id"] = str(uuid.uuid4())  # another pack, not a copy of one merged
    manifest_edit(manifest)
    members = {"manifest.json": json.dumps(manifest).encode(), "payload.json": payload}
    write_container(out, members)
    return out


def dump(store: Store) -> dict[str, list[str]]:
    """Every row of every table, through the store's own connection (never another open
    of the file): equal dumps are an unchanged database."""
    tables = [
        name
        for (name,) in store.db.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )
    ]
    return {
        t: sorted(repr(row) for row in store.db.conn.execute(f"SELECT * FROM [{t}]"))
        for t in tables
    }


def merge(store: Store, path: Path) -> None:
    """What either face does with a pack file: read it, then merge it."""
    merge_packs(store, [read_pack(path)], actor=QA)


def audit_name(payload: Payload, i: int) -> str:
    audit = payload["audits"][i]
    [reference] = [c["reference"] for c in payload["cases"] if c["uid"] == audit["case_uid"]]
    return f"audit {audit['uid'][:8]}…, case {reference}"


# -- one test per kind of bad content --------------------------------------------------

# (what is wrong, the edit, the field named, words of the message); the record is named
# too: the audit by its uid and case reference, a case by its reference.
Edit = Callable[[Payload], None]


def _set(path: str, value: Any) -> Edit:
    """An edit setting ``audits[0].answers[1].value``-style ``path`` to ``value``."""

    def edit(payload: Payload) -> None:
        *parents, last = path.replace("]", "").replace("[", ".").split(".")
        target: Any = payload
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value

    return edit


def _same_answer_uid(payload: Payload) -> None:
    """Two audits' answers with one uid (answers.uid is UNIQUE in the database)."""
    first, second = [a for a in payload["audits"] if a["answers"]][:2]
    second["answers"][0]["uid"] = first["answers"][0]["uid"]


BAD: dict[str, tuple[Edit, str, str]] = {
    "impossible date": (
        _set("audits[0].audit_date", "2026-02-31"),
        "audits[0].audit_date",
        "is not a real date",
    ),
    "banana date": (
        _set("cases[0].referral_date", "banana"),
        "cases[0].referral_date",
        "'banana' is not a date written YYYY-MM-DD",
    ),
    "unknown criterion": (
        _set("audits[0].answers[0].criterion_code", "RISK-99"),
        "audits[0].answers[0].criterion_code",
        "has no criterion RISK-99",
    ),
    "value off the scale": (
        _set("audits[0].answers[0].value", "maybe"),
        "audits[0].answers[0].value",
        "'maybe' is not an answer on the scale",
    ),
    "20 MB of evidence": (
        _set("audits[0].answers[0].evidence", "Seen on file. " * 1_500_000),
        "audits[0].answers[0].evidence",
        "more than the 50,000 the app allows",
    ),
    "framework code given as a list": (
        _set("audits[0].framework_code", ["IN-CFA"]),
        "audits[0].framework_code",
        "has the wrong type (list)",
    ),
    "duplicate uids": (_same_answer_uid, ".answers[0].uid", "is also in audits["),
    "NaN": (_set("audits[0].compliance", float("nan")), "audits[0].compliance", "is NaN"),
    "Infinity": (_set("audits[0].revision", float("inf")), "audits[0].revision", "Infinity"),
    "negative revision": (
        _set("audits[0].revision", -3),
        "audits[0].revision",
        "-3 is not a whole number from 0",
    ),
    "a field the format does not have": (
        _set("audits[0].colour", "red"),
        "audits[0].colour",
        "is not a field of audits",
    ),
    # The figures' text of an audit's answers is made here from the answers (schema 10):
    # a pack that carries one of its own is refused, never written.
    "an answers text for the figures": (
        _set("audits[0].answered", "RISK-01\x1fyes"),
        "audits[0].answered",
        "is not a field of audits",
    ),
    # Nor the marks made from them (schema 12), which the dashboard counts.
    "answers' marks for the figures": (
        _set("audits[0].marks", "!!!"),
        "audits[0].marks",
        "is not a field of audits",
    ),
    "nested where text belongs": (
        _set("audits[0].strengths", json.loads("[" * 60 + "]" * 60)),
        "audits[0].strengths",
        "has the wrong type (list)",
    ),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_a_pack_with_bad_content_is_refused_in_one_line_and_changes_nothing(
    kind: str, sound: Path, ours: Store, tmp_path: Path
) -> None:
    edit, field, words = BAD[kind]
    payload = unsealed(sound)["payload.json"]
    bad = reseal(sound, tmp_path / "bad.auditpack", edit)
    before = dump(ours)
    with pytest.raises(PackContentError) as caught:
        merge(ours, bad)
    message = str(caught.value)
    assert message.startswith("bad.auditpack cannot be imported: ") and "\n" not in message
    assert field in message and words in message, message
    record = f"case {payload['cases'][0]['reference']}" if field.startswith("cases") else "audit "
    assert record in message
    assert len(message) < 1_000  # 20 MB of evidence is never echoed back
    assert dump(ours) == before


def test_the_record_is_named_by_its_uid_and_its_case_reference(
    sound: Path, ours: Store, tmp_path: Path
) -> None:
    payload = unsealed(sound)["payload.json"]
    bad = reseal(sound, tmp_path / "bad.auditpack", _set("audits[0].audit_date", "banana"))
    with pytest.raises(PackContentError, match="audits\\[0\\].audit_date") as caught:
        merge(ours, bad)
    assert f"({audit_name(payload, 0)})" in str(caught.value)


def test_a_framework_code_given_as_a_list_in_the_manifest_is_refused(
    sound: Path, ours: Store, tmp_path: Path
) -> None:
    def listed(manifest: Payload) -> None:
        manifest["frameworks"][0]["code"] = [manifest["frameworks"][0]["code"]]

    bad = reseal(sound, tmp_path / "bad.auditpack", manifest_edit=listed)
    before = dump(ours)
    with pytest.raises(
        PackContentError, match="manifest.json frameworks\\[0\\].code has the wrong type \\(list\\)"
    ):
        merge(ours, bad)
    assert dump(ours) == before


@pytest.mark.parametrize("depth", [100_000, 2_000])
def test_deeply_nested_json_is_a_clean_refusal(
    depth: int, sound: Path, ours: Store, tmp_path: Path
) -> None:
    nested = b"[" * depth + b"]" * depth
    bad = reseal(
        sound,
        tmp_path / "bad.auditpack",
        _set("audits[0].strengths", "NESTED"),
        raw=lambda data: data.replace(b'"NESTED"', nested),
    )
    before = dump(ours)
    with pytest.raises(PackContentError, match="payload.json is nested far more deeply"):
        merge(ours, bad)
    assert dump(ours) == before


def test_an_answer_for_a_criterion_not_asked_for_the_case_type_is_refused(
    sound: Path, ours: Store, tmp_path: Path
) -> None:
    """The core refuses such an answer when it is typed; a pack cannot bring one in."""
    payload = unsealed(sound)["payload.json"]
    types = {c["uid"]: c["case_type"] for c in payload["cases"]}
    i = next(i for i, a in enumerate(payload["audits"]) if types[a["case_uid"]] != "care_leaver")
    bad = reseal(sound, tmp_path / "bad.auditpack", _set(f"audits[{i}].answers[0].criterion_code",
                                                          "LAC-01"))  # fmt: skip
    with pytest.raises(PackContentError, match="LAC-01 is not asked for this type of case"):
        merge(ours, bad)


def test_after_a_refused_pack_the_views_and_the_report_still_work(
    sound: Path, ours: Store, tmp_path: Path
) -> None:
    """Merged bad dates used to crash the report, the Cases and the Actions views."""

    def bad_dates(payload: Payload) -> None:
        payload["cases"][0]["referral_date"] = "2026-02-31"
        payload["audits"][0]["audit_date"] = "banana"
        for audit in payload["audits"]:
            for action in audit["actions"]:
                action["due_date"] = "31/02/2026"

    with pytest.raises(PackContentError):
        merge(ours, reseal(sound, tmp_path / "bad.auditpack", bad_dates))
    assert list_cases(ours) and list_all_actions(ours) is not None
    for summary in list_audits(ours):
        get_audit(ours, summary.uid)
    summary = export_report(ours, tmp_path / "report.xlsx")
    assert summary.audits == 5


# -- a case's uid and its council reference --------------------------------------------


def _onto_our_case(our_uid: str) -> Edit:
    """The pack's first audited case given the uid of one of our cases (another child)."""

    def edit(payload: Payload) -> None:
        theirs = payload["audits"][0]["case_uid"]
        for row in (*payload["cases"], *payload["programme_cases"], *payload["audits"]):
            for key in ("uid", "case_uid"):
                if row.get(key) == theirs and (key == "case_uid" or row in payload["cases"]):
                    row[key] = our_uid

    return edit


def test_a_case_uid_of_ours_under_another_reference_is_refused_naming_both(
    sound: Path, ours: Store, tmp_path: Path
) -> None:
    """The worst case of issue 11: the pack's audit would land on another child's file."""
    our_case = ours.one("SELECT uid, reference FROM cases ORDER BY id LIMIT 1")
    assert our_case is not None
    payload = unsealed(sound)["payload.json"]
    [theirs] = [c for c in payload["cases"] if c["uid"] == payload["audits"][0]["case_uid"]]
    bad = reseal(sound, tmp_path / "bad.auditpack", _onto_our_case(our_case["uid"]))
    pack = read_pack(bad)  # each record is sound on its own
    before = dump(ours)
    for attempt in (lambda: preview_merge(ours, pack), lambda: merge(ours, bad)):
        with pytest.raises(PackContentError) as caught:
            attempt()
        message = str(caught.value)
        assert message.startswith("bad.auditpack cannot be imported: ") and "\n" not in message
        both = f"is {our_case['reference']} in this database but {theirs['reference']} in the pack"
        assert both in message, message
    assert dump(ours) == before
    assert all(a.case_reference != theirs["reference"] for a in list_audits(ours))


def test_an_audit_of_ours_filed_on_another_case_in_the_pack_is_refused(
    sound: Path, ours: Store, tmp_path: Path
) -> None:
    merge(ours, sound)
    payload = unsealed(sound)["payload.json"]
    first = payload["audits"][0]
    [case] = [c for c in payload["cases"] if c["uid"] == first["case_uid"]]
    other = next(
        c for c in payload["cases"] if c["case_type"] == case["case_type"] and c is not case
    )  # another child's case of the same type: every answer still fits it
    bad = reseal(sound, tmp_path / "bad.auditpack", _set("audits[0].case_uid", other["uid"]))
    before = dump(ours)
    with pytest.raises(PackContentError) as caught:
        merge(ours, bad)
    assert "audits[0].case_uid" in str(caught.value)
    assert f"on case {other['reference']}" in str(caught.value)
    assert dump(ours) == before


# -- through the command line ----------------------------------------------------------


@pytest.mark.parametrize("kind", ["banana date", "duplicate uids", "20 MB of evidence"])
def test_the_command_line_refuses_a_bad_pack_with_exit_2_and_one_line(
    kind: str, sound: Path, ours: Store, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit, field, _words = BAD[kind]
    bad = reseal(sound, tmp_path / "bad.auditpack", edit)
    before = dump(ours)
    for command in (["import"], ["import", "--preview"], ["info"]):
        db = [] if command == ["info"] else ["--db", str(ours.path)]
        code = main(["pack", command[0], str(bad), *command[1:], *db])
        err = capsys.readouterr().err
        assert code == 2, err
        assert err.count("\n") == 1 and err.startswith("case-auditor: bad.auditpack cannot")
        assert field in err
    assert dump(ours) == before


def test_the_command_line_refuses_a_uid_of_ours_under_another_reference(
    sound: Path, ours: Store, tmp_path: Path
) -> None:
    our_case = ours.one("SELECT uid, reference FROM cases ORDER BY id LIMIT 1")
    assert our_case is not None
    bad = reseal(sound, tmp_path / "bad.auditpack", _onto_our_case(our_case["uid"]))
    before = dump(ours)
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "pack", "import", str(bad), "--db", str(ours.path),
         "--by", QA],
        cwd=ROOT, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("case-auditor: bad.auditpack cannot be imported: cases[")
    assert our_case["reference"] in line and "Traceback" not in done.stderr
    assert dump(ours) == before


def test_the_published_schema_states_the_same_limits(sound: Path, tmp_path: Path) -> None:
    """A pack a schema validator passes is not refused for a limit the schema does not
    state, and one the schema refuses for a limit is refused by read_pack too."""
    schema = json.loads((ROOT / "resources/schemas/audit-pack-v1.schema.json").read_text())
    document = {"manifest": unsealed(sound)["manifest.json"], "payload": None}
    for kind in ("20 MB of evidence", "banana date", "negative revision", "impossible date"):
        bad = reseal(sound, tmp_path / "bad.auditpack", BAD[kind][0])
        document["payload"] = unsealed(bad)["payload.json"]
        if kind != "impossible date":  # a pattern cannot say which days a month has
            with pytest.raises(jsonschema.ValidationError):
                jsonschema.validate(document, schema)
        with pytest.raises(PackContentError):
            read_pack(bad)
