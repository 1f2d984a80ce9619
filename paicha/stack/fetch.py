"""Download and build what the local stack runs, once, into the cache outside the clone.

Kafka: `mvn dependency:copy-dependencies` on deploy/local/kafka/pom.xml yields the broker's
runtime classpath from Maven Central. FerretDB: the Go module at the pinned version, copied so
that `build/version/version.txt` can be written (without it FerretDB v1 panics at start), then
`go build ./cmd/ferretdb`. Both are installed atomically (build in a temp dir, then rename),
under a file lock so two concurrent `up`s do not race.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from paicha.stack import versions
from paicha.stack.errors import StackError, require_tool

REPO_ROOT = Path(__file__).resolve().parents[2]
KAFKA_POM = REPO_ROOT / "deploy" / "local" / "kafka" / "pom.xml"


@contextmanager
def _locked(cache_dir: Path, name: str) -> Iterator[None]:
    cache_dir.mkdir(parents=True, exist_ok=True)
    with (cache_dir / f".{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _run(
    argv: list[str], what: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> str:
    proc = subprocess.run(
        argv, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True
    )
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr).strip().splitlines()[-15:]
        raise StackError(f"{what} failed (exit {proc.returncode}): " + " | ".join(tail))
    return proc.stdout


def kafka_libs(cache_dir: Path) -> Path:
    """The directory holding the pinned broker's jars, downloading them on first use."""
    target = cache_dir / f"kafka-{versions.KAFKA_VERSION}" / "libs"
    if (target / f"kafka_{versions.KAFKA_SCALA_VERSION}-{versions.KAFKA_VERSION}.jar").exists():
        return target
    require_tool("mvn", "install Maven 3 (Debian: apt-get install maven)")
    with _locked(cache_dir, "kafka"):
        if target.exists():
            return target
        staging = Path(tempfile.mkdtemp(prefix="kafka-libs-", dir=cache_dir))
        _run(
            [
                "mvn",
                "-q",
                "-B",
                "-f",
                str(KAFKA_POM),
                "dependency:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={staging}",
                f"-Dkafka.version={versions.KAFKA_VERSION}",
                f"-Dlog4j.version={versions.LOG4J_VERSION}",
                f"-Dslf4j.version={versions.SLF4J_VERSION}",
            ],
            f"downloading Apache Kafka {versions.KAFKA_VERSION} from Maven Central",
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        staging.rename(target)
    return target


def ferretdb_binary(cache_dir: Path) -> Path:
    """The pinned FerretDB v1 binary, built from its Go module on first use."""
    target = cache_dir / f"ferretdb-{versions.FERRETDB_VERSION}" / "ferretdb"
    if target.exists():
        return target
    go = require_tool("go", "install Go 1.22 or newer (Debian: apt-get install golang)")
    with _locked(cache_dir, "ferretdb"):
        if target.exists():
            return target
        module = f"{versions.FERRETDB_MODULE}@{versions.FERRETDB_VERSION}"
        info = json.loads(
            _run([go, "mod", "download", "-json", module], f"go mod download {module}")
        )
        work = Path(tempfile.mkdtemp(prefix="ferretdb-src-", dir=cache_dir))
        try:
            src = work / "src"
            shutil.copytree(info["Dir"], src)
            for path in src.rglob("*"):  # the module cache is read-only
                path.chmod(path.stat().st_mode | 0o200)
            (src / "build" / "version" / "version.txt").write_text(versions.FERRETDB_VERSION + "\n")
            out = work / "ferretdb"
            _run(
                [go, "build", "-trimpath", "-o", str(out), "./cmd/ferretdb"],
                "go build FerretDB",
                cwd=src,
            )
            target.parent.mkdir(parents=True, exist_ok=True)
            out.rename(target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return target
