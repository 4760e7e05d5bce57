"""Synthetic demo data: obviously fake cases, programmes, audits, moderations and actions.

Nothing here resembles a real child or worker: references are ``DEMO-nnnnnn``, people are
"Demo Worker 07" and "Demo Auditor Ash". The same seed always gives the same database.
Rows are written in bulk inside one transaction (a 10,000-audit database in seconds), but
grades come from the same grading rules and every change is written to the audit trail.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from auditor.audits.grading import grade_audit
from auditor.audits.records import get_audit
from auditor.audits.workflow import ModeratedAnswer, apply_moderation
from auditor.clock import new_uid, uk_date
from auditor.domain import CASE_DATE_FIELDS, AuditStatus, CaseType, Grade
from auditor.frameworks.library import ensure_builtin_frameworks
from auditor.frameworks.model import Framework
from auditor.store import Store
from auditor.store.summaries import refresh
from auditor.store.trail import batched
from auditor.store.writes import new_action, new_audit, new_cases, save_answers
from auditor.workdays import add_working_days

ACTOR = "Demo data generator"
AUDITORS = ("Demo Auditor Ash", "Demo Auditor Birch", "Demo Auditor Cedar", "Demo Auditor Elm")
MODERATOR = "Demo QA Lead Oak"
_BULK_CACHE = -65536  # KiB: 64 MB
TEAMS: dict[CaseType, tuple[str, ...]] = {
    CaseType.EARLY_HELP: ("Demo Early Help Team",),
    CaseType.CHILD_IN_NEED: ("Demo Assessment Team North", "Demo Assessment Team South"),
    CaseType.CHILD_PROTECTION: ("Demo Safeguarding Team North", "Demo Safeguarding Team South"),
    CaseType.LOOKED_AFTER: ("Demo Children in Care Team",),
    CaseType.CARE_LEAVER: ("Demo Leaving Care Team",),
}
CASE_TYPE_WEIGHTS = {
    CaseType.EARLY_HELP: 15,
    CaseType.CHILD_IN_NEED: 30,
    CaseType.CHILD_PROTECTION: 25,
    CaseType.LOOKED_AFTER: 22,
    CaseType.CARE_LEAVER: 8,
}
EVIDENCE = {
    "yes": (
        "Clearly recorded in the assessment of {d}.",
        "Seen in case notes dated {d}.",
        "Evidenced in the plan reviewed on {d}.",
    ),
    "partly": (
        "Recorded on {d} but not updated since.",
        "Some evidence in notes of {d}; analysis is thin.",
        "Mentioned on {d} without detail.",
    ),
    "no": (
        "No record found on the file.",
        "Not evidenced in notes since {d}.",
        "Absent from the assessment and the plan.",
    ),
}


@dataclass(frozen=True)
class DemoSummary:
    cases: int
    audits: int
    programmes: int


def make_demo(
    store: Store,
    *,
    cases: int = 300,
    audits: int | None = None,
    seed: int = 1,
    months: int = 12,
    end: date | None = None,
) -> DemoSummary:
    """Fill ``store`` with synthetic data, reproducible from ``seed``.

    ``audits`` defaults to half the cases; the audits spread over the ``months`` before
    ``end`` (default: today), older ones final, recent ones submitted or still draft.
    """
    rng = random.Random(seed)
    framework = ensure_builtin_frameworks(store)[0]
    end = end or date.today()
    n_audits = cases // 2 if audits is None else audits
    # A bigger page cache while the one big transaction runs: index pages (the trail's
    # random uids) stay in memory instead of being spilled to the WAL and written again.
    cache = store.scalar("PRAGMA cache_size")
    store.execute(f"PRAGMA cache_size = {_BULK_CACHE}")
    try:
        with store.atomic(), batched(store):
            programmes = _make_programmes(store, framework, end, months)
            # The audits' months and dates first: a case's dates all come before its first
            # audit.
            plan = [rng.randrange(months) for _ in range(n_audits)]
            audit_dates = [_audit_date(rng, programmes[month][2], end) for month in plan]
            as_of = [min(audit_dates[i::cases], default=end) for i in range(cases)]
            case_rows = _make_cases(store, rng, cases, as_of, end, prefix=f"DEMO-{seed:02d}")
            for i, (month, audit_date) in enumerate(zip(plan, audit_dates, strict=True)):
                case = case_rows[i % len(case_rows)]
                _make_audit(
                    store, rng, framework, case, programmes[month], month, months, audit_date
                )
            refresh(store)  # the figures' texts and marks still unknown (moderations' pairs)
    finally:
        store.execute(f"PRAGMA cache_size = {int(cache)}")
    return DemoSummary(cases=len(case_rows), audits=n_audits, programmes=len(programmes))


def _make_cases(
    store: Store, rng: random.Random, n: int, as_of: list[date], end: date, *, prefix: str
) -> list[dict[str, Any]]:
    """``n`` cases, the i-th with its history on or before ``as_of[i]`` (its first audit)
    and its latest visit, supervision and closure by ``end``."""
    rows = []
    existing = store.scalar("SELECT COUNT(*) FROM cases WHERE reference LIKE ?", [f"{prefix}%"])
    for i in range(existing, existing + n):
        case_type = rng.choices(list(CASE_TYPE_WEIGHTS), list(CASE_TYPE_WEIGHTS.values()))[0]
        audited = as_of[i - existing]
        referral = audited - timedelta(days=rng.randint(30, 540))
        row = {
            "uid": new_uid(),
            "reference": f"{prefix}-{i + 1:06d}",
            "case_type": case_type.value,
            "team": rng.choice(TEAMS[case_type]),
            "worker": f"Demo Worker {rng.randint(1, 24):02d}",
            **_case_dates(rng, case_type, referral, audited, end),
            "created_at": _at(audited, -60),  # imported before its first audit
            "updated_at": _at(audited, -60),
        }
        rows.append(row)
    new_cases(store, rows, actor=ACTOR)
    ids = dict(
        store.execute("SELECT uid, id FROM cases WHERE reference LIKE ?", [f"{prefix}%"]).fetchall()
    )
    for row in rows:
        row["id"] = ids[row["uid"]]
    return rows


def _case_dates(
    rng: random.Random, case_type: CaseType, referral: date, audited: date, end: date
) -> dict[str, str | None]:
    """A case's dates in the order real work has. Its history (referral, then the
    assessment's start and end, then the plan; conferences, becoming looked after) is over
    by ``audited``, its first audit (or ``end``); its latest visit, supervision and health
    assessment are recent as of ``end`` (today), as a case list exported today says, or as
    of its closure, which comes after all the rest."""

    def later(d: date, lo: int, hi: int) -> date:
        return min(audited, add_working_days(d, rng.randint(lo, hi)))

    start = later(referral, 0, 3)
    assessment_end = later(start, 15, 60) if rng.random() < 0.9 else None
    dates: dict[str, date | None] = {
        "referral_date": referral,
        "assessment_start": start,
        "assessment_end": assessment_end,
    }
    if case_type is CaseType.CHILD_PROTECTION:
        strategy = later(referral, 0, 5)
        icpc = later(strategy, 8, 22)
        if assessment_end is not None:  # the assessment is done by the conference
            dates["assessment_end"] = max(start, min(assessment_end, icpc))
        dates.update(
            strategy_discussion_date=strategy,
            initial_conference_date=icpc,
            core_group_first_date=later(icpc, 5, 14),
            plan_start=icpc,
        )
    lac = None
    if case_type in (CaseType.LOOKED_AFTER, CaseType.CARE_LEAVER):
        lac = later(referral, 10, 80)
        dates.update(looked_after_start=lac, first_lac_review_date=later(lac, 12, 28))
    history = max(d for d in dates.values() if d)
    if rng.random() < 0.2:  # closed, after everything else
        dates["closed_date"] = max(history, end - timedelta(days=rng.randint(1, 90)))
    latest = dates.get("closed_date") or end

    def recent(lo: int, hi: int, since: date) -> date:
        """A day ``lo``..``hi`` days before the latest, never before ``since``."""
        return min(latest, max(since, latest - timedelta(days=rng.randint(lo, hi))))

    dates["last_visit"] = recent(1, 60, referral)
    dates["last_supervision"] = recent(3, 70, referral)
    if lac is not None:
        dates["health_assessment_date"] = recent(20, 450, lac)
    # Every row has every date field: the bulk insert takes its columns from the first row.
    return {k: (d.isoformat() if (d := dates.get(k)) else None) for k in CASE_DATE_FIELDS}


# A case's dates that its history holds (over before it is audited); the others are the
# latest as of today.
CASE_HISTORY_DATES = tuple(
    f for f in CASE_DATE_FIELDS if f not in ("last_visit", "last_supervision",
                                              "health_assessment_date", "closed_date")
)  # fmt: skip


def _audit_date(rng: random.Random, first_day: date, end: date) -> date:
    """A day in the programme's month, never after ``end`` or today."""
    return min(end, date.today(), first_day + timedelta(days=rng.randint(0, 27)))


