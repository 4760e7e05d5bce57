"""A pack of 50 audits made from a year's database: what the pack carries collected
(``collect_payload``: the audits with their answers, actions and moderations, their
programmes with their samples, the cases of both, the trail rows about all of them and the
gaps between), beside a raw ``fetchall`` of the same rows (for the trail's sealed rows: the
blocks that hold them, decompressed and parsed).

Not a goal of issue 16 (the register and the report are the exports it names); kept here so
that a pack's cost stays tied to the audits it carries, not to the size of the trail.
"""

from __future__ import annotations

import random
import zlib
from pathlib import Path

from bench.measures.common import Row, cpu_seconds, generated_db, scaled

AUDITS_IN_PACK = 50
_IN = "IN (SELECT value FROM json_each(?))"


def measure(scale: float, workdir: Path) -> list[Row]:
    import json

    from auditor.packs.export import collect_payload
    from auditor.store import Store
    from auditor.store.trail import row_count

    audits = scaled(10_000, scale)
    db = generated_db(workdir / "pack_export.db", audits=audits)
    with Store.open(db, create=False, check=False) as store:
        every = [uid for (uid,) in store.execute("SELECT uid FROM audits ORDER BY id")]
        chosen = random.Random(1).sample(every, AUDITS_IN_PACK)

        def ours() -> dict:
            with store.atomic():  # as an export does: it records the versions it carries
                return collect_payload(store, audit_uids=chosen)

        def bare() -> None:
            uids = json.dumps(chosen)
            found = store.execute(
                f"SELECT id, case_id, programme_id FROM audits WHERE uid {_IN}", [uids]
            ).fetchall()
            ids = json.dumps([a for a, _, _ in found])
            programmes = json.dumps(sorted({p for _, _, p in found if p}))
            store.execute(f"SELECT * FROM audits WHERE uid {_IN}", [uids]).fetchall()
            for table in ("answers", "actions", "moderations"):
                store.execute(f"SELECT * FROM {table} WHERE audit_id {_IN}", [ids]).fetchall()
            # The audits' programmes travel with their samples, the sample's cases too.
            programme_rows = store.execute(
                f"SELECT * FROM programmes WHERE id {_IN}", [programmes]
            ).fetchall()
            sample = store.execute(
                f"SELECT * FROM programme_cases WHERE programme_id {_IN}", [programmes]
            ).fetchall()
            cases = json.dumps(sorted({c for _, c, _ in found} | {r[3] for r in sample}))
            case_rows = store.execute(f"SELECT * FROM cases WHERE id {_IN}", [cases]).fetchall()
            scope = json.dumps([*chosen, *(r[1] for r in [*case_rows, *programme_rows])])
            store.execute(
                f"SELECT * FROM trail WHERE audit_uid {_IN} UNION ALL "
                f"SELECT * FROM trail WHERE audit_uid IS NULL AND entity_uid {_IN}",
                [scope, scope],
            ).fetchall()
            # The sealed rows: the blocks holding rows about them, opened.
            for (data,) in store.execute(
                "SELECT data FROM trail_blocks WHERE id IN "
                f"(SELECT block_id FROM trail_block_keys WHERE key {_IN})",
                [scope],
            ):
                json.loads(zlib.decompress(data))

        payload = ours()  # and warm the page cache for both
        bare()
        our_time = min(cpu_seconds(ours) for _ in range(3))
        bare_time = min(cpu_seconds(bare) for _ in range(3))
        rows = row_count(store)
    return [
        Row(
            f"pack of {AUDITS_IN_PACK} audits from {audits:,}",
            f"{our_time * 1000:.0f} ms CPU",
            f"raw fetchall {bare_time * 1000:.0f} ms CPU",
            our_time / bare_time,
            "– (not an issue 16 goal)",
            None,
            note=f"{len(payload['trail']):,} of the trail's {rows:,} rows carried, "
            f"{len(payload['trail_gaps'])} gaps",
        )
    ]
