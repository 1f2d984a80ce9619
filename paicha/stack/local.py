"""`paicha up | down | status`: the local stack, paicha's services and the simulator, together.

Secrets for the local stack (an admin token for intake, the person-key HMAC secret) are made
once per stack and kept in its run directory with mode 0600; services get only what they need.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from paicha.stack.config import StackSettings
from paicha.stack.processes import ManagedProcess
from paicha.stack.services import ServiceProcess, ServiceSpec

HOME_COUNTY = "130826"  # the demo county (丰宁), for records that give no current county


@dataclass(frozen=True)
class LocalSecrets:
    admin_token: str
    admin_token_hash: str
    person_key_secret: str


def _secrets_path(settings: StackSettings) -> Path:
    return settings.run_dir / "secrets.json"


def load_local_secrets(settings: StackSettings | None = None) -> LocalSecrets | None:
    path = _secrets_path(settings or StackSettings())
    try:
        return LocalSecrets(**json.loads(path.read_text()))
    except (FileNotFoundError, ValueError, TypeError):
        return None


def ensure_local_secrets(settings: StackSettings) -> LocalSecrets:
    existing = load_local_secrets(settings)
    if existing is not None:
        return existing
    from services.intake.auth import hash_token, new_token

    token = new_token("admin")
    made = LocalSecrets(token, hash_token(token), secrets.token_urlsafe(32))
    path = _secrets_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(asdict(made), out)
    return made


def campaign_start(settings: StackSettings) -> date:
    """The local stack's campaign start: the 1st of the month it was first brought up (kept in
    its run directory), so the demo briefing reads "十二月以来" rather than a date years ago."""
    path = settings.run_dir / "campaign-start"
    try:
        return date.fromisoformat(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        start = datetime.now(ZoneInfo("Asia/Shanghai")).date().replace(day=1)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{start.isoformat()}\n")
        return start


def _intake_env(s: StackSettings, port: int) -> dict[str, str]:
    local = ensure_local_secrets(s)
    return {
        "INTAKE_ENVIRONMENT": "development",
        "INTAKE_KAFKA__BOOTSTRAP": s.kafka_bootstrap,
        "INTAKE_MONGO__URL": s.mongo_url,
        "INTAKE_MONGO__DATABASE": "paicha_intake",
        "INTAKE_HTTP__HOST": s.host,
        "INTAKE_HTTP__PORT": str(port),
        "INTAKE_ADMIN_TOKEN_HASH": local.admin_token_hash,
        "INTAKE_PERSON_KEY_SECRET": local.person_key_secret,
        "INTAKE_DEFAULT_COUNTY_CODE": HOME_COUNTY,
        **_ferretdb_pg_env("INTAKE", s),
    }


def _ferretdb_pg_env(prefix: str, s: StackSettings) -> dict[str, str]:
    """On the PostgreSQL store: where services add the indexes FerretDB's pushdown uses."""
    url = s.ferretdb_postgresql_url
    return {f"{prefix}_MONGO__FERRETDB_POSTGRESQL_URL": url} if url else {}


def _triage_env(s: StackSettings, port: int) -> dict[str, str]:
    return {
        "TRIAGE_ADMIN_TOKEN_HASH": ensure_local_secrets(s).admin_token_hash,
        "TRIAGE_KAFKA__BOOTSTRAP": s.kafka_bootstrap,
        "TRIAGE_HTTP_HOST": s.host,
        "TRIAGE_HTTP_PORT": str(port),
        "TRIAGE_DATA_DIR": str(s.run_dir / "services" / "triage" / "data"),
        # One worker on one machine: after a crash, hand its partitions back in ~20 s, not 60.
        "TRIAGE_SESSION_TIMEOUT_SECONDS": "20",
    }