def _at(day: date, minutes: int = 0) -> str:
    """A timestamp on ``day`` (09:00 UTC plus ``minutes``), never later than now."""
    stamp = datetime.combine(day, time(9), UTC) + timedelta(minutes=minutes)
    return min(stamp, datetime.now(UTC)).isoformat(timespec="microseconds")


def _after(rng: random.Random, day: date, lo: int, hi: int, end: date) -> date:
    """A day ``lo``..``hi`` days after ``day``, never after ``end`` or today."""
    return min(end, date.today(), day + timedelta(days=rng.randint(lo, hi)))


def _make_programmes(
    store: Store, framework: Framework, end: date, months: int
) -> list[tuple[int, str, date]]:
    """One monthly dip-sample programme per month, oldest first: (id, uid, first day)."""
    result = []
    first = date(end.year, end.month, 1)
    for back in range(months - 1, -1, -1):
        year, month = divmod(first.year * 12 + first.month - 1 - back, 12)
        start = date(year, month + 1, 1)
        uid = new_uid()
        cursor = store.execute(
            "INSERT INTO programmes (uid, name, framework_code, framework_version, period_start, "
            "period_end, due_date, description, created_by, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                uid,
                f"Monthly dip sample {start:%B %Y} (demo)",
                framework.code,
                framework.version,
                start.isoformat(),
                (start + timedelta(days=27)).isoformat(),
                (start + timedelta(days=34)).isoformat(),
                "Synthetic demo programme.",
                ACTOR,
                _at(start - timedelta(days=3)),
                _at(start - timedelta(days=3)),
            ],
        )
        store.conn.executemany(
            "INSERT INTO programme_auditors (programme_id, auditor) VALUES (?, ?)",
            [(cursor.lastrowid, a) for a in AUDITORS],
        )
        result.append((int(cursor.lastrowid or 0), uid, start))
    return result


