"""Pid-file bookkeeping: start a detached process, know whether it is ours, stop exactly it."""

from __future__ import annotations

import os
import pwd
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class ManagedProcess:
    """A process the stack started, remembered by a pid file and a marker in its command line.

    The marker (a path unique to this stack) guards against killing an unrelated process that
    was given the same pid after ours died.
    """

    name: str
    pid_file: Path
    marker: str
    # PostgreSQL stops fast (and without waiting for its clients) on SIGINT.
    stop_signal: int = signal.SIGTERM

    def pid(self) -> int | None:
        """The pid if the process recorded in the pid file is alive and is really ours."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            return None
        if self.marker not in cmdline:
            return None
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0]
        except (FileNotFoundError, IndexError):
            return None
        return None if state == "Z" else pid

    def start(
        self,
        argv: list[str],
        log_file: Path,
        env: dict[str, str] | None = None,
        user: str | None = None,
    ) -> int:
        """Start argv detached (own session, so a Ctrl-C in the caller does not reach it), as
        `user` when given (root only: the process itself gets that uid, so its pid is ours)."""
        log_file.parent.mkdir(parents=True, exist_ok=True)
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        with log_file.open("ab") as log:
            proc = subprocess.Popen(
                argv,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                env={**os.environ, **(env or {})},
                **run_as(user),
            )
        self.pid_file.write_text(f"{proc.pid}\n")
        return proc.pid

    def stop(self, timeout_s: float = 30.0) -> bool:
        """SIGTERM, wait, then SIGKILL. Returns True when something was stopped."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, self.stop_signal)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self.pid() is not None:
            _reap(pid)
            time.sleep(0.2)
        if self.pid() is not None:
            os.kill(pid, signal.SIGKILL)
            while self.pid() is not None:
                _reap(pid)
                time.sleep(0.1)
        self.pid_file.unlink(missing_ok=True)
        return True


def user_group(user: str) -> int:
    """The primary group of a user (the group its files get)."""
    return pwd.getpwnam(user).pw_gid


def run_as(user: str | None) -> dict[str, Any]:
    """subprocess arguments that run a child as `user` (uid, its group, no extra groups), from
    `/` (the caller's directory may be closed to that user); none when user is None."""
    if user is None:
        return {}
    return {"user": user, "group": user_group(user), "extra_groups": [], "cwd": "/"}


def _reap(pid: int) -> None:
    """Collect the exit status when the process is our own child (tests start it in-process)."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
