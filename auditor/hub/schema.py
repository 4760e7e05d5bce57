"""``hub init``: the hub's tables, its roles and the row-level security that says who sees what.

Two schemas in the council's database:

- ``audit_hub``: the packs (append-only: bytes, checksum, who pushed them and when, the
  programme they belong to), the assignments of auditors to programmes, and the hub's facts
  (its id, whether the reporting copy is pseudonymised).
- ``audit_reporting``: the relational, read-only copy for BI tools (docs/hub.md lists it).

Three NOLOGIN group roles the council grants to its own login roles:
``case_auditor_auditor`` pushes and pulls packs of the programmes it is assigned;
``case_auditor_qa_lead`` pushes and pulls all, and assigns; ``case_auditor_reader`` (the BI
team) reads the reporting copy only. PostgreSQL's row-level security enforces this on the
server; the app only explains a refusal. Running init again brings an older hub up to date
and changes no data.
"""

from __future__ import annotations

import secrets
from typing import Any

from auditor.clock import new_uid
from auditor.domain import CASE_DATE_FIELDS

AUDITOR_ROLE = "case_auditor_auditor"
QA_LEAD_ROLE = "case_auditor_qa_lead"
READER_ROLE = "case_auditor_reader"
ROLES = (AUDITOR_ROLE, QA_LEAD_ROLE, READER_ROLE)
HUB = "audit_hub"
REPORTING = "audit_reporting"
SCHEMA_VERSION = "1"

_CASE_DATES = ", ".join(f"{field} date" for field in CASE_DATE_FIELDS)

TABLES = f"""
CREATE SCHEMA IF NOT EXISTS {HUB};
CREATE SCHEMA IF NOT EXISTS {REPORTING};

CREATE TABLE IF NOT EXISTS {HUB}.info (key text PRIMARY KEY, value text NOT NULL);

CREATE TABLE IF NOT EXISTS {HUB}.packs (
    id bigserial PRIMARY KEY,
    sha256 text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{{64}}$'),
    pack_id text NOT NULL,
    programme_uid text,
    origin text NOT NULL,
    encrypted boolean NOT NULL,
    audits integer NOT NULL,
    pushed_by text NOT NULL DEFAULT current_user,
    pushed_at timestamptz NOT NULL DEFAULT now(),
    bytes bytea NOT NULL
);
CREATE INDEX IF NOT EXISTS packs_programme ON {HUB}.packs (programme_uid);

CREATE TABLE IF NOT EXISTS {HUB}.assignments (
    username text NOT NULL,
    programme_uid text NOT NULL,
    assigned_by text NOT NULL DEFAULT current_user,
    assigned_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (username, programme_uid)
);

CREATE TABLE IF NOT EXISTS {REPORTING}.frameworks (
    code text NOT NULL, version text NOT NULL, title text NOT NULL, sha256 text NOT NULL,
    PRIMARY KEY (code, version)
);
CREATE TABLE IF NOT EXISTS {REPORTING}.cases (
    uid text PRIMARY KEY, reference text NOT NULL, case_type text NOT NULL,
    team text NOT NULL, worker text NOT NULL, {_CASE_DATES}
);
CREATE TABLE IF NOT EXISTS {REPORTING}.audits (
    uid text PRIMARY KEY, case_uid text NOT NULL, programme_uid text,
    framework_code text NOT NULL, framework_version text NOT NULL, auditor text NOT NULL,
    status text NOT NULL, audit_date date NOT NULL, suggested_grade text, compliance real,
    final_grade text, safeguarding_concern boolean NOT NULL, revision bigint NOT NULL,
    created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL,
    submitted_at timestamptz, moderated_at timestamptz, finalised_at timestamptz,
    deleted_at timestamptz, pushed_by text NOT NULL, pushed_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS {REPORTING}.answers (
    audit_uid text NOT NULL, programme_uid text, criterion_code text NOT NULL, value text,
    PRIMARY KEY (audit_uid, criterion_code)
);
CREATE TABLE IF NOT EXISTS {REPORTING}.actions (
    uid text PRIMARY KEY, audit_uid text NOT NULL, programme_uid text, owner text NOT NULL,
    due_date date, status text NOT NULL, done_date date, deleted_at timestamptz
);
CREATE TABLE IF NOT EXISTS {REPORTING}.moderations (
    uid text PRIMARY KEY, audit_uid text NOT NULL, programme_uid text, moderator text NOT NULL,
    auditor_grade text, moderator_grade text NOT NULL, created_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS reporting_answers_criterion
    ON {REPORTING}.answers (criterion_code, value);
CREATE INDEX IF NOT EXISTS reporting_actions_audit ON {REPORTING}.actions (audit_uid);
CREATE INDEX IF NOT EXISTS reporting_moderations_audit ON {REPORTING}.moderations (audit_uid);
"""