def _make_audit(
    store: Store,
    rng: random.Random,
    framework: Framework,
    case: dict[str, Any],
    programme: tuple[int, str, date],
    month: int,
    months: int,
    audit_date: date,
) -> None:
    programme_id, _, first_day = programme
    recent = month >= months - 1
    status = _pick_status(rng, recent)
    # Practice improves month on month, differently by team: the trend the reports show.
    quality = min(0.97, 0.45 + 0.35 * month / max(1, months - 1) + rng.uniform(-0.2, 0.2))
    answers = _answers(
        rng,
        framework,
        case["case_type"],
        quality,
        complete=status is not AuditStatus.DRAFT or rng.random() < 0.3,
        seen=(date.fromisoformat(case["referral_date"]), audit_date),
    )
    result = grade_audit(framework, case["case_type"], {k: v for k, (v, _) in answers.items()})
    auditor = rng.choice(AUDITORS)
    final = result.suggested if status is not AuditStatus.DRAFT else None
    reason = ""
    if final and rng.random() < 0.1 and final.rank > 1:
        final, reason = (
            Grade.from_rank(final.rank - 1),
            "Impact for the child weighed more heavily than the compliance score suggests (demo).",
        )
    concern = status is not AuditStatus.DRAFT and rng.random() < 0.02
    uid, now = new_uid(), _at(audit_date)
    stamps = _workflow_stamps(rng, status, audit_date)
    audit_id = new_audit(
        store,
        {
            "uid": uid,
            "case_id": case["id"],
            "programme_id": programme_id,
            "framework_code": framework.code,
            "framework_version": framework.version,
            "case_type": case["case_type"],
            "auditor": auditor,
            "status": status.value,
            "audit_date": audit_date.isoformat(),
            "suggested_grade": result.suggested.value if result.suggested else None,
            "compliance": result.compliance,
            "final_grade": final.value if final else None,
            "grade_reason": reason,
            "strengths": "Relationship with the child is warm and consistent (demo)."
            if quality > 0.6
            else "",
            "improvements": "Plans need clear timescales and named owners (demo)."
            if quality < 0.8
            else "",
            "feedback": "Thank you for a well-organised file (demo)." if quality > 0.7 else "",
            "safeguarding_concern": int(concern),
            "safeguarding_note": "Demo concern: escalated to the team manager the same day."
            if concern
            else "",
            "created_at": now,
            "updated_at": max(s for s in (now, *stamps) if s),
            "submitted_at": stamps[0],
            "moderated_at": stamps[1],
            "finalised_at": stamps[2],
        },
        actor=auditor,
        description=case["reference"],
    )
    audit = {"id": audit_id, "uid": uid}
    # The case is in its programme's sample, assigned to the auditor who audited it, as
    # the Programmes screen shows a real round (the first audit of a case there decides).
    store.execute(
        "INSERT OR IGNORE INTO programme_cases (uid, programme_id, case_id, auditor, added_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [new_uid(), programme_id, case["id"], auditor, _at(first_day)],
    )
    save_answers(
        store,
        audit,
        {
            code: {"value": value, "evidence": evidence}
            for code, (value, evidence) in answers.items()
        },
        actor=auditor,
    )
    _make_actions(store, rng, audit, audit_date, result.compliance or 100, concern, auditor)
    if status in (AuditStatus.MODERATED, AuditStatus.FINAL) and rng.random() < 0.3:
        _make_moderation(
            store,
            rng,
            framework,
            audit_id,
            uid,
            case["case_type"],
            answers,
            final,
            stamps[1] or now,
        )


