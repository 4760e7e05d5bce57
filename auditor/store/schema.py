"""The database schema as named migrations, applied in order and recorded in ``user_version``.

Never edit a migration that has shipped: add a new one. Each runs in its own transaction
together with the ``user_version`` bump, so a crash mid-migration leaves the old schema.
"""

from __future__ import annotations

from dataclasses import dataclass

_CASE_TYPES = "'early_help','child_in_need','child_protection','looked_after','care_leaver'"
_GRADES = "'outstanding','good','requires_improvement','inadequate'"


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


INITIAL_SCHEMA = f"""
CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- A snapshot of every framework version ever used: audits keep the version they were
-- scored on, so a changed framework file never rewrites past audits.
CREATE TABLE frameworks (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL,
    version TEXT NOT NULL,
    title TEXT NOT NULL,
    source_text TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    loaded_at TEXT NOT NULL,
    UNIQUE (code, version)
);

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    reference TEXT NOT NULL UNIQUE,
    case_type TEXT NOT NULL CHECK (case_type IN ({_CASE_TYPES})),
    team TEXT NOT NULL DEFAULT '',
    worker TEXT NOT NULL DEFAULT '',
    referral_date TEXT,
    assessment_start TEXT,
    assessment_end TEXT,
    strategy_discussion_date TEXT,
    initial_conference_date TEXT,
    core_group_first_date TEXT,
    review_conference_date TEXT,
    plan_start TEXT,
    looked_after_start TEXT,
    first_lac_review_date TEXT,
    health_assessment_date TEXT,
    last_visit TEXT,
    last_supervision TEXT,
    closed_date TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_team ON cases (team);
CREATE INDEX cases_case_type ON cases (case_type);
CREATE INDEX cases_closed_date ON cases (closed_date);

CREATE TABLE programmes (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    framework_code TEXT NOT NULL,
    framework_version TEXT NOT NULL,
    period_start TEXT,
    period_end TEXT,
    due_date TEXT,
    description TEXT NOT NULL DEFAULT '',
    sample_json TEXT,  -- how the sample was drawn: method, parameters and seed
    double_audit_percent REAL NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    FOREIGN KEY (framework_code, framework_version) REFERENCES frameworks (code, version)
);

CREATE TABLE programme_auditors (
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    auditor TEXT NOT NULL,
    PRIMARY KEY (programme_id, auditor)
);

CREATE TABLE programme_cases (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    programme_id INTEGER NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    auditor TEXT NOT NULL DEFAULT '',
    second_auditor TEXT NOT NULL DEFAULT '',  -- blind double audit, when asked for
    added_at TEXT NOT NULL,
    UNIQUE (programme_id, case_id)
);

CREATE TABLE audits (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    programme_id INTEGER REFERENCES programmes (id),
    framework_code TEXT NOT NULL,
    framework_version TEXT NOT NULL,
    auditor TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft','submitted','moderated','final')),
    audit_date TEXT NOT NULL,
    suggested_grade TEXT CHECK (suggested_grade IN ({_GRADES})),
    compliance REAL,
    final_grade TEXT CHECK (final_grade IN ({_GRADES})),
    grade_reason TEXT NOT NULL DEFAULT '',
    strengths TEXT NOT NULL DEFAULT '',
    improvements TEXT NOT NULL DEFAULT '',
    feedback TEXT NOT NULL DEFAULT '',
    safeguarding_concern INTEGER NOT NULL DEFAULT 0,
    safeguarding_note TEXT NOT NULL DEFAULT '',
    blind INTEGER NOT NULL DEFAULT 0,
    revision INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    submitted_at TEXT,
    moderated_at TEXT,
    finalised_at TEXT,
    deleted_at TEXT,  -- a tombstone: deletions travel between laptops as deletions
    FOREIGN KEY (framework_code, framework_version) REFERENCES frameworks (code, version)
);
CREATE INDEX audits_case ON audits (case_id);
CREATE INDEX audits_programme ON audits (programme_id);
CREATE INDEX audits_status ON audits (status, auditor);
CREATE INDEX audits_date ON audits (audit_date);

CREATE TABLE answers (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    audit_id INTEGER NOT NULL REFERENCES audits (id) ON DELETE CASCADE,
    criterion_code TEXT NOT NULL,
    value TEXT,
    evidence TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (audit_id, criterion_code)
);
CREATE INDEX answers_criterion ON answers (criterion_code, value);

CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    audit_id INTEGER NOT NULL REFERENCES audits (id),
    text TEXT NOT NULL,
    owner TEXT NOT NULL DEFAULT '',
    due_date TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','done')),
    done_date TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX actions_audit ON actions (audit_id);
CREATE INDEX actions_status ON actions (status, due_date);

CREATE TABLE moderations (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    audit_id INTEGER NOT NULL REFERENCES audits (id),
    moderator TEXT NOT NULL,
    auditor_grade TEXT,
    moderator_grade TEXT NOT NULL CHECK (moderator_grade IN ({_GRADES})),
    note TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX moderations_audit ON moderations (audit_id);

-- One row per criterion the moderator reviewed: the auditor's answer and the moderator's,
-- so that agreement (percentage and Cohen's kappa) can be reported per criterion.
CREATE TABLE moderation_answers (
    moderation_id INTEGER NOT NULL REFERENCES moderations (id) ON DELETE CASCADE,
    criterion_code TEXT NOT NULL,
    auditor_value TEXT,
    moderator_value TEXT,
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (moderation_id, criterion_code)
);

CREATE TABLE import_mappings (
    name TEXT PRIMARY KEY,
    mapping_json TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- The audit trail: append-only, every row chained by hash to the previous row of the same
-- origin (the database that wrote it), so merged trails from several laptops still verify.
CREATE TABLE trail (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    origin TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_uid TEXT NOT NULL,
    audit_uid TEXT,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    reason TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    UNIQUE (origin, seq)
);
CREATE INDEX trail_audit ON trail (audit_uid);

-- The last row of each origin's chain: deleting the newest trail rows is detected too.
CREATE TABLE trail_heads (
    origin TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);

CREATE TRIGGER trail_no_update BEFORE UPDATE ON trail
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER trail_no_delete BEFORE DELETE ON trail
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"""

