"""paicha's own services as local processes: started after the stack, with pid files and logs.

Each service runs as `python -m services.<name>` with its settings in the environment, pointed
at the local stack; `paicha up` waits until its /readyz answers 200.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from paicha.stack.config import StackSettings
from paicha.stack.errors import StackError, require_free_port
from paicha.stack.processes import ManagedProcess


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    port: Callable[[StackSettings], int]
    env: Callable[[StackSettings, int], dict[str, str]]


class ServiceProcess:
    """One service of paicha, run from this checkout's Python."""

    def __init__(self, spec: ServiceSpec, settings: StackSettings) -> None:
        self.spec, self.settings = spec, settings
        self.port = spec.port(settings)
        self.dir = settings.run_dir / "services" / spec.name
        marker = f"--paicha-stack={self.dir}"
        self.marker = marker
        self.process = ManagedProcess(spec.name, self.dir / f"{spec.name}.pid", marker=marker)

    @property
    def url(self) -> str:
        return f"http://{self.settings.host}:{self.port}"

    def start(self) -> None:
        if self.process.pid() is not None:
            return
        setting = f"PAICHA_STACK_{self.spec.name.upper()}_PORT"
        require_free_port(self.settings.host, self.port, setting)
        argv = [sys.executable, "-m", f"services.{self.spec.name}", self.marker]
        self.process.start(argv, self.dir / f"{self.spec.name}.log",
                           env=self.spec.env(self.settings, self.port))

    def ready(self) -> bool:
        try:
            return httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.process.pid() is None:
                raise StackError(f"{self.spec.name} exited during start; see {self.log_path}")
            if self.ready():
                return
            time.sleep(0.5)
        raise StackError(f"{self.spec.name} did not become ready in {timeout_s:.0f}s; "
                         f"see {self.log_path}")

    @property
    def log_path(self) -> str:
        return str(self.dir / f"{self.spec.name}.log")