def _workflow_stamps(
    rng: random.Random, status: AuditStatus, audit_date: date
) -> tuple[str | None, str | None, str | None]:
    """When the audit was submitted, moderated and made final, each on or after the one
    before (a draft has none; a submitted audit only its submission)."""
    if status is AuditStatus.DRAFT:
        return None, None, None
    today = date.today()
    submitted = _after(rng, audit_date, 0, 5, today)
    moderated = _after(rng, submitted, 1, 10, today)
    final = _after(rng, moderated, 0, 7, today)
    return (
        _at(submitted, 240),
        _at(moderated, 300) if status in (AuditStatus.MODERATED, AuditStatus.FINAL) else None,
        _at(final, 360) if status is AuditStatus.FINAL else None,
    )


def _pick_status(rng: random.Random, recent: bool) -> AuditStatus:
    if recent:
        return rng.choices([AuditStatus.DRAFT, AuditStatus.SUBMITTED], [0.5, 0.5])[0]
    return rng.choices(
        [AuditStatus.SUBMITTED, AuditStatus.MODERATED, AuditStatus.FINAL], [0.1, 0.2, 0.7]
    )[0]


def _answers(
    rng: random.Random,
    framework: Framework,
    case_type: str,
    quality: float,
    *,
    complete: bool,
    seen: tuple[date, date],
) -> dict[str, tuple[str, str]]:
    """Answers with evidence dated between ``seen``'s two days (the referral and the audit)."""
    first, last = seen
    span = max(0, (last - first).days)
    answers = {}
    for criterion in framework.criteria_for(case_type):
        if not complete and rng.random() < 0.4:
            continue
        codes = [v.code for v in criterion.scale.values]
        if "na" in codes and rng.random() < 0.04:
            value = "na"
        else:
            roll = rng.random()
            value = "yes" if roll < quality else "partly" if roll < quality + 0.2 else "no"
            if value not in codes:
                value = "no"
        day = uk_date(last - timedelta(days=rng.randint(0, min(span, 300))))
        text = rng.choice(EVIDENCE[value]).format(d=day) if value in EVIDENCE else ""
        answers[criterion.code] = (value, text)
    return answers


