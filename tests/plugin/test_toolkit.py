"""The project's one server starter and raw-token helper (aci_emulator.testing), as the CLI
tests, the reliability suite and the benchmarks use them."""

from __future__ import annotations

import sys

import pytest
import requests

from aci_emulator.server import EmulatorInfo
from aci_emulator.testing import ServerProcess, raw_token


def test_a_server_process_serves_until_stopped_and_a_raw_token_reaches_arm(tmp_path):
    with ServerProcess(tmp_path, "--quota-cores", "3") as server:
        info = server.info
        assert set(info) == set(EmulatorInfo.__dataclass_fields__)
        answer = requests.get(
            f"{info['arm_endpoint']}/subscriptions/{info['subscription_id']}/providers/"
            "Microsoft.ContainerInstance/locations/eastus/usages?api-version=2023-05-01",
            headers={"Authorization": f"Bearer {raw_token(info)}"},
            verify=info["ca_bundle"],
            timeout=30,
        )
        cores = {u["name"]["value"]: u["limit"] for u in answer.json()["value"]}
        assert (answer.status_code, cores["StandardCores"]) == (200, 3)

    assert server.process is not None and server.process.returncode == 0  # SIGTERM: a clean stop


def test_a_server_that_exits_early_is_reported_with_its_stderr(tmp_path):
    server = ServerProcess(tmp_path, "--port", "not-a-port", stderr=tmp_path / "stderr.log")

    with pytest.raises(RuntimeError) as raised:
        server.start()

    message = str(raised.value)
    assert message.startswith("-m aci_emulator serve exited with 2 before writing")
    assert "argument --port: invalid int value: 'not-a-port'" in message


def test_another_command_is_started_the_same_way(tmp_path):
    script = "import json, sys; open(sys.argv[-1], 'w').write(json.dumps({'ok': 'yes'}))"
    server = ServerProcess(tmp_path, command=[sys.executable, "-c", script, "--info-file"])
    # The info file's path is the last argument; the command writes it and exits.
    assert server.command[-2:] == ["--info-file", str(server.info_file)]
    assert server.start() == {"ok": "yes"}
    assert server.process is not None and server.process.wait(timeout=30) == 0
    assert server.stop() == 0  # it had stopped: nothing to signal