# The one rule of who may use a programme's packs and rows: a QA lead, or an auditor
# assigned to it. Packs outside any programme (NULL) are the QA leads' alone.
RULES = f"""
CREATE OR REPLACE FUNCTION {HUB}.may_use(programme text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT pg_has_role(current_user, '{QA_LEAD_ROLE}', 'MEMBER')
        OR EXISTS (SELECT 1 FROM {HUB}.assignments a
                   WHERE a.username = current_user AND a.programme_uid = programme)
$$;

-- Append-only: nobody, the owner included, changes or removes a pushed pack.
CREATE OR REPLACE FUNCTION {HUB}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'packs in the hub are append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
DROP TRIGGER IF EXISTS packs_append_only ON {HUB}.packs;
CREATE TRIGGER packs_append_only BEFORE UPDATE OR DELETE ON {HUB}.packs
    FOR EACH ROW EXECUTE FUNCTION {HUB}.refuse_change();

ALTER TABLE {HUB}.packs ENABLE ROW LEVEL SECURITY;
ALTER TABLE {HUB}.assignments ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS pull ON {HUB}.packs;
CREATE POLICY pull ON {HUB}.packs FOR SELECT USING ({HUB}.may_use(programme_uid));
DROP POLICY IF EXISTS push ON {HUB}.packs;
CREATE POLICY push ON {HUB}.packs FOR INSERT
    WITH CHECK ({HUB}.may_use(programme_uid) AND pushed_by = current_user);
DROP POLICY IF EXISTS own ON {HUB}.assignments;
CREATE POLICY own ON {HUB}.assignments FOR SELECT
    USING (username = current_user OR pg_has_role(current_user, '{QA_LEAD_ROLE}', 'MEMBER'));
DROP POLICY IF EXISTS manage ON {HUB}.assignments;
CREATE POLICY manage ON {HUB}.assignments FOR ALL TO {QA_LEAD_ROLE} USING (true)
    WITH CHECK (true);

GRANT USAGE ON SCHEMA {HUB} TO {AUDITOR_ROLE}, {QA_LEAD_ROLE};
GRANT SELECT ON {HUB}.info TO {AUDITOR_ROLE}, {QA_LEAD_ROLE};
GRANT SELECT, INSERT ON {HUB}.packs TO {AUDITOR_ROLE}, {QA_LEAD_ROLE};
GRANT USAGE ON SEQUENCE {HUB}.packs_id_seq TO {AUDITOR_ROLE}, {QA_LEAD_ROLE};
GRANT SELECT ON {HUB}.assignments TO {AUDITOR_ROLE};
GRANT SELECT, INSERT, DELETE ON {HUB}.assignments TO {QA_LEAD_ROLE};
GRANT EXECUTE ON FUNCTION {HUB}.may_use(text) TO {AUDITOR_ROLE}, {QA_LEAD_ROLE};
GRANT USAGE ON SCHEMA {REPORTING} TO {AUDITOR_ROLE}, {QA_LEAD_ROLE}, {READER_ROLE};
"""

# Rows of the reporting copy are written by the pusher's app, within the same rules as the
# packs; cases and frameworks belong to no programme. The BI role only reads.
_BY_PROGRAMME = ("audits", "answers", "actions", "moderations")
_SHARED = ("cases", "frameworks")
_KEYS = {"cases": "uid", "frameworks": "code, version"}