LOCAL_CLOSURE_DAYS = """
-- Days a council's offices are closed beyond bank holidays (e.g. between Christmas and New
-- Year): working-day timescales skip them.
CREATE TABLE closure_days (
    day TEXT PRIMARY KEY,
    label TEXT NOT NULL DEFAULT ''
);
"""

PACK_SYNC_STATE = """
-- Versions of each audit exchanged through audit packs (exported, imported, or made by
-- resolving a conflict), by canonical content hash. An audit whose current content is among
-- the other side's versions has not changed there since: how conflicts are told from updates.
CREATE TABLE audit_versions (
    audit_uid TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    revision INTEGER NOT NULL,
    origin TEXT NOT NULL,  -- the database that had this version
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (audit_uid, content_hash)
) WITHOUT ROWID;

-- Packs merged into this database: importing the same pack again changes nothing.
CREATE TABLE imported_packs (
    pack_id TEXT PRIMARY KEY,
    checksum TEXT NOT NULL,
    origin TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    summary_json TEXT NOT NULL DEFAULT '{}'
);

-- An audit changed here and in a pack since they last met: kept as ours until a person
-- resolves it; the pack's version is kept whole so it can be resolved later.
CREATE TABLE merge_conflicts (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    audit_uid TEXT NOT NULL,
    pack_id TEXT NOT NULL,
    pack_created_by TEXT NOT NULL,
    ours_hash TEXT NOT NULL,
    theirs_hash TEXT NOT NULL,
    theirs_json TEXT NOT NULL,
    detected_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT,
    resolution TEXT,
    UNIQUE (audit_uid, theirs_hash)
);
CREATE INDEX merge_conflicts_open ON merge_conflicts (resolved_at, audit_uid);

-- A case another database knows by another uid, matched here by its council reference.
CREATE TABLE case_aliases (
    alias_uid TEXT PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases (id),
    recorded_at TEXT NOT NULL
);

-- Rows of another origin's trail chain that a pack left out (they concern audits the pack
-- did not carry): the chain still verifies across the gap from the hashes either side.
CREATE TABLE trail_gaps (
    origin TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (origin, first_seq)
);
"""

# A framework being made or revised in the app's editor: not a framework yet (nothing can
# be audited against it) until it is published into ``frameworks`` with a version.
FRAMEWORK_DRAFTS = """
CREATE TABLE framework_drafts (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    source_text TEXT NOT NULL,
    based_on_code TEXT,
    based_on_version TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
"""

