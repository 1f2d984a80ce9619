"""The helm binary the chart tests run: built once from its Go module (`go install
helm.sh/helm/v3/cmd/helm@<pin>`) into the cache outside the clone, like the local stack's
builds (paicha/stack/fetch.py), under a file lock, installed by an atomic rename."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from paicha.stack.config import default_cache_dir

HELM_MODULE = "helm.sh/helm/v3/cmd/helm"
HELM_VERSION = "v3.22.0"


def helm_binary(cache_dir: Path) -> Path:
    """The pinned helm, built on first use (a few minutes; then instant)."""
    target = cache_dir / "tools" / f"helm-{HELM_VERSION}" / "helm"
    if target.exists():
        return target
    go = shutil.which("go")
    if go is None:
        pytest.skip("the chart tests build helm from its Go module: install Go 1.22 or newer "
                    "(Debian: apt-get install golang)")
    target.parent.mkdir(parents=True, exist_ok=True)
    with (target.parent / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            return target
        for stale in target.parent.glob("helm-build-*"):  # left by an interrupted build
            shutil.rmtree(stale, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix="helm-build-", dir=target.parent))
        try:
            proc = subprocess.run(
                [go, "install", f"{HELM_MODULE}@{HELM_VERSION}"],
                env={**os.environ, "GOBIN": str(staging)},
                capture_output=True, text=True,
            )
            if proc.returncode != 0:
                tail = (proc.stdout + proc.stderr).strip().splitlines()[-15:]
                raise RuntimeError(f"go install {HELM_MODULE}@{HELM_VERSION} failed: "
                                   + " | ".join(tail))
            (staging / "helm").rename(target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


@pytest.fixture(scope="session")
def helm() -> Path:
    return helm_binary(default_cache_dir())