def _reporting_rules() -> str:
    lines = []
    for table in _BY_PROGRAMME + _SHARED:
        name = f"{REPORTING}.{table}"
        lines += [
            f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;",
            f"DROP POLICY IF EXISTS write ON {name};",
            f"DROP POLICY IF EXISTS add ON {name};",
            f"DROP POLICY IF EXISTS bi ON {name};",
            f"CREATE POLICY bi ON {name} FOR SELECT TO {READER_ROLE} USING (true);",
            f"GRANT SELECT ON {name} TO {READER_ROLE};",
        ]
        if table in _BY_PROGRAMME:
            rule = f"{HUB}.may_use(programme_uid)"
            lines += [
                f"CREATE POLICY write ON {name} FOR ALL TO {AUDITOR_ROLE}, {QA_LEAD_ROLE} "
                f"USING ({rule}) WITH CHECK ({rule});",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON {name} "
                f"TO {AUDITOR_ROLE}, {QA_LEAD_ROLE};",
            ]
        else:
            # Cases and frameworks belong to no programme: an auditor's push may add the
            # ones its audits need but not read, change or remove any (every programme's
            # children are in cases); QA leads keep them up to date.
            # ``add_<table>`` runs as the hub's owner (SECURITY DEFINER): it inserts only
            # the rows the copy lacks, and is all an auditor may do to these tables.
            lines += [
                f"CREATE POLICY write ON {name} FOR ALL TO {QA_LEAD_ROLE} "
                "USING (true) WITH CHECK (true);",
                f"REVOKE ALL ON {name} FROM {AUDITOR_ROLE};",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON {name} TO {QA_LEAD_ROLE};",
                f"CREATE OR REPLACE FUNCTION {REPORTING}.add_{table}(new_rows jsonb) "
                "RETURNS void LANGUAGE sql SECURITY DEFINER "
                f"SET search_path = pg_catalog, pg_temp AS $$ INSERT INTO {name} SELECT * "
                f"FROM jsonb_populate_recordset(NULL::{name}, new_rows) "
                f"ON CONFLICT ({_KEYS[table]}) DO NOTHING $$;",
                f"REVOKE ALL ON FUNCTION {REPORTING}.add_{table}(jsonb) FROM PUBLIC;",
                f"GRANT EXECUTE ON FUNCTION {REPORTING}.add_{table}(jsonb) "
                f"TO {AUDITOR_ROLE}, {QA_LEAD_ROLE};",
            ]
    return "\n".join(lines)


def init_hub(conn: Any, *, pseudonymise: bool = False) -> dict[str, str]:
    """Make (or bring up to date) the hub in the connected database, in one transaction.
    ``pseudonymise`` makes the reporting copy carry pseudonyms instead of case references
    (from the hub's own key, so every laptop's pushes agree). Returns the hub's facts."""
    with conn.transaction():
        # Roles belong to the whole server: made once, shared by every hub on it.
        for role in ROLES:
            conn.execute(
                f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') "
                f"THEN CREATE ROLE {role} NOLOGIN; END IF; END $$"
            )
        conn.execute(TABLES)
        conn.execute(RULES)
        conn.execute(_reporting_rules())
        facts = {
            "hub_uid": new_uid(),
            "schema_version": SCHEMA_VERSION,
            "pseudonymise": "yes" if pseudonymise else "no",
            "pseudonym_key": secrets.token_hex(32),
        }
        for key, value in facts.items():
            conn.execute(
                f"INSERT INTO {HUB}.info (key, value) VALUES (%s, %s) ON CONFLICT DO NOTHING",
                [key, value],
            )
        if pseudonymise:
            conn.execute(f"UPDATE {HUB}.info SET value = 'yes' WHERE key = 'pseudonymise'")
    return hub_facts(conn)


def hub_facts(conn: Any) -> dict[str, str]:
    """The hub's id and settings (raises HubRefusedError through translate() when the
    database is not a hub: the table is missing)."""
    rows = conn.execute(f"SELECT key, value FROM {HUB}.info").fetchall()
    return {str(k): str(v) for k, v in rows}
