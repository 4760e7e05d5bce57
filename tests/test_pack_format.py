"""The audit pack file: header, checksum, encryption, format version, contents checked."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import jsonschema
import pytest

from auditor.audits.records import record_answer, start_audit
from auditor.cases.records import Case
from auditor.errors import (
    NotAPackError,
    PackAuthenticationError,
    PackContentError,
    PackDamagedError,
    PackVersionError,
    PassphraseRequiredError,
    ValidationError,
)
from auditor.packs import FORMAT_VERSION, export_pack, read_header, read_pack
from auditor.packs.container import MAGIC, write_container
from auditor.store import Store

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "resources" / "schemas" / "audit-pack-v1.schema.json"
ACTOR = "Test Auditor"
PASSPHRASE = "correct horse battery"


@pytest.fixture
def pack_path(store: Store, case: Case, tmp_path: Path) -> Path:
    uid = start_audit(store, case_uid=case.uid, auditor=ACTOR, framework_code="MINI")
    record_answer(store, uid, "R-1", value="yes", evidence="Risk analysis dated 3/2.", actor=ACTOR)
    path = tmp_path / "work.auditpack"
    export_pack(store, path, created_by=ACTOR)
    return path


def _flip(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def _members(path: Path) -> dict[str, bytes]:
    data = path.read_bytes()
    body = data[data.index(b"\n", len(MAGIC)) + 1 :]
    with zipfile.ZipFile(io.BytesIO(body)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_a_pack_reads_back_with_its_manifest(pack_path: Path, store: Store) -> None:
    pack = read_pack(pack_path)
    m = pack.manifest
    assert m.format_version == FORMAT_VERSION and m.kind == "work"
    assert m.created_by == ACTOR and m.origin == store.origin
    assert m.created_at.endswith("+00:00")
    assert [(f.code, f.version) for f in m.frameworks] == [("MINI", "1.0.0")]
    assert m.counts["audits"] == 1 and m.counts["answers"] == 1 and m.counts["cases"] == 1
    assert len(pack.checksum) == 64 and not pack.encrypted
    assert read_header(pack_path).encrypted is False
    assert not read_pack(pack_path, "a passphrase not needed").encrypted


def test_the_payload_validates_against_the_published_schema(pack_path: Path) -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    members = _members(pack_path)
    document = {name.removesuffix(".json"): json.loads(data) for name, data in members.items()}
    jsonschema.validate(document, schema)


def test_an_encrypted_pack_needs_the_right_passphrase(
    store: Store, case: Case, tmp_path: Path
) -> None:
    path = tmp_path / "secret.auditpack"
    export_pack(store, path, created_by=ACTOR, passphrase=PASSPHRASE)
    assert b"TEST-0001" not in path.read_bytes()  # nothing readable without the passphrase
    assert read_header(path).encrypted is True
    with pytest.raises(PassphraseRequiredError, match="protected by a passphrase"):
        read_pack(path)
    with pytest.raises(PackAuthenticationError, match="wrong passphrase, or the file was changed"):
        read_pack(path, "wrong horse battery")
    pack = read_pack(path, PASSPHRASE)
    assert pack.encrypted and pack.payload["cases"][0]["reference"] == "TEST-0001"


def test_a_short_passphrase_is_refused_and_no_file_is_left(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "weak.auditpack"
    with pytest.raises(ValidationError, match="at least 8 characters"):
        export_pack(store, path, created_by=ACTOR, passphrase="1234")
    assert not path.exists()
    assert not [p for p in tmp_path.iterdir() if "weak" in p.name]


def test_one_byte_changed_in_an_encrypted_pack_is_refused(
    store: Store, case: Case, tmp_path: Path
) -> None:
    path = tmp_path / "secret.auditpack"
    export_pack(store, path, created_by=ACTOR, passphrase=PASSPHRASE)
    _flip(path, path.stat().st_size - 40)
    with pytest.raises(PackAuthenticationError, match="wrong passphrase, or the file was changed"):
        read_pack(path, PASSPHRASE)


@pytest.mark.parametrize("where", ["body", "end", "header"])
def test_one_byte_changed_in_a_plain_pack_is_refused(pack_path: Path, where: str) -> None:
    size = pack_path.stat().st_size
    offset = {"body": size // 2, "end": size - 1, "header": len(MAGIC) + 30}[where]
    _flip(pack_path, offset)
    with pytest.raises(PackDamagedError, match="changed or damaged|damaged"):
        read_pack(pack_path)


def test_every_single_byte_change_is_refused(pack_path: Path) -> None:
    original = pack_path.read_bytes()
    for offset in range(0, len(original), max(1, len(original) // 200)):
        _flip(pack_path, offset)
        with pytest.raises((NotAPackError, PackDamagedError, PackVersionError)):
            read_pack(pack_path)
        pack_path.write_bytes(original)
    read_pack(pack_path)


def test_a_pack_from_a_future_format_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.auditpack"
    body = b"PK\x05\x06" + bytes(18)  # an empty ZIP
    header = json.dumps(
        {"encrypted": False, "format_version": FORMAT_VERSION + 1, "sha256": "0" * 64},
        sort_keys=True,
        separators=(",", ":"),
    )
    path.write_bytes(MAGIC + header.encode() + b"\n" + body)
    with pytest.raises(PackVersionError, match="made by a newer version of Case Auditor"):
        read_pack(path)


def test_a_manifest_from_a_future_format_version_is_refused(pack_path: Path) -> None:
    members = _members(pack_path)
    manifest = json.loads(members["manifest.json"])
    manifest["format_version"] = FORMAT_VERSION + 1
    members["manifest.json"] = json.dumps(manifest).encode()
    write_container(pack_path, members)
    with pytest.raises(PackVersionError, match="made by a newer version of Case Auditor"):
        read_pack(pack_path)


@pytest.mark.parametrize(
    "content",
    [b"", b"Case reference,Team\nDEMO-1,North\n", b"PK\x03\x04 a zip of something else"],
)
def test_a_file_that_is_not_a_pack_is_refused_by_name(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "cases.auditpack"
    path.write_bytes(content)
    with pytest.raises(NotAPackError, match="cases.auditpack is not a Case Auditor audit pack"):
        read_pack(path)


def test_contents_that_break_a_rule_are_named(pack_path: Path) -> None:
    members = _members(pack_path)
    payload = json.loads(members["payload.json"])
    del payload["audits"][0]["answers"][0]["criterion_code"]
    payload["audits"][0]["status"] = "lost"
    members["payload.json"] = json.dumps(payload).encode()
    manifest = json.loads(members["manifest.json"])
    manifest["payload_sha256"] = hashlib.sha256(members["payload.json"]).hexdigest()
    members["manifest.json"] = json.dumps(manifest).encode()
    write_container(pack_path, members)
    with pytest.raises(PackContentError) as caught:
        read_pack(pack_path)
    message = str(caught.value)
    assert "audits[0].status: unknown value 'lost'" in message
    assert "audits[0].answers[0].criterion_code is missing" in message


def test_a_payload_that_does_not_match_the_manifest_is_refused(pack_path: Path) -> None:
    members = _members(pack_path)
    members["payload.json"] = members["payload.json"].replace(b"TEST-0001", b"TEST-0002")
    write_container(pack_path, members)
    with pytest.raises(PackDamagedError, match="payload's checksum does not match"):
        read_pack(pack_path)