def _make_actions(
    store: Store,
    rng: random.Random,
    audit: dict[str, Any],
    audit_date: date,
    compliance: float,
    concern: bool,
    auditor: str,
) -> None:
    count = (1 if compliance < 80 else 0) + (1 if compliance < 60 else 0) + int(concern)
    for n in range(count):
        # Raised at the audit, due after it, done (if at all) between the two.
        uid, due = new_uid(), audit_date + timedelta(days=rng.choice((7, 14, 28, 42)))
        done = due < date.today() and rng.random() < 0.6
        done_day = audit_date + timedelta(days=rng.randint(1, (due - audit_date).days))
        raised = _at(audit_date, 120)
        text = (
            "Convene a strategy discussion today (demo)."
            if concern and n == 0
            else rng.choice(
                (
                    "Update the chronology (demo).",
                    "Record the child's views in the plan (demo).",
                    "Manager to record oversight of the plan (demo).",
                    "Complete the overdue health assessment (demo).",
                )
            )
        )
        new_action(
            store,
            {
                "uid": uid,
                "audit_id": audit["id"],
                "text": text,
                "owner": f"Demo Team Manager {rng.randint(1, 6)}",
                "due_date": due.isoformat(),
                "status": "done" if done else "open",
                "done_date": done_day.isoformat() if done else None,
                "created_at": raised,
                "updated_at": _at(done_day, 60) if done else raised,
            },
            audit_uid=audit["uid"],
            actor=auditor,
        )


def _make_moderation(
    store: Store,
    rng: random.Random,
    framework: Framework,
    audit_id: int,
    audit_uid: str,
    case_type: str,
    answers: dict[str, tuple[str, str]],
    grade: Grade | None,
    at: str,
) -> None:
    moderated = {code: value for code, (value, _) in answers.items()}
    for code in rng.sample(sorted(moderated), k=min(2, len(moderated))):
        if rng.random() < 0.5:
            scale = framework.criterion(code).scale
            moderated[code] = rng.choice([v.code for v in scale.values if v.score is not None])
    result = grade_audit(framework, case_type, moderated)
    moderator_grade = (result.suggested or Grade.GOOD).value
    reason = "Evidence on file supports a different answer."
    cursor = store.execute(
        "INSERT INTO moderations (uid, audit_id, moderator, auditor_grade, moderator_grade, note, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            new_uid(),
            audit_id,
            MODERATOR,
            grade.value if grade else None,
            moderator_grade,
            "Demo moderation.",
            at,  # when the audit was moderated
        ],
    )
    store.conn.executemany(
        "INSERT INTO moderation_answers (moderation_id, criterion_code, auditor_value, "
        "moderator_value, reason) VALUES (?, ?, ?, ?, ?)",
        [
            (
                cursor.lastrowid,
                code,
                answers[code][0],
                value,
                "" if value == answers[code][0] else reason,
            )
            for code, value in moderated.items()
        ],
    )
    # The audit then holds the moderator's answers and grade, as after a real moderation.
    apply_moderation(
        store,
        get_audit(store, audit_uid),
        MODERATOR,
        Grade(moderator_grade),
        {
            code: ModeratedAnswer(value, reason)
            for code, value in moderated.items()
            if value != answers[code][0]
        },
        "Demo moderation.",
    )
