"""The emulator against recorded live Azure traffic (see fidelity_replay.py and recordings/SOURCES).

Every recorded interaction must get Azure's status code, the JSON key paths of Azure's body and
the long-running-operation headers Azure sent, except the differences listed below, each with its
reason (and in emulator/README.md's deviations). A listed difference that disappears fails too,
so the list stays true.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from fidelity_replay import (
    AZURE_VARIES,
    OUT_OF_SCOPE,
    TIMING_ONLY,
    Result,
    by_api_version,
    cassettes,
    key_paths,
    load,
    replay_all,
    summary,
)

README = Path(__file__).parents[2] / "emulator" / "README.md"

NOT_RUNNING = (
    "no container runs in the emulator: the recorded command (`echo hello; sleep 15; done`) is a "
    "shell syntax error, so Azure's container exited with code 2, the group Failed and its IP "
    "was released; here it keeps running with its IP"
)
GROUP_TYPE_2018 = (
    "a resource group recorded in October 2018 has no `type`; the cassette names api-version "
    "2019-07-01, published after it was recorded (the CLI's recordings had their api-versions "
    "rewritten), and the group's every later recording carries `type`"
)
CREATE_2018 = (
    "in October 2018 Azure answered a create with its IP already assigned and an instance view "
    "without `events`; every recording since 2020 (at 2021-09-01 and later) has `events: []` "
    "and no IP yet, as the emulator answers"
)
KNOWN_DIFFERENCES: dict[str, str] = {
    "test_container_exec#6": "exec is not implemented (501): there is no container to run it in",
    "test_resource_group#18": "exportTemplate is not implemented (501)",
    **{f"test_container_attach#{i}": NOT_RUNNING for i in (4, 5, 6, 7)},
    **{f"test_container_create_msi#{i}": GROUP_TYPE_2018 for i in (0, 1, 5, 9)},
    **{f"test_container_create_msi#{i}": CREATE_2018 for i in (2, 6, 10)},
    **TIMING_ONLY,
}


@pytest.fixture(scope="module")
def results() -> list[Result]:
    return replay_all()


def differs(result: Result) -> bool:
    return not (result.status_ok and result.keys_ok_where_azure_agrees and result.headers_ok)


@pytest.mark.parametrize("cassette", cassettes())
def test_answers_as_recorded(results, cassette):
    mine = [r for r in results if r.cassette == cassette]

    assert len(mine) == len(load(cassette))
    unexpected = [r.describe() for r in mine if differs(r) and r.key not in KNOWN_DIFFERENCES]
    vanished = [r.key for r in mine if not differs(r) and r.key in KNOWN_DIFFERENCES]
    assert unexpected == []
    assert vanished == [], "listed as a difference but now answered as Azure did"


def test_figures(results, capsys):
    figures = summary(results)
    with capsys.disabled():
        for version, per_version in by_api_version(results).items():
            print(f"\napi-version {version or '(none)'}:", per_version)
        print("\nfidelity against recorded live Azure:", figures)

    # Timing-only differences and resource types not served are counted apart (see summary).
    assert figures["status codes matching"] >= 0.95 * figures["interactions"]
    assert figures["long-running headers matching"] == figures["interactions"]
    bodies = figures["json bodies"]
    assert figures["bodies with Azure's key set where Azure agrees with itself"] >= 0.9 * bodies


def test_out_of_scope_interactions_are_resource_types_not_served(results):
    skipped = [r for r in results if r.out_of_scope]

    assert skipped, "a recording covers a resource type the emulator does not serve"
    pool = OUT_OF_SCOPE["Microsoft.StandbyPool/standbyContainerGroupPools"]
    for result in skipped:
        # A container group is out of scope only when it was taken from a standby pool.
        if "Microsoft.ContainerInstance/containerGroups/" in result.path:
            assert result.out_of_scope == pool, result.key
        assert result.out_of_scope in OUT_OF_SCOPE.values()
    # Groups taken from a standby pool: create, status polls, reads, deletion (listed in README).
    pooled = {r.key for r in skipped if r.out_of_scope == pool}
    assert pooled == {
        "test_container_reuse_from_standbypool#0",
        *(f"test_container_reuse_from_standbypool_outbound#{i}" for i in range(5)),
        *(f"test_container_reuse_from_standbypool_vnet#{i}" for i in range(1, 6)),
    }


def test_every_kept_difference_is_documented():
    text = README.read_text()
    for key in KNOWN_DIFFERENCES:
        assert key.split("#")[0] in text, key
    for path in AZURE_VARIES:
        assert f"`{path}`" in text, path
    for resource_type in OUT_OF_SCOPE:
        assert f"`{resource_type}`" in text, resource_type


def test_key_paths_ignore_values_and_user_chosen_keys():
    one = {"tags": {"team": "a"}, "properties": {"containers": [{"name": "x", "ports": []}]}}
    other = {"tags": {"owner": "b", "cost": "c"}, "properties": {"containers": [{"name": "y"}]}}

    assert key_paths(one) - key_paths(other) == {"properties.containers[].ports"}
    assert key_paths(other) - key_paths(one) == set()
    assert "tags.*" in key_paths(one) and "tags" in key_paths({"tags": {}})
    assert "tags.*" not in key_paths({"tags": {}})
