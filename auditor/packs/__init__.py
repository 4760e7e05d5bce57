"""Audit packs: offline teamwork between laptops (see ``docs/audit-pack-format.md``).

The functions a face calls:

- :func:`export_pack` / :func:`make_assignment_pack` write a pack (optionally encrypted);
- :func:`read_pack` opens and checks one (:func:`read_header` says whether it needs a
  passphrase);
- :func:`preview_merge` says what merging it would do, conflicts field by field;
- :func:`merge_packs` merges several in one transaction, with the user's resolutions (the
  one merge both faces call; :func:`apply_merge` merges one);
- :func:`list_conflicts`, :func:`resolve_conflict` and :func:`resolve_conflicts` (several in
  one transaction) deal with conflicts kept for later.
"""

from auditor.packs.conflicts import list_conflicts, resolve_conflict, resolve_conflicts
from auditor.packs.container import FORMAT_VERSION, PackHeader, read_header
from auditor.packs.content import FieldDifference
from auditor.packs.export import PackSummary, export_pack, make_assignment_pack
from auditor.packs.merge import (
    MergeSummary,
    PackResolutions,
    Resolution,
    apply_merge,
    merge_packs,
)
from auditor.packs.pack import Manifest, Pack, read_pack
from auditor.packs.plan import AuditChange, MergeConflict, MergePreview, preview_merge

__all__ = [
    "FORMAT_VERSION",
    "AuditChange",
    "FieldDifference",
    "Manifest",
    "MergeConflict",
    "MergePreview",
    "MergeSummary",
    "Pack",
    "PackHeader",
    "PackResolutions",
    "PackSummary",
    "Resolution",
    "apply_merge",
    "export_pack",
    "list_conflicts",
    "make_assignment_pack",
    "merge_packs",
    "preview_merge",
    "read_header",
    "read_pack",
    "resolve_conflict",
    "resolve_conflicts",
]
