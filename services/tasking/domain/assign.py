"""Which grid gets a case: the least-loaded grid covering the person's village; with none, the
township pool, then the county pool (nobody is forgotten)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from services.tasking.domain.model import Tier


@dataclass(frozen=True)
class Choice:
    grid_id: str
    tier: Tier
    pool_reason: str | None = None


def township_pool(code: str) -> str:
    return f"pool-{code}"


def county_pool(code: str) -> str:
    return f"pool-{code}"


def choose(*, county_code: str, township_code: str | None, village_code: str | None,
           load_by_grid: Mapping[str, int]) -> Choice:
    """``load_by_grid``: open tasks of each grid covering the village (empty: none covers it).
    Ties go to the smallest grid id, so the choice is deterministic."""
    if load_by_grid:
        grid = min(load_by_grid, key=lambda g: (load_by_grid[g], g))
        return Choice(grid, Tier.GRID)
    if village_code:
        why = f"no grid covers village {village_code}"
    else:
        why = "the record gives no village code"
    if township_code:
        return Choice(township_pool(township_code), Tier.TOWNSHIP, f"{why}: township pool")
    return Choice(county_pool(county_code), Tier.COUNTY,
                  f"{why} and no township code: county pool")
