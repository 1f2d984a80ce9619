"""County gazetteers: the townships and villages of a county with their codes, as packaged data.

Standard library and PyYAML only. `load_gazetteer("130826")` reads `contracts/places/130826.yaml`;
intake resolves township and village names through it, tasking's grid directory extends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml


@dataclass(frozen=True)
class Village:
    code: str
    name: str


@dataclass(frozen=True)
class Township:
    code: str
    name: str
    villages: tuple[Village, ...]


@dataclass(frozen=True)
class Gazetteer:
    county_code: str
    county_name: str
    short_name: str
    townships: tuple[Township, ...]

    def township(self, code: str) -> Township | None:
        return next((t for t in self.townships if t.code == code), None)


@cache
def load_gazetteer(county_code: str) -> Gazetteer:
    """The packaged gazetteer of a county; FileNotFoundError when none ships."""
    text = resources.files(__package__).joinpath(f"{county_code}.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    county = data["county"]
    townships = tuple(
        Township(str(t["code"]), t["name"],
                 tuple(Village(str(v["code"]), v["name"]) for v in t.get("villages") or ()))
        for t in data["townships"]
    )
    return Gazetteer(str(county["code"]), county["name"], county["short_name"], townships)