FRAMEWORK_CROSSWALKS = """
-- How a framework version continues an older one (the same code's previous version, or the
-- code a council's new tool replaces): which old criterion each new criterion continues, so
-- trends run across the change. One crosswalk per new version.
CREATE TABLE framework_crosswalks (
    id INTEGER PRIMARY KEY,
    uid TEXT NOT NULL UNIQUE,
    old_code TEXT NOT NULL,
    old_version TEXT NOT NULL,
    new_code TEXT NOT NULL,
    new_version TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (new_code, new_version),
    FOREIGN KEY (old_code, old_version) REFERENCES frameworks (code, version),
    FOREIGN KEY (new_code, new_version) REFERENCES frameworks (code, version)
);

-- One row per (new criterion, old criterion) it continues: same, reworded, merged (several
-- rows for one new criterion); a new criterion has no old one, a retired old one no new one.
CREATE TABLE framework_crosswalk_links (
    crosswalk_id INTEGER NOT NULL REFERENCES framework_crosswalks (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('same','reworded','merged','new','retired')),
    new_criterion TEXT,
    old_criterion TEXT,
    CHECK ((kind = 'new') = (old_criterion IS NULL)),
    CHECK ((kind = 'retired') = (new_criterion IS NULL))
);
CREATE INDEX framework_crosswalk_links_of ON framework_crosswalk_links (crosswalk_id);
"""

AUDIT_CASE_TYPE = f"""
-- The case type an audit was made for: a case's type may change after its audit (a child in
-- need becomes subject to a plan), and the audit's criteria, grade and figures stay those of
-- the type it was audited as. Audits made before this is kept take their case's current type.
ALTER TABLE audits ADD COLUMN case_type TEXT CHECK (case_type IN ({_CASE_TYPES}));
UPDATE audits SET case_type = (SELECT c.case_type FROM cases c WHERE c.id = audits.case_id);
CREATE INDEX audits_case_type ON audits (case_type);

-- A column added to a table cannot be NOT NULL without a default, and no case type is a
-- default: these keep every audit's case type filled.
CREATE TRIGGER audits_case_type_required BEFORE INSERT ON audits WHEN NEW.case_type IS NULL
BEGIN SELECT RAISE(ABORT, 'an audit needs the case type it was made for'); END;
CREATE TRIGGER audits_case_type_kept BEFORE UPDATE OF case_type ON audits
WHEN NEW.case_type IS NULL
BEGIN SELECT RAISE(ABORT, 'an audit needs the case type it was made for'); END;
"""

# What this database exchanged with each team hub (auditor/hub/, docs/hub.md), by the hub's
# own id: the packs it pushed or merged (never pulled again), and the audit versions the hub
# is known to hold (never pushed again).
HUB_SYNC_STATE = """
CREATE TABLE hub_packs (
    hub_uid TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    pack_id TEXT NOT NULL,
    direction TEXT NOT NULL CHECK (direction IN ('pushed', 'pulled')),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (hub_uid, sha256)
);
CREATE TABLE hub_audit_versions (
    hub_uid TEXT NOT NULL,
    audit_uid TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    PRIMARY KEY (hub_uid, audit_uid, content_hash)
);
"""

# Indexes for what is read, not for what might be: every figure reads the filtered audits'
# status, dates, type, auditor, programme, case and grade, which this index holds (the
# audits' own rows are wide with their free text); it begins as the status index it
# replaces did. Nothing reads answers by criterion across audits, and that index cost every
# changed answer two more pages written.
FIGURE_INDEXES = """
CREATE INDEX audits_figures ON audits (status, auditor, deleted_at, audit_date, case_type,
    programme_id, case_id, final_grade, safeguarding_concern, framework_code,
    framework_version, created_at);
DROP INDEX audits_status;
DROP INDEX answers_criterion;
"""

