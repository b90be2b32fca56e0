"""Many SDK clients at once: the emulator's state stays consistent and its rules stay atomic."""

from __future__ import annotations

import logging
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from aci_builders import clients_for, container, group, unique
from azure.core.exceptions import HttpResponseError

THREADS = 8
PER_THREAD = 5


def test_parallel_creates_and_deletes_leave_a_consistent_state(emu, sdk, rg, caplog):
    caplog.set_level(logging.ERROR, logger="aci_emulator")
    shared = rg
    own = {i: unique(f"rg-t{i}") for i in range(THREADS)}
    for name in own.values():
        sdk.create_rg(name)
    labels = {(i, n): unique(f"l{i}x{n}") for i in range(THREADS) for n in range(PER_THREAD)}
    barrier = threading.Barrier(THREADS)

    def work(i: int) -> dict[str, set[str]]:
        client = clients_for(emu, sdk.credential).aci  # a client per thread, one credential
        barrier.wait()
        kept: dict[str, set[str]] = {own[i]: set(), shared: set()}
        for n in range(PER_THREAD):
            for rg_name in (own[i], shared):
                name = f"t{i}-n{n}"
                label = labels[(i, n)] if rg_name == shared else None
                definition = group(container(cpu=0.1, memory=0.1, ports=[80]), dns_label=label)
                client.container_groups.begin_create_or_update(rg_name, name, definition).result()
                kept[rg_name].add(name)
            if n % 2:  # delete every other one again, in both groups
                for rg_name in (own[i], shared):
                    deleted = client.container_groups.begin_delete(rg_name, f"t{i}-n{n}").result()
                    assert deleted.name == f"t{i}-n{n}"
                    kept[rg_name].discard(f"t{i}-n{n}")
        return kept

    try:
        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(work, range(THREADS)))  # re-raises any thread's error
        # No request failed inside the emulator (the SDK would have retried a 500 silently).
        assert [r.getMessage() for r in caplog.records if r.name.startswith("aci_emulator")] == []

        expected_shared = set().union(*(r[shared] for r in results))
        listed_shared = [g.name for g in sdk.aci.container_groups.list_by_resource_group(shared)]
        assert sorted(listed_shared) == sorted(expected_shared)
        assert len(expected_shared) == THREADS * ((PER_THREAD + 1) // 2)
        for i, r in enumerate(results):
            listed = {g.name for g in sdk.aci.container_groups.list_by_resource_group(own[i])}
            assert listed == r[own[i]]
        everything = {(g.id.split("/")[4].lower(), g.name) for g in sdk.aci.container_groups.list()}
        for rg_name in [shared, *own.values()]:
            names = {name for rg_key, name in everything if rg_key == rg_name.lower()}
            assert names == {
                g.name for g in sdk.aci.container_groups.list_by_resource_group(rg_name)
            }
        # Every surviving group in the shared group kept its own, unique label.
        fqdns = [
            sdk.aci.container_groups.get(shared, name).ip_address.fqdn for name in listed_shared
        ]
        assert len(set(fqdns)) == len(fqdns)
        for name, fqdn in zip(listed_shared, fqdns, strict=True):
            i, n = (int(part[1:]) for part in name.split("-"))
            assert fqdn == f"{labels[(i, n)]}.eastus.azurecontainer.io"
    finally:
        for name in own.values():
            sdk.rm.resource_groups.begin_delete(name)


def test_racing_for_one_dns_label_only_one_wins(emu, sdk, rg):
    label = unique("race")
    barrier = threading.Barrier(THREADS)

    def attempt(i: int) -> str:
        client = clients_for(emu, sdk.credential).aci
        barrier.wait()
        try:
            client.container_groups.begin_create_or_update(
                rg, f"racer-{i}", group(dns_label=label)
            ).result()
            return "created"
        except HttpResponseError as err:
            assert err.status_code == 400
            assert err.error.code == "DnsNameLabelAlreadyTaken"
            return "refused"

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = Counter(pool.map(attempt, range(THREADS)))

    assert outcomes == {"created": 1, "refused": THREADS - 1}
    assert len(list(sdk.aci.container_groups.list_by_resource_group(rg))) == 1


def test_racing_for_the_last_cores_never_exceeds_the_quota(make_emulator):
    small = make_emulator(quota_cores=4)
    rg = small.create_rg()
    barrier = threading.Barrier(THREADS)

    def attempt(i: int) -> str:
        client = clients_for(small.emulator, small.credential).aci
        barrier.wait()
        try:
            client.container_groups.begin_create_or_update(
                rg, f"q-{i}", group(container(cpu=1, memory=1), public=False)
            ).result()
            return "created"
        except HttpResponseError as err:
            assert err.error.code == "ContainerGroupQuotaReached"
            assert "Limit: '4', Usage: '4' Requested: '1'." in err.error.message
            return "refused"

    with ThreadPoolExecutor(THREADS) as pool:
        outcomes = Counter(pool.map(attempt, range(THREADS)))

    assert outcomes == {"created": 4, "refused": THREADS - 4}
    usage = {u.name.value: u.current_value for u in small.aci.location.list_usage("eastus")}
    assert usage == {"ContainerGroups": 4, "StandardCores": 4}