def _tasking_env(s: StackSettings, port: int) -> dict[str, str]:
    return {
        "TASKING_ENVIRONMENT": "development",
        "TASKING_KAFKA__BOOTSTRAP": s.kafka_bootstrap,
        "TASKING_MONGO__URL": s.mongo_url,
        "TASKING_MONGO__DATABASE": "paicha_tasking",
        "TASKING_HTTP__HOST": s.host,
        "TASKING_HTTP__PORT": str(port),
        "TASKING_ADMIN_TOKEN_HASH": ensure_local_secrets(s).admin_token_hash,
        **_ferretdb_pg_env("TASKING", s),
    }


def _reporting_env(s: StackSettings, port: int) -> dict[str, str]:
    local = ensure_local_secrets(s)
    return {
        "REPORTING_ENVIRONMENT": "development",
        "REPORTING_KAFKA__BOOTSTRAP": s.kafka_bootstrap,
        "REPORTING_MONGO__URL": s.mongo_url,
        "REPORTING_MONGO__DATABASE": "paicha_reporting",
        "REPORTING_HTTP__HOST": s.host,
        "REPORTING_HTTP__PORT": str(port),
        "REPORTING_ADMIN_TOKEN_HASH": local.admin_token_hash,
        "REPORTING_COUNTY_CODE": HOME_COUNTY,
        "REPORTING_CAMPAIGN_START": campaign_start(s).isoformat(),
        **_ferretdb_pg_env("REPORTING", s),
    }


SERVICES = (
    ServiceSpec("intake", lambda s: s.intake_port, _intake_env),
    ServiceSpec("triage", lambda s: s.triage_port, _triage_env),
    ServiceSpec("tasking", lambda s: s.tasking_port, _tasking_env),
    ServiceSpec("reporting", lambda s: s.reporting_port, _reporting_env),
)
# The demo county's grid directory, loaded into tasking by `paicha up`.
DEMO_GRIDS = Path(__file__).resolve().parents[2] / "deploy" / "demo" / "130826-grids.yaml"


def services(settings: StackSettings) -> list[ServiceProcess]:
    return [ServiceProcess(spec, settings) for spec in SERVICES]


class Simulator:
    """The simulator as a background process of the local stack (steady, low rate)."""

    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.dir = settings.run_dir / "simulator"
        self.marker = f"--instance={self.dir}"
        self.process = ManagedProcess("simulator", self.dir / "simulator.pid", self.marker)

    def start(self, rate: float) -> None:
        if self.process.pid() is not None:
            return
        local = ensure_local_secrets(self.settings)
        urls = {p.spec.name: p.url for p in services(self.settings)}
        argv = [sys.executable, "-m", "paicha", "simulate", "--duration", "0", "--no-progress",
                "--rate", str(rate), "--intake-url", urls["intake"],
                "--triage-url", urls["triage"], self.marker]
        self.process.start(argv, self.dir / "simulator.log",
                           env={"PAICHA_INTAKE_TOKEN": local.admin_token})


class WorkerSimulator:
    """Grid workers working their tasks (`paicha simulate workers`) as a background process."""

    def __init__(self, settings: StackSettings) -> None:
        self.settings = settings
        self.dir = settings.run_dir / "workers"
        self.marker = f"--instance={self.dir}"
        self.process = ManagedProcess("workers", self.dir / "workers.pid", self.marker)

    def start(self) -> None:
        if self.process.pid() is not None:
            return
        local = ensure_local_secrets(self.settings)
        urls = {p.spec.name: p.url for p in services(self.settings)}
        # Workers report 20 s to 2 min after a task arrives: the dashboards show open, overdue-
        # free work being done, with some unreachable and system-fault outcomes on the way.
        argv = [sys.executable, "-m", "paicha", "simulate", "workers", "--duration", "0",
                "--tasking-url", urls["tasking"], "--min-delay", "20", "--max-delay", "120",
                self.marker]
        self.process.start(argv, self.dir / "workers.log",
                           env={"PAICHA_ADMIN_TOKEN": local.admin_token})