# Each audit's answers and each moderation's judged pairs as one text with its row, which the
# figures tally instead of joining 400,000 answers to their audits (auditor/store/summaries.py:
# the triggers make a text unknown whenever its rows change; writers store it afresh).
ANSWER_SUMMARIES = """
ALTER TABLE audits ADD COLUMN answered TEXT;
ALTER TABLE moderations ADD COLUMN judged TEXT;
CREATE TRIGGER answers_summary_added AFTER INSERT ON answers
BEGIN UPDATE audits SET answered = NULL WHERE id = NEW.audit_id AND answered IS NOT NULL; END;
CREATE TRIGGER answers_summary_changed AFTER UPDATE OF audit_id, criterion_code, value
ON answers WHEN OLD.value IS NOT NEW.value OR OLD.criterion_code IS NOT NEW.criterion_code
OR OLD.audit_id IS NOT NEW.audit_id
BEGIN UPDATE audits SET answered = NULL WHERE id IN (OLD.audit_id, NEW.audit_id)
AND answered IS NOT NULL; END;
CREATE TRIGGER answers_summary_removed AFTER DELETE ON answers
BEGIN UPDATE audits SET answered = NULL WHERE id = OLD.audit_id AND answered IS NOT NULL; END;
CREATE TRIGGER moderation_answers_summary_added AFTER INSERT ON moderation_answers
BEGIN UPDATE moderations SET judged = NULL WHERE id = NEW.moderation_id
AND judged IS NOT NULL; END;
CREATE TRIGGER moderation_answers_summary_changed AFTER UPDATE ON moderation_answers
BEGIN UPDATE moderations SET judged = NULL WHERE id IN (OLD.moderation_id, NEW.moderation_id)
AND judged IS NOT NULL; END;
CREATE TRIGGER moderation_answers_summary_removed AFTER DELETE ON moderation_answers
BEGIN UPDATE moderations SET judged = NULL WHERE id = OLD.moderation_id
AND judged IS NOT NULL; END;
UPDATE audits SET answered = COALESCE((SELECT group_concat(pair, char(30)) FROM
(SELECT criterion_code || char(31) || value AS pair FROM answers WHERE audit_id = audits.id
AND value IS NOT NULL ORDER BY criterion_code)), '');
UPDATE moderations SET judged = COALESCE((SELECT group_concat(pair, char(30)) FROM
(SELECT criterion_code || char(31) || auditor_value || char(31) || moderator_value AS pair
FROM moderation_answers WHERE moderation_id = moderations.id AND auditor_value IS NOT NULL
AND moderator_value IS NOT NULL ORDER BY criterion_code)), '');
"""

# Two more reads of the figures answered from an index alone. The headlines count each
# audit's open and overdue actions (7.4 → 5 ms for 10,000 audits, no lookup of every
# action's row); double audits are the cases of a programme audited by two auditors, found
# in (programme, case, auditor) order without sorting 10,000 audits (14 → 7 ms). Each index
# begins as the one it replaces did.
FIGURE_INDEXES_2 = """
DROP INDEX actions_audit;
CREATE INDEX actions_audit ON actions (audit_id, deleted_at, status, due_date);
DROP INDEX audits_programme;
CREATE INDEX audits_programme ON audits (programme_id, case_id, auditor);
"""

