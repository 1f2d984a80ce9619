"""The Apache Kafka broker of the local stack: one KRaft node, broker and controller in one JVM."""

from __future__ import annotations

import asyncio
import logging
import subprocess
from pathlib import Path

from paicha.stack.config import StackSettings
from paicha.stack.errors import StackError, require_tool
from paicha.stack.fetch import REPO_ROOT
from paicha.stack.processes import ManagedProcess

LOG4J_CONFIG = REPO_ROOT / "deploy" / "local" / "kafka" / "log4j2.properties"


def server_properties(settings: StackSettings, data_dir: Path) -> str:
    """Single-node settings: replication factor 1 for offsets and transaction state."""
    host, port, cport = settings.host, settings.kafka_port, settings.kafka_controller_port
    return "\n".join(
        [
            "process.roles=broker,controller",
            "node.id=1",
            "controller.listener.names=CONTROLLER",
            f"listeners=PLAINTEXT://{host}:{port},CONTROLLER://{host}:{cport}",
            f"advertised.listeners=PLAINTEXT://{host}:{port}",
            f"controller.quorum.bootstrap.servers={host}:{cport}",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "inter.broker.listener.name=PLAINTEXT",
            f"log.dirs={data_dir}",
            "num.partitions=1",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=10",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=10",
            "group.initial.rebalance.delay.ms=0",
            "auto.create.topics.enable=false",
            "log.retention.hours=-1",
            "",
        ]
    )


class KafkaBroker:
    """Formats KRaft storage once, starts the broker, waits for a metadata answer."""

    def __init__(self, settings: StackSettings, libs: Path | None) -> None:
        self.settings = settings
        self.libs = libs
        self.dir = settings.run_dir / "kafka"
        self.data_dir = self.dir / "data"
        self.process = ManagedProcess("kafka", self.dir / "kafka.pid", marker=str(self.dir))

    def _java(self, main: str, *args: str) -> list[str]:
        java = require_tool(
            "java", "install Java 17 (Debian: apt-get install openjdk-17-jre-headless)"
        )
        assert self.libs is not None
        return [
            java,
            "-Xms256m",
            f"-Xmx{self.settings.kafka_heap}",
            "-XX:+UseG1GC",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={LOG4J_CONFIG}",
            f"-Dpaicha.stack={self.dir}",  # the marker that makes the pid file trustworthy
            "-cp",
            f"{self.libs}/*",
            main,
            *args,
        ]

    def start(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        props = self.dir / "server.properties"
        props.write_text(server_properties(self.settings, self.data_dir))
        if not (self.data_dir / "meta.properties").exists():
            self._format(props)
        self.process.start(self._java("kafka.Kafka", str(props)), self.dir / "kafka.log")

    def _format(self, props: Path) -> None:
        cluster_id = (
            subprocess.run(
                self._java("kafka.tools.StorageTool", "random-uuid"),
                capture_output=True,
                text=True,
                check=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        proc = subprocess.run(
            self._java(
                "kafka.tools.StorageTool",
                "format",
                "-t",
                cluster_id,
                "-c",
                str(props),
                "--standalone",
            ),
            capture_output=True,
            text=True,
        )
        if proc.returncode != 0:
            raise StackError(f"formatting Kafka storage failed: {proc.stdout}{proc.stderr}".strip())

    async def ready(self) -> bool:
        """True when the broker answers a metadata request and has a controller."""
        from aiokafka.admin import AIOKafkaAdminClient

        logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # "not yet" is expected here
        client = AIOKafkaAdminClient(
            bootstrap_servers=self.settings.kafka_bootstrap, request_timeout_ms=3000
        )
        try:
            await asyncio.wait_for(client.start(), timeout=5)
            await asyncio.wait_for(client.describe_cluster(), timeout=5)
            return True
        except Exception:  # noqa: BLE001 - any failure means "not yet"
            return False
        finally:
            try:
                await client.close()
            except Exception:  # noqa: BLE001
                pass

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(
                (self.dir / "kafka.log").read_text(errors="replace").splitlines()[-lines:]
            )
        except FileNotFoundError:
            return ""
