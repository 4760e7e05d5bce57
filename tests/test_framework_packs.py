"""Item 3 of issue 14: a council's own framework, imported from a workbook, lives in the
database and travels in packs, so an auditor's empty laptop gets it with its cases."""

from __future__ import annotations

from pathlib import Path

from auditor.audits.records import list_audits, record_answer, start_audit, update_audit
from auditor.audits.workflow import submit_audit
from auditor.cases.records import add_case
from auditor.frameworks.library import get_framework, list_frameworks
from auditor.frameworks.model import parse_framework
from auditor.frameworks.workbook import import_framework_workbook, write_framework_workbook
from auditor.packs import apply_merge, export_pack, make_assignment_pack, read_pack
from auditor.programmes.records import add_programme_cases, create_programme
from auditor.store import Store
from auditor.store.trail import verify_trail
from tests import crosswalk_data as data

QA = "Demo QA Lead"
AUDITOR = "Demo Auditor 07"


def test_an_imported_framework_travels_to_an_empty_laptop_and_back(tmp_path: Path) -> None:
    council = parse_framework(
        data.framework_toml("1.0.0", data.V1, code="DEMO-COUNCIL"), origin="council"
    )
    workbook = write_framework_workbook(council, tmp_path / "council.xlsx")
    with Store.open(tmp_path / "qa.db") as qa, Store.open(tmp_path / "laptop.db") as laptop:
        imported = import_framework_workbook(qa, workbook)
        assert imported.added and imported.framework == council
        case = add_case(qa, actor=QA, reference="DEMO-01-000123", case_type="child_in_need",
                        team="North")  # fmt: skip
        programme = create_programme(qa, actor=QA, name="Council dip sample",
                                     framework_code="DEMO-COUNCIL", auditors={AUDITOR})  # fmt: skip
        add_programme_cases(qa, programme, [(case.uid, AUDITOR)], actor=QA)

        assert list_frameworks(laptop) == []  # nothing installed on the auditor's laptop
        sent = make_assignment_pack(qa, tmp_path / "work.auditpack", created_by=QA,
                                    programme_uid=programme, auditor=AUDITOR)  # fmt: skip
        assert sent.frameworks == ("DEMO-COUNCIL 1.0.0",)
        got = apply_merge(laptop, read_pack(tmp_path / "work.auditpack"), actor=AUDITOR)
        assert got.frameworks_added == ("DEMO-COUNCIL 1.0.0",)
        assert get_framework(laptop, "DEMO-COUNCIL", "1.0.0") == council

        uid = start_audit(laptop, case_uid=case.uid, auditor=AUDITOR,
                          framework_code="DEMO-COUNCIL", programme_uid=programme)  # fmt: skip
        for code in data.V1:
            record_answer(laptop, uid, code, value="yes", evidence="Seen.", actor=AUDITOR)
        update_audit(laptop, uid, actor=AUDITOR, final_grade="good", grade_reason="Judgement.",
                     strengths="Warm.", improvements="Dates.")  # fmt: skip
        submit_audit(laptop, uid, actor=AUDITOR)

        export_pack(laptop, tmp_path / "back.auditpack", created_by=AUDITOR, auditor=AUDITOR)
        back = apply_merge(qa, read_pack(tmp_path / "back.auditpack"), actor=QA)
        assert back.frameworks_added == ()  # the QA lead's database had it already
        [merged] = list_audits(qa, programme_uid=programme)
        version = qa.one(
            "SELECT framework_code, framework_version FROM audits WHERE uid = ?", [uid]
        )
        assert version == {"framework_code": "DEMO-COUNCIL", "framework_version": "1.0.0"}
        assert (merged.uid, merged.status) == (uid, "submitted")
        assert verify_trail(qa) == [] and verify_trail(laptop) == []
