"""How work that takes a while reports on itself, declared once for the whole core.

A function that imports, merges, exports or loads many rows takes ``progress(done, total)``
(in its own units of work; a total of 0 means not known yet) and ``cancelled()``, which it
asks between steps: on True it stops where nothing is half-done and raises its own
"cancelled" error. The words shown to a person are the caller's (ui.operations.CoreProgress).
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]