# Each audit's answers also as one mark a criterion, in its framework version's order
# (auditor/store/summaries.py): counted a criterion at a time in C, where the text of pairs
# is split and counted pair by pair; each moderation's too (the auditor's marks, then the
# moderator's). The answers' six triggers now make both text and marks unknown. The
# marks need the frameworks' scales, which SQL cannot read: Store.open makes them after
# this migration, and an unknown one is counted from the text meanwhile. The figures' index
# holds them too, so compliance reads 10,000 audits from it alone (17 → 10 ms), not every
# page of the audits.
ANSWER_MARKS = """
ALTER TABLE audits ADD COLUMN marks TEXT;
DROP INDEX audits_figures;
CREATE INDEX audits_figures ON audits (status, auditor, deleted_at, audit_date, case_type,
    programme_id, case_id, final_grade, safeguarding_concern, framework_code,
    framework_version, created_at, marks);
DROP TRIGGER answers_summary_added;
DROP TRIGGER answers_summary_changed;
DROP TRIGGER answers_summary_removed;
CREATE TRIGGER answers_summary_added AFTER INSERT ON answers
BEGIN UPDATE audits SET answered = NULL, marks = NULL WHERE id = NEW.audit_id
AND (answered IS NOT NULL OR marks IS NOT NULL); END;
CREATE TRIGGER answers_summary_changed AFTER UPDATE OF audit_id, criterion_code, value
ON answers WHEN OLD.value IS NOT NEW.value OR OLD.criterion_code IS NOT NEW.criterion_code
OR OLD.audit_id IS NOT NEW.audit_id
BEGIN UPDATE audits SET answered = NULL, marks = NULL WHERE id IN (OLD.audit_id, NEW.audit_id)
AND (answered IS NOT NULL OR marks IS NOT NULL); END;
CREATE TRIGGER answers_summary_removed AFTER DELETE ON answers
BEGIN UPDATE audits SET answered = NULL, marks = NULL WHERE id = OLD.audit_id
AND (answered IS NOT NULL OR marks IS NOT NULL); END;
ALTER TABLE moderations ADD COLUMN marks TEXT;
DROP TRIGGER moderation_answers_summary_added;
DROP TRIGGER moderation_answers_summary_changed;
DROP TRIGGER moderation_answers_summary_removed;
CREATE TRIGGER moderation_answers_summary_added AFTER INSERT ON moderation_answers
BEGIN UPDATE moderations SET judged = NULL, marks = NULL WHERE id = NEW.moderation_id
AND (judged IS NOT NULL OR marks IS NOT NULL); END;
CREATE TRIGGER moderation_answers_summary_changed AFTER UPDATE ON moderation_answers
BEGIN UPDATE moderations SET judged = NULL, marks = NULL
WHERE id IN (OLD.moderation_id, NEW.moderation_id) AND (judged IS NOT NULL OR marks IS NOT NULL);
END;
CREATE TRIGGER moderation_answers_summary_removed AFTER DELETE ON moderation_answers
BEGIN UPDATE moderations SET judged = NULL, marks = NULL WHERE id = OLD.moderation_id
AND (judged IS NOT NULL OR marks IS NOT NULL); END;
"""

# The trail rows about no audit (cases, programmes, packs, frameworks) by what they are about:
# a pack finds its cases' and programmes' rows through it, with its audits' rows through
# trail_audit, instead of reading every row of the trail (0.38 s for 50 audits of 10,000).
# Partial, so it holds a few rows an audit's thousands of answers do not add to.
TRAIL_UNAUDITED = """
CREATE INDEX IF NOT EXISTS trail_unaudited ON trail (entity_uid) WHERE audit_uid IS NULL;
"""

# The trail's rows sealed into compressed blocks (auditor/store/trail_blocks.py): a trail row
# as written took 400 bytes and its three indexes 160 more, two thirds of them uids and
# hashes that do not compress; a year's 700,000 rows were 400 of a database's 500 MB. The
# rows as written, a block's worth at most, are kept in a table of their own with no index
# (a save writes one page there, not four). The rows written before are sealed by the
# upgrade, in this migration's transaction: read from the old table, renamed here, which
# trail.seal_backlog then drops whole. A row leaves ``trail`` only for a block holding it.
SEALED_TRAIL = """
CREATE TABLE trail_blocks (
    id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    rows INTEGER NOT NULL,
    hash TEXT NOT NULL,  -- the hash of its last row
    data BLOB NOT NULL,  -- its rows, a JSON list a column, compressed
    checks BLOB NOT NULL  -- the first 4 bytes of each row's hash
);
CREATE INDEX trail_blocks_chain ON trail_blocks (origin, first_seq);
CREATE TABLE trail_block_runs (
    origin TEXT NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    block_id INTEGER NOT NULL,
    PRIMARY KEY (origin, first_seq)
) WITHOUT ROWID;
CREATE TABLE trail_block_keys (
    key TEXT NOT NULL,  -- an audit's uid, or for rows about no audit the record's own
    block_id INTEGER NOT NULL,
    PRIMARY KEY (key, block_id)
) WITHOUT ROWID;
CREATE TRIGGER trail_blocks_no_update BEFORE UPDATE ON trail_blocks
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER trail_blocks_no_delete BEFORE DELETE ON trail_blocks
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER trail_block_runs_no_update BEFORE UPDATE ON trail_block_runs
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER trail_block_runs_no_delete BEFORE DELETE ON trail_block_runs
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER trail_block_keys_no_update BEFORE UPDATE ON trail_block_keys
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER trail_block_keys_no_delete BEFORE DELETE ON trail_block_keys
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
DROP TRIGGER IF EXISTS trail_no_update;
DROP TRIGGER IF EXISTS trail_no_delete;
ALTER TABLE trail RENAME TO trail_before_sealing;
CREATE TABLE trail (
    uid TEXT NOT NULL,
    origin TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_uid TEXT NOT NULL,
    audit_uid TEXT,
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT,
    reason TEXT NOT NULL DEFAULT '',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (origin, seq)
) WITHOUT ROWID;
CREATE TRIGGER trail_no_update BEFORE UPDATE ON trail
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER trail_no_delete BEFORE DELETE ON trail
WHEN OLD.seq > COALESCE((SELECT last_seq FROM trail_block_runs WHERE origin = OLD.origin
AND first_seq <= OLD.seq ORDER BY first_seq DESC LIMIT 1), 0)
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"""

