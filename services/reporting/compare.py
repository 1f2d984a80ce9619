"""Figure-by-figure comparison of two views' counters (the rebuild check)."""

from __future__ import annotations

from typing import Any

from services.reporting.domain.snapshot import Snapshot


def differences(live: Snapshot, fresh: Snapshot, limit: int = 200) -> dict[str, Any]:
    a, b = live.figures(), fresh.figures()
    names = sorted(set(a) | set(b))
    diffs = [{"figure": n, "live": a.get(n, 0), "rebuilt": b.get(n, 0)}
             for n in names if a.get(n, 0) != b.get(n, 0)]
    return {"equal": not diffs, "figures": len(names), "differences": diffs[:limit],
            "differences_total": len(diffs)}
