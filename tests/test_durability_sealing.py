"""A save that fills a block of the trail seals it in the same transaction: a process killed
while it seals leaves every answer it acknowledged, the trail whole, and nothing half-sealed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from auditor.audits.records import get_audit, record_answer
from auditor.store import Store
from auditor.store.summaries import summary_problems
from auditor.store.trail import trail_problems

ROOT = Path(__file__).resolve().parent.parent

# Saves answers until one fills the first block; as it seals, the process says so and waits
# to be killed: right after the block is written (its rows still in ``trail``), or with the
# rows removed and the head moved, just before COMMIT. Each save acknowledged is printed.
AUDITOR_SCRIPT = textwrap.dedent("""
    import sys, time
    from auditor.audits.records import get_audit, record_answer, start_audit
    from auditor.cases.records import add_case
    from auditor.frameworks.library import ensure_builtin_frameworks
    from auditor.store import Store, trail, trail_blocks

    db, moment = sys.argv[1], sys.argv[2]
    sealing = []

    def wait_to_be_killed(where):
        print("sealing", where, flush=True)
        time.sleep(60)

    def seal_aligned(*args, **kwargs):
        done = real_seal(*args, **kwargs)
        sealing.append(True)
        if moment == "block written":
            wait_to_be_killed(moment)
        return done

    def set_head(*args, **kwargs):
        done = real_set_head(*args, **kwargs)
        if sealing and moment == "before commit":
            wait_to_be_killed(moment)
        return done

    real_seal, trail_blocks.seal_aligned = trail_blocks.seal_aligned, seal_aligned
    real_set_head, trail._set_head = trail._set_head, set_head

    store = Store.open(db)
    ensure_builtin_frameworks(store)
    case = add_case(store, actor="Kill Test", reference="KILL-SEAL", case_type="child_protection")
    uid = start_audit(store, case_uid=case.uid, auditor="Kill Test", framework_code="IN-CFA")
    print("audit", uid, flush=True)
    criteria = get_audit(store, uid).criteria
    for i in range(5000):
        criterion = criteria[i % len(criteria)]
        value = criterion.scale.values[i % len(criterion.scale.values)].code
        record_answer(store, uid, criterion.code, value=value, evidence=f"note {i}",
                      actor="Kill Test")
        print("saved", criterion.code, value, f"note {i}", flush=True)
""")


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("moment", ["block written", "before commit"])
def test_a_process_killed_while_it_seals_loses_no_acknowledged_answer(
    tmp_path: Path, moment: str
) -> None:
    db = tmp_path / "killed.db"
    proc = subprocess.Popen(
        [sys.executable, "-c", AUDITOR_SCRIPT, str(db), moment],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.stdout is not None
    uid, given, line = "", {}, ""
    for line in proc.stdout:
        kind, *rest = line.split(maxsplit=1)
        if kind == "audit":
            uid = rest[0].strip()
        elif kind == "saved":
            code, value, evidence = rest[0].rstrip("\n").split(" ", 2)
            given[code] = (value, evidence)
        else:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    proc.stdout.close()
    assert line == f"sealing {moment}\n" and proc.returncode == -signal.SIGKILL
    assert len(given) > 10  # many saves acknowledged before the block filled

    with Store.open(db) as store:
        answers = get_audit(store, uid).answers
        # Every acknowledged save is there; the one being sealed was never acknowledged and
        # is not (its criterion holds what the last acknowledged save of it gave).
        assert {code: (answers[code].value, answers[code].evidence) for code in given} == given
        assert store.integrity_problems() == []
        assert trail_problems(store, []) == []
        assert summary_problems(store) == []
        assert store.scalar("SELECT COUNT(*) FROM trail_blocks") == 0  # undone with the save
        head = store.scalar("SELECT seq FROM trail_heads")
        assert head < 1024 <= head + 2
        # The next saves fill the block and seal it (each adds one row: the block needs one
        # or two), and the trail still verifies.
        criterion = get_audit(store, uid).criteria[0]
        for n in range(1024 - head):
            record_answer(store, uid, criterion.code, evidence=f"after the restart {n}",
                          actor="Kill Test")  # fmt: skip
        assert store.scalar("SELECT COUNT(*) FROM trail_blocks") == 1
        assert store.scalar("SELECT COUNT(*) FROM trail WHERE seq <= 1024") == 0
        assert trail_problems(store, []) == []
