"""An answer survives the process being killed the moment after it was given."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from auditor.audits.records import get_audit
from auditor.store import Store
from auditor.store.trail import verify_trail

ROOT = Path(__file__).resolve().parent.parent

AUDITOR_SCRIPT = textwrap.dedent("""
    import sys, time
    from auditor.audits.records import record_answer, start_audit
    from auditor.cases.records import add_case
    from auditor.frameworks.library import ensure_builtin_frameworks
    from auditor.store import Store

    store = Store.open(sys.argv[1])
    ensure_builtin_frameworks(store)
    case = add_case(store, actor="Kill Test", reference="KILL-1", case_type="child_protection")
    uid = start_audit(store, case_uid=case.uid, auditor="Kill Test", framework_code="IN-CFA")
    code = "RISK-01"
    record_answer(store, uid, code, value="partly", evidence="Risk named, not analysed.",
                  actor="Kill Test")
    print(uid, flush=True)          # the answer is given; the parent kills us now
    time.sleep(60)
""")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_answer_survives_sigkill(tmp_path: Path) -> None:
    db = tmp_path / "killed.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", AUDITOR_SCRIPT, str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    uid = proc.stdout.readline().strip()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL
    with Store.open(db) as store:
        answer = get_audit(store, uid).answers["RISK-01"]
        assert (answer.value, answer.evidence) == ("partly", "Risk named, not analysed.")
        assert store.integrity_problems() == []
        assert verify_trail(store) == []
