"""The whole chain as real processes for a test module: a private local stack (Kafka, PostgreSQL,
FerretDB) under a unique name on free ports, the four services (`python -m services.<name>`)
pointed at it, the demo county's grid directory loaded into tasking.

What a test gets: the services' URLs; the admin token and a token per intake feed; worker and
supervisor tokens made through tasking's API; `kill9(service)` / `start(service)` /
`wait_ready(service)`; `restart_broker()`; readers of Kafka topics. With `fast=True` deadlines
fall due within a test: triage's verification deadline is 1 minute (the policy's smallest unit)
and tasking escalates a missed deadline after 7.2 s at the township and again at the county.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from contracts.envelope import Envelope
from paicha.stack import Stack
from paicha.stack.config import StackSettings
from paicha.stack.errors import StackError, free_port, require_free_port
from paicha.stack.local import DEMO_GRIDS, SERVICES, ensure_local_secrets
from paicha.stack.services import ServiceProcess, ServiceSpec
from services.intake.auth import hash_token, new_token
from services.tasking.cli import load_grids_file
from tests.integration.intake.helpers import read_topic

ROOT = Path(__file__).resolve().parents[2]
NAMES = ("intake", "triage", "tasking", "reporting")
FEEDS = ("bigdata", "assist", "selfreport", "screening", "contacts")

# Topics (no namespace: the stack is private to the module).
RECORDS = "paicha.intake.records.v1"
REJECTED = "paicha.intake.rejected.v1"
CASES = "paicha.triage.cases.v1"
TASKS = "paicha.tasking.tasks.v1"
TESTS = "paicha.tasking.tests.v1"
RESOLUTIONS = "paicha.tasking.resolutions.v1"

# Tasking: a missed deadline escalates after 0.002 h = 7.2 s at the township and at the county.
FAST_TASKING_POLICY = """version: chain-fast
unreachable: {retry_after_minutes: 30, max_attempts: 3}
system_fault: {requeue_after_minutes: 15}
escalation: {township_hours: 0.002, county_hours: 0.002, public_security_hours: 12}
requeue: {deadline_hours: 2}
tests: {result_due_hours: 24}
"""


def fast_triage_policy() -> str:
    """The packaged triage policy with every verification deadline at 1 minute."""
    text = (ROOT / "services/triage/policy/national-9th-edition.yaml").read_text("utf-8")
    lines = []
    for line in text.splitlines():
        if line.strip().startswith("verification_deadline:"):
            indent = line[: len(line) - len(line.lstrip())]
            line = f"{indent}verification_deadline: 1m"
        elif line.startswith("version:"):
            line = "version: chain-fast-triage"
        lines.append(line)
    return "\n".join(lines) + "\n"


@dataclass
class Chain:
    """One private stack with the four services; see the module docstring."""

    fast: bool = False
    settings: StackSettings = field(init=False)
    stack: Stack = field(init=False)
    admin_token: str = field(init=False)
    feed_tokens: dict[str, str] = field(init=False)
    processes: dict[str, ServiceProcess] = field(init=False)

    def __post_init__(self) -> None:
        self.settings = StackSettings(
            name=f"chain-{uuid.uuid4().hex[:8]}", kafka_port=free_port(),
            kafka_controller_port=free_port(), mongo_port=free_port(),
            postgres_port=free_port(), intake_port=free_port(), triage_port=free_port(),
            tasking_port=free_port(), reporting_port=free_port())
        self.stack = Stack(self.settings)
        self.feed_tokens = {feed: new_token(feed) for feed in FEEDS}
        self.processes = {}

    # --- lifecycle -------------------------------------------------------------------------

    def up(self) -> None:
        started = time.monotonic()
        self.stack.up()
        self.admin_token = ensure_local_secrets(self.settings).admin_token
        extra = self._extra_env()
        for spec in SERVICES:
            wrapped = ServiceSpec(spec.name, spec.port, _with(spec.env, extra[spec.name]))
            self.processes[spec.name] = ServiceProcess(wrapped, self.settings)
        for name in NAMES:
            self.processes[name].start()
        for name in NAMES:
            self.wait_ready(name)
        load_grids_file(DEMO_GRIDS, self.url("tasking"), self.admin_token)
        print(f"\nchain up in {time.monotonic() - started:.1f} s ({self.settings.run_dir})")

    def down(self, keep_logs: Path | None = None) -> None:
        """Stop everything and wipe the stack; the services' logs are copied to keep_logs."""
        for process in self.processes.values():
            process.process.stop(timeout_s=15)
        if keep_logs is not None:
            keep_logs.mkdir(parents=True, exist_ok=True)
            for log in self.settings.run_dir.glob("**/*.log"):
                shutil.copy(log, keep_logs / log.name)
        if os.environ.get("PAICHA_CHAIN_KEEP"):  # for a post-mortem: stop, keep the data
            self.stack.down()
            print(f"\nchain data kept in {self.settings.run_dir}")
        else:
            self.stack.down(wipe=True)

    def _extra_env(self) -> dict[str, dict[str, str]]:
        run = self.settings.run_dir
        run.mkdir(parents=True, exist_ok=True)
        intake = {f"INTAKE_FEED_TOKENS__{f.upper()}": hash_token(t)
                  for f, t in self.feed_tokens.items()}
        # The sweep re-publishes claimed-but-unconfirmed records within seconds, not minutes
        # (its grace stays above the publish timeout, as docs/intake.md asks).
        intake.update({"INTAKE_PUBLISH_TIMEOUT_S": "5", "INTAKE_SWEEP_INTERVAL_S": "2",
                       "INTAKE_SWEEP_GRACE_S": "8", "INTAKE_SWEEP_SLOT_S": "5",
                       "INTAKE_LOG_LEVEL": "WARNING"})
        triage = {"TRIAGE_SESSION_TIMEOUT_SECONDS": "10",
                  "TRIAGE_LOG_LEVEL": os.environ.get("PAICHA_CHAIN_TRIAGE_LOG_LEVEL", "warning")}
        tasking = {"TASKING_OUTBOX_SWEEP_S": "1", "TASKING_PUBLISH_TIMEOUT_S": "10",
                   "TASKING_LOG_LEVEL": "WARNING"}
        reporting = {"REPORTING_SNAPSHOT_MAX_AGE_S": "0", "REPORTING_LOG_LEVEL": "WARNING"}
        if self.fast:
            (run / "triage-policy.yaml").write_text(fast_triage_policy(), "utf-8")
            (run / "tasking-policy.yaml").write_text(FAST_TASKING_POLICY, "utf-8")
            triage["TRIAGE_POLICY_PATH"] = str(run / "triage-policy.yaml")
            tasking["TASKING_POLICY_FILE"] = str(run / "tasking-policy.yaml")
        return {"intake": intake, "triage": triage, "tasking": tasking, "reporting": reporting}

    # --- services ------------------------------------------------------------------------

    def url(self, name: str) -> str:
        return self.processes[name].url

    def pid(self, name: str) -> int | None:
        return self.processes[name].process.pid()

    def start(self, name: str) -> None:
        """Start the service; its port may still be held a moment after a kill -9."""
        deadline = time.monotonic() + 30
        while True:
            try:
                self.processes[name].start()
                return
            except StackError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)

    def wait_ready(self, name: str, timeout_s: float = 120) -> None:
        self.processes[name].wait_ready(timeout_s)

    def kill9(self, name: str) -> None:
        """SIGKILL the service and wait until it is gone (reaped: it is our child)."""
        pid = self.pid(name)
        assert pid is not None, f"{name} is not running"
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 15
        while self.pid(name) is not None:
            _reap(pid)
            assert time.monotonic() < deadline, f"{name} survived SIGKILL"
            time.sleep(0.05)
        _reap(pid)

    def restart(self, name: str) -> None:
        self.kill9(name)
        self.start(name)
        self.wait_ready(name)

    def log_tail(self, name: str, chars: int = 4000) -> str:
        try:
            return Path(self.processes[name].log_path).read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return ""

    # --- the broker ----------------------------------------------------------------------

    def restart_broker(self, down_s: float = 0.0) -> None:
        """Stop Kafka (SIGTERM, a clean shutdown), optionally stay down, start it again and
        wait until it answers.

        The JVM's main thread can be a zombie while its other threads still shut down, so "no
        pid" is not "gone": wait until both of its ports can be bound before starting again.
        """
        kafka, s = self.stack.kafka, self.settings
        kafka.process.stop(timeout_s=60)
        deadline = time.monotonic() + 90
        while True:
            try:
                require_free_port(s.host, s.kafka_port, "kafka")
                require_free_port(s.host, s.kafka_controller_port, "controller")
                break
            except StackError:
                assert time.monotonic() < deadline, "Kafka's ports stay taken after its stop"
                time.sleep(0.5)
        time.sleep(down_s)
        kafka.start()
        deadline = time.monotonic() + 120
        while not asyncio.run(kafka.ready()):
            assert time.monotonic() < deadline, f"Kafka did not come back:\n{kafka.log_tail()}"
            time.sleep(0.5)

    @property
    def kafka(self) -> str:
        return self.settings.kafka_bootstrap

    async def read(self, topic: str) -> list[Envelope]:
        return await read_topic(self.kafka, topic)

    # --- tokens --------------------------------------------------------------------------

    @property
    def admin(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    def feed(self, feed: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.feed_tokens[feed]}"}

    def tasking_token(self, body: dict[str, str]) -> str:
        """A worker / township / county token made through tasking's `POST /v1/tokens`."""
        response = httpx.post(f"{self.url('tasking')}/v1/tokens", json=body, headers=self.admin,
                              timeout=30)
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        return token


def _with(env: Callable[[StackSettings, int], dict[str, str]], extra: dict[str, str]
          ) -> Callable[[StackSettings, int], dict[str, str]]:
    return lambda s, port: {**env(s, port), **extra}


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def chain_fixture(fast: bool, logs: Path) -> Iterator[Chain]:
    """Body of a module-scoped fixture: `yield from chain_fixture(fast=..., logs=...)`; the
    services' and Kafka's logs are kept in `logs` after the stack is wiped."""
    chain = Chain(fast=fast)
    try:
        chain.up()
        yield chain
    finally:
        chain.down(keep_logs=logs)
        print(f"\nchain logs: {logs}")