# The two triggers of schema 12 that name an old and a new parent (an answer, or a moderation's
# pair, moved to another audit or moderation) made unknown both with one UPDATE over
# ``id IN (OLD..., NEW...)``, which SQLite runs through a temporary table made for the list:
# 30 µs of every answer saved here, against 2 µs for an UPDATE by rowid. The same two rows
# made unknown, each by rowid (the second finds nothing left to do when both are one).
ONE_ROW_TRIGGERS = """
DROP TRIGGER answers_summary_changed;
CREATE TRIGGER answers_summary_changed AFTER UPDATE OF audit_id, criterion_code, value
ON answers WHEN OLD.value IS NOT NEW.value OR OLD.criterion_code IS NOT NEW.criterion_code
OR OLD.audit_id IS NOT NEW.audit_id
BEGIN UPDATE audits SET answered = NULL, marks = NULL WHERE id = OLD.audit_id
AND (answered IS NOT NULL OR marks IS NOT NULL);
UPDATE audits SET answered = NULL, marks = NULL WHERE id = NEW.audit_id
AND (answered IS NOT NULL OR marks IS NOT NULL); END;
DROP TRIGGER moderation_answers_summary_changed;
CREATE TRIGGER moderation_answers_summary_changed AFTER UPDATE ON moderation_answers
BEGIN UPDATE moderations SET judged = NULL, marks = NULL WHERE id = OLD.moderation_id
AND (judged IS NOT NULL OR marks IS NOT NULL);
UPDATE moderations SET judged = NULL, marks = NULL WHERE id = NEW.moderation_id
AND (judged IS NOT NULL OR marks IS NOT NULL); END;
"""

# Schema 16's work is in Python (auditor/store/check_rules.py): the tables' CHECK rules on a
# list of values rewritten as comparisons, which SQLite runs without building an index of
# the list for every row written. Nothing in SQL is left to do.
CHECK_RULES_AS_COMPARISONS = ""

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "initial schema", INITIAL_SCHEMA),
    Migration(2, "local closure days", LOCAL_CLOSURE_DAYS),
    Migration(3, "audit pack sync state", PACK_SYNC_STATE),
    Migration(4, "framework drafts", FRAMEWORK_DRAFTS),
    Migration(5, "framework crosswalks", FRAMEWORK_CROSSWALKS),
    Migration(6, "the case type of an audit", AUDIT_CASE_TYPE),
    Migration(8, "team hub sync state", HUB_SYNC_STATE),
    Migration(9, "indexes the figures read", FIGURE_INDEXES),
    Migration(10, "answers kept as one text for the figures", ANSWER_SUMMARIES),
    Migration(11, "more indexes the figures read", FIGURE_INDEXES_2),
    Migration(12, "answers kept as marks for the figures", ANSWER_MARKS),
    Migration(13, "the trail's rows about no audit found by index", TRAIL_UNAUDITED),
    Migration(14, "the trail's rows sealed into compressed blocks", SEALED_TRAIL),
    Migration(15, "the answers' triggers make each row unknown by its id", ONE_ROW_TRIGGERS),
    Migration(16, "CHECK rules on lists as comparisons", CHECK_RULES_AS_COMPARISONS),
)

LATEST_VERSION = MIGRATIONS[-1].version
MARKS_VERSION = 12  # the schema whose audits' marks Store.open makes (ANSWER_MARKS)
SEALED_VERSION = 14  # the schema whose migration seals the rows written (SEALED_TRAIL)
COMPARED_CHECKS_VERSION = 16  # the schema whose migration rewrites the CHECK rules
