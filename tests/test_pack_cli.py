"""The pack commands as a QA lead or an auditor types them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.audits.records import record_answer, start_audit
from auditor.cases.records import add_case
from auditor.cli import main
from auditor.frameworks.library import ensure_builtin_frameworks
from auditor.programmes.records import add_programme_cases, create_programme
from auditor.store import Store

ROOT = Path(__file__).resolve().parent.parent
SECRET = "correct horse battery"


@pytest.fixture
def dbs(tmp_path: Path) -> tuple[Path, Path]:
    """An auditor's database with a draft audit, and an empty QA lead's database."""
    own = tmp_path / "auditor.db"
    with Store.open(own) as store:
        ensure_builtin_frameworks(store)
        case = add_case(store, actor="Auditor A", reference="CASE-1", case_type="child_in_need")
        uid = start_audit(store, case_uid=case.uid, auditor="Auditor A", framework_code="IN-CFA")
        record_answer(store, uid, "RISK-01", value="no", evidence="None.", actor="Auditor A")
    return own, tmp_path / "qa.db"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_export_info_preview_import_and_again(
    dbs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own, qa = dbs
    pack = tmp_path / "a.auditpack"
    code, out, _ = run(capsys, "pack", "export", str(pack), "--db", str(own), "--by", "Auditor A")
    assert code == 0 and "1 audits, 1 cases" in out
    code, out, _ = run(capsys, "pack", "info", str(pack))
    assert code == 0 and "made by Auditor A" in out and "IN-CFA" in out
    code, out, _ = run(capsys, "pack", "import", str(pack), "--db", str(qa), "--preview")
    assert code == 0 and "would add 1, update 0" in out
    with Store.open(qa) as store:
        assert store.scalar("SELECT COUNT(*) FROM audits") == 0
    code, out, _ = run(capsys, "pack", "import", str(pack), "--db", str(qa), "--by", "QA Lead")
    assert code == 0 and "1 added" in out
    code, out, _ = run(capsys, "pack", "import", str(pack), "--db", str(qa), "--json")
    assert code == 0 and json.loads(out)[0]["already_imported"] is True
    assert run(capsys, "verify", "--db", str(qa))[0] == 0


def test_encrypted_pack_with_a_passphrase_file_and_a_wrong_one(
    dbs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own, qa = dbs
    good, bad = tmp_path / "good.txt", tmp_path / "bad.txt"
    good.write_text(SECRET + "\n")
    bad.write_text("wrong horse battery\n")
    pack = tmp_path / "s.auditpack"
    code, out, _ = run(
        capsys, "pack", "export", str(pack), "--db", str(own), "--passphrase-file", str(good)
    )
    assert code == 0 and "encrypted" in out
    code, _, err = run(
        capsys, "pack", "import", str(pack), "--db", str(qa), "--passphrase-file", str(bad)
    )
    assert code == 2
    assert err.strip() == (
        "case-auditor: s.auditpack could not be opened: wrong passphrase, or the file was "
        "changed after it was made"
    )
    code, out, _ = run(
        capsys, "pack", "import", str(pack), "--db", str(qa), "--passphrase-file", str(good)
    )
    assert code == 0 and "1 added" in out


def test_passphrase_from_the_environment_and_none_without_a_terminal(
    dbs: tuple[Path, Path], tmp_path: Path
) -> None:
    own, qa = dbs
    pack = tmp_path / "e.auditpack"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CASE_AUDITOR_PASSPHRASE": SECRET}

    def cli(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "ui.launcher", *args],
            cwd=ROOT, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL,
            env={**env, **extra},
        )  # fmt: skip

    assert cli("pack", "export", str(pack), "--db", str(own), "--encrypt").returncode == 0
    refused = cli("pack", "import", str(pack), "--db", str(qa), CASE_AUDITOR_PASSPHRASE="")
    assert refused.returncode == 2 and "a passphrase is needed" in refused.stderr
    done = cli("pack", "import", str(pack), "--db", str(qa))
    assert done.returncode == 0, done.stderr


def test_a_file_that_is_not_a_pack_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "cases.auditpack"
    fake.write_text("Case reference,Team\n")
    code, _, err = run(capsys, "pack", "import", str(fake), "--db", str(tmp_path / "x.db"))
    assert code == 2
    assert err.strip() == "case-auditor: cases.auditpack is not a Case Auditor audit pack"


def test_conflicts_listed_and_resolved(
    dbs: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own, qa = dbs
    first = tmp_path / "1.auditpack"
    run(capsys, "pack", "export", str(first), "--db", str(own))
    run(capsys, "pack", "import", str(first), "--db", str(qa))
    with Store.open(own) as store:
        uid = store.scalar("SELECT uid FROM audits")
        record_answer(store, uid, "RISK-01", value="yes", actor="Auditor A")
    with Store.open(qa) as store:
        record_answer(store, uid, "RISK-01", value="partly", actor="Auditor A")
    second = tmp_path / "2.auditpack"
    run(capsys, "pack", "export", str(second), "--db", str(own))
    code, out, _ = run(capsys, "pack", "import", str(second), "--db", str(qa))
    assert code == 0 and "1 conflicts kept as ours" in out
    code, out, _ = run(capsys, "pack", "conflicts", "--db", str(qa), "--json")
    [conflict] = json.loads(out)
    assert {"key": "answer:RISK-01.value", "ours": "partly", "theirs": "yes"}.items() <= (
        conflict["differences"][0].items()
    )
    code, _, err = run(
        capsys, "pack", "resolve", conflict["conflict_id"], "--db", str(qa), "--field", "x=maybe"
    )
    assert code == 2 and "KEY=ours or KEY=theirs" in err
    code, out, _ = run(
        capsys, "pack", "resolve", conflict["conflict_id"], "--db", str(qa),
        "--field", "answer:RISK-01.value=theirs", "--by", "QA Lead",
    )  # fmt: skip
    assert code == 0
    assert (
        run(capsys, "pack", "conflicts", "--db", str(qa))[1].strip() == "No conflicts to resolve."
    )


def test_assign_work_and_double_audits(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    qa = tmp_path / "qa.db"
    with Store.open(qa) as store:
        ensure_builtin_frameworks(store)
        programme = create_programme(
            store, actor="QA", name="March", framework_code="IN-CFA",
            auditors=["Auditor A", "Auditor B"], double_audit_percent=50,
        )  # fmt: skip
        cases = [
            add_case(store, actor="QA", reference=f"C-{i}", case_type="child_in_need").uid
            for i in range(4)
        ]
        add_programme_cases(store, programme, [(c, "Auditor A") for c in cases], actor="QA")
    code, out, _ = run(capsys, "double-audits", "March", "--db", str(qa), "--seed", "3")
    assert code == 0 and "2 cases of March will be audited twice" in out
    pack = tmp_path / "for-b.auditpack"
    code, out, _ = run(
        capsys, "pack", "assign", str(pack), "--db", str(qa), "--programme", "March",
        "--auditor", "Auditor B",
    )  # fmt: skip
    assert code == 0 and "2 cases" in out
    laptop = tmp_path / "b.db"
    code, out, _ = run(capsys, "pack", "import", str(pack), "--db", str(laptop))
    assert code == 0 and "2 cases, 1 programmes" in out
