"""Assignment: the least-loaded grid covering the village, else the township, else the county
pool, with the reason."""

from __future__ import annotations

from services.tasking.domain.assign import choose
from services.tasking.domain.model import Tier


def test_the_least_loaded_grid_covering_the_village_gets_the_case() -> None:
    choice = choose(county_code="130826", township_code="130826100",
                    village_code="130826100200", load_by_grid={"g-a": 5, "g-b": 2, "g-c": 9})
    assert (choice.grid_id, choice.tier, choice.pool_reason) == ("g-b", Tier.GRID, None)


def test_equal_load_goes_to_the_smallest_grid_id_every_time() -> None:
    loads = {"g-b": 1, "g-a": 1}
    assert {choose(county_code="130826", township_code=None, village_code="v",
                   load_by_grid=loads).grid_id for _ in range(5)} == {"g-a"}


def test_no_grid_for_the_village_goes_to_the_township_pool() -> None:
    choice = choose(county_code="130826", township_code="130826103",
                    village_code="130826103200", load_by_grid={})
    assert choice.tier == Tier.TOWNSHIP and choice.grid_id == "pool-130826103"
    assert choice.pool_reason == "no grid covers village 130826103200: township pool"


def test_no_township_code_goes_to_the_county_pool() -> None:
    choice = choose(county_code="130826", township_code=None, village_code=None,
                    load_by_grid={})
    assert choice.tier == Tier.COUNTY and choice.grid_id == "pool-130826"
    assert "no township code: county pool" in (choice.pool_reason or "")
