"""The hub's commands and its reporting copy, against a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from auditor.audits.records import record_answer, start_audit
from auditor.cases.records import add_case
from auditor.cli import main
from auditor.frameworks.library import register_framework
from auditor.frameworks.model import Framework
from auditor.programmes.records import create_programme
from auditor.store import Store

QA = "QA Lead"


@pytest.fixture
def work(tmp_path: Path, mini: Framework) -> Path:
    """A laptop's database with one audit in a programme."""
    path = tmp_path / "laptop.db"
    with Store.open(path) as store:
        register_framework(store, mini)
        spring = create_programme(store, actor=QA, name="Spring audit", framework_code="MINI")
        case = add_case(
            store,
            actor=QA,
            reference="TEST-0042",
            case_type="child_in_need",
            team="Test Team A",
            worker="Test Worker 1",
        )
        uid = start_audit(
            store, case_uid=case.uid, auditor=QA, framework_code="MINI", programme_uid=spring
        )
        record_answer(store, uid, "R-1", value="partly", evidence="Seen on file.", actor=QA)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_push_pull_and_status_say_what_moved(
    hub_url: str, work: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = str(tmp_path / "other.db")
    assert run(capsys, "hub", "status", "--db", str(work), "--hub", hub_url)[1].splitlines()[
        1:3
    ] == [
        "  to push: 1 audit in 1 pack",
        "  to pull: 0 packs holding 0 audits",
    ]
    status, out, _ = run(capsys, "hub", "push", "--db", str(work), "--hub", hub_url, "--by", QA)
    assert status == 0
    assert out.startswith("Pushed 1 pack (1 audit) to the hub at the local server/")
    assert (
        "Nothing new to push" in run(capsys, "hub", "push", "--db", str(work), "--hub", hub_url)[1]
    )

    status, out, _ = run(capsys, "hub", "pull", "--db", other, "--hub", hub_url, "--by", QA)
    assert (status, out.splitlines()[0].split(": ")[1]) == (0, "1 audit added or changed here.")
    assert "Nothing new to pull" in run(capsys, "hub", "pull", "--db", other, "--hub", hub_url)[1]


def test_a_pack_file_pushed_twice_is_already_in_the_hub(
    hub_url: str, work: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = str(tmp_path / "spring.auditpack")
    run(capsys, "pack", "export", file, "--db", str(work))
    assert run(capsys, "hub", "push", file, "--db", str(work), "--hub", hub_url)[1].startswith(
        "Pushed 1 pack"
    )
    out = run(capsys, "hub", "push", file, "--db", str(work), "--hub", hub_url)[1]
    assert out == "1 pack already in the hub: stored once.\n"


def test_no_hub_reachable_is_one_line_and_exit_2(
    work: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(
        capsys, "hub", "push", "--db", str(work), "--hub", f"host={tmp_path} dbname=hub"
    )
    assert (status, out) == (2, "")
    assert err.count("\n") == 1
    assert err.startswith("case-auditor: Cannot reach the hub at the local server/hub (")
    assert err.endswith("Nothing was changed.\n")
    with Store.open(work, readonly=True) as store:  # nothing recorded as exchanged
        assert store.scalar("SELECT count(*) FROM audit_versions") == 0
        assert store.scalar("SELECT count(*) FROM hub_packs") == 0


def test_no_hub_given_and_a_password_in_the_address_are_refused(
    work: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CASE_AUDITOR_HUB", raising=False)
    status, _, err = run(capsys, "hub", "status", "--db", str(work))
    assert (status, err) == (
        2,
        "case-auditor: Say which hub: give --hub URL or set CASE_AUDITOR_HUB.\n",
    )
    status, _, err = run(
        capsys, "hub", "status", "--db", str(work), "--hub", "postgresql://qa:hunter22@db/hub"
    )
    assert status == 2
    assert "put it in ~/.pgpass" in err
    assert "hunter22" not in err


def test_assign_lets_an_auditor_pull_the_programme(
    hub_url: str,
    work: Path,
    tmp_path: Path,
    login: Callable[[str], str],
    capsys: pytest.CaptureFixture[str],
) -> None:
    run(capsys, "hub", "push", "--db", str(work), "--hub", hub_url)
    auditor_url = login("case_auditor_auditor")
    person = auditor_url.rsplit("user=", 1)[1]
    laptop = str(tmp_path / "auditor.db")
    assert (
        "Nothing new to pull" in run(capsys, "hub", "pull", "--db", laptop, "--hub", auditor_url)[1]
    )

    out = run(capsys, "hub", "assign", person, "Spring audit", "--db", str(work), "--hub", hub_url)[
        1
    ]
    assert out == f"{person} may now push and pull the packs of Spring audit.\n"
    assert "Merged 1 pack" in run(capsys, "hub", "pull", "--db", laptop, "--hub", auditor_url)[1]


def test_the_reporting_copy_holds_the_pushed_audits_for_bi(
    admin_url: str, work: Path, login: Callable[[str], str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "hub", "init", "--hub", admin_url, "--pseudonymise")[0] == 0
    run(capsys, "hub", "push", "--db", str(work), "--hub", admin_url)
    reader = login("case_auditor_reader")

    with psycopg.connect(reader) as conn:
        [(reference, team)] = conn.execute("SELECT reference, team FROM audit_reporting.cases")
        [(status, framework)] = conn.execute(
            "SELECT status, framework_code FROM audit_reporting.audits"
        )
        answers = conn.execute(
            "SELECT criterion_code, value FROM audit_reporting.answers a "
            "JOIN audit_reporting.audits x ON x.uid = a.audit_uid"
        ).fetchall()
        assert reference.startswith("CASE-") and reference != "TEST-0042"  # pseudonymised
        assert (team, status, framework, answers) == (
            "Test Team A",
            "draft",
            "MINI",
            [("R-1", "partly")],
        )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM audit_reporting.audits")
    with psycopg.connect(reader) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("SELECT count(*) FROM audit_hub.packs")
