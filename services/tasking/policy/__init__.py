"""The packaged tasking policy files and the loader (YAML -> domain Policy)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from services.tasking.domain.policy import Policy, PolicyError, parse_policy

DEFAULT_POLICY_FILE = "national-9th-edition.yaml"


def load_policy(path: str | Path | None = None) -> Policy:
    """The policy in ``path`` (default: the packaged one); PolicyError says what is wrong."""
    try:
        if path is None:
            text = resources.files(__package__).joinpath(DEFAULT_POLICY_FILE).read_text("utf-8")
            where = DEFAULT_POLICY_FILE
        else:
            text, where = Path(path).read_text("utf-8"), str(path)
    except OSError as exc:
        raise PolicyError(f"cannot read the policy file: {exc}") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(f"{where}: not valid YAML: {exc}") from exc
    return parse_policy(data, where=where)
