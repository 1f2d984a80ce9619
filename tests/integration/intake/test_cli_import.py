"""`paicha import --feed F FILE` against a real intake process: uploads, prints the counts and
each rejected row, exits 3 when some rows were rejected; wrong token exits 1."""

from __future__ import annotations

import uuid

import pytest
from typer.testing import CliRunner

from paicha.cli import app
from tests.integration.intake.helpers import TOKENS, drop_database, settings_env
from tests.integration.intake.test_kill9 import free_port, start_intake, wait_ready
from tests.unit.intake.builders import id_number

pytestmark = pytest.mark.integration


async def test_import_uploads_a_file_and_reports_rejected_rows(kafka_bootstrap, mongo_url,
                                                                tmp_path):
    port = free_port()
    env = {**settings_env(kafka_bootstrap, mongo_url, f"t-cli-{uuid.uuid4().hex[:8]}"),
           "INTAKE_HTTP__PORT": str(port), "INTAKE_LOG_LEVEL": "WARNING",
           "INTAKE_CONSUME_RAW": "false"}
    url, log = f"http://127.0.0.1:{port}", tmp_path / "intake.log"
    listing = tmp_path / "快排名单.csv"
    listing.write_bytes((
        "姓名,身份证号,来源地,来源地区划代码,到达时间,乡镇/街道,信号类型\n"
        f"测试一,{id_number(1)},测试区,110105,2022/8/1 10:00,130826100,快排\n"
        f"测试二,{id_number(2)[:-1]},测试区,110105,2022/8/1 10:00,130826100,快排\n"
    ).encode("gbk"))
    process = start_intake(env, log)
    try:
        await wait_ready(url, process, log)
        runner = CliRunner()
        result = runner.invoke(app, ["import", "--feed", "bigdata", str(listing), "--url", url,
                                     "--token", TOKENS["bigdata"]])
        assert result.exit_code == 3, result.output
        assert "1 accepted" in result.output and "1 rejected" in result.output
        assert "invalid_id_number" in result.output and "身份证号" in result.output
        again = runner.invoke(app, ["import", "--feed", "bigdata", str(listing), "--url", url,
                                    "--token", TOKENS["bigdata"], "--json"])
        assert '"duplicates": 1' in again.output
        refused = runner.invoke(app, ["import", "--feed", "bigdata", str(listing), "--url", url,
                                      "--token", "wrong"])
        assert refused.exit_code == 1 and "invalid_token" in refused.output
    finally:
        process.kill()
        process.wait(10)
        await drop_database(mongo_url, env["INTAKE_MONGO__DATABASE"])
