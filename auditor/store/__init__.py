"""Storage: one SQLite file, opened through :class:`Store`."""

from auditor.store.db import Store

__all__ = ["Store"]
