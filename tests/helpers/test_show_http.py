"""show_http(): the HTTP exchange behind SDK calls, compact and without secrets."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from azure.core.exceptions import ResourceNotFoundError
from azure.mgmt.containerinstance.models import (
    Container,
    ContainerGroup,
    EnvironmentVariable,
    ResourceRequests,
    ResourceRequirements,
)

from aci_emulator import EmulatorConfig
from helpers import connect, ensure_resource_group, show_http, wait_for
from helpers.machinery.wire import redact, short_path

SECRET = "not-for-your-eyes-9271"


@pytest.fixture(scope="module")
def ctx():
    # The tutorial's emulator with a create Pending long enough for a loaded machine to poll
    # it: these tests check what is shown, not how short the wait is.
    slower = EmulatorConfig.compressed_live(provisioning_seconds=0.6)
    with mock.patch.object(EmulatorConfig, "compressed_live", return_value=slower):
        context = connect(environ={})
    with context:
        ensure_resource_group(context)
        yield context


def definition(ctx) -> ContainerGroup:
    return ContainerGroup(
        location=ctx.location,
        os_type="Linux",
        restart_policy="Always",
        containers=[
            Container(
                name="app",
                image="mcr.microsoft.com/azuredocs/aci-helloworld",
                resources=ResourceRequirements(requests=ResourceRequests(cpu=1, memory_in_gb=1)),
                environment_variables=[EnvironmentVariable(name="KEY", secure_value=SECRET)],
            )
        ],
        tags=ctx.tags(),
    )


def test_a_create_shows_put_201_pending_polls_succeeded_and_the_final_get(ctx):
    out = io.StringIO()
    with show_http(stream=out):
        poller = ctx.aci.container_groups.begin_create_or_update(
            ctx.resource_group, "shown", definition(ctx)
        )
        wait_for(poller, "create", stream=io.StringIO())
    lines = out.getvalue().splitlines()

    assert lines[0].startswith(f"PUT /subscriptions/…/resourceGroups/{ctx.resource_group}/")
    assert lines[0].endswith("/containerGroups/shown?api-version=2023-05-01")
    assert lines[2] == "  → 201 Created  provisioningState: Pending, instanceView.state: Pending"
    assert lines[3].startswith("    Azure-AsyncOperation: /subscriptions/…/providers/")
    assert "/locations/eastus/operations/" in lines[3]
    statuses = [line for line in lines if line.startswith("  → ")]
    assert statuses[1].startswith("  → 200 OK  status: Pending")
    assert statuses[2] == "  → 200 OK  status: Succeeded"
    assert statuses[3] == "  → 200 OK  provisioningState: Succeeded, instanceView.state: Running"
    assert lines[-2].startswith("GET ") and lines[-2].endswith(
        "/containerGroups/shown?api-version=2023-05-01"
    )


def test_no_secret_and_no_token_is_shown(ctx):
    out = io.StringIO()
    with show_http(stream=out, request_headers=True):
        ctx.aci.container_groups.begin_create_or_update(
            ctx.resource_group, "secretive", definition(ctx), polling_interval=0.05
        ).result()
    text = out.getvalue()
    token = ctx.credential.get_token("https://management.azure.com/.default").token

    assert "    Authorization: ***" in text
    assert token not in text and token[-20:] not in text
    assert SECRET not in text


def test_a_stop_is_one_post_answered_204(ctx):
    ctx.aci.container_groups.begin_create_or_update(
        ctx.resource_group, "stopped", definition(ctx), polling_interval=0.05
    ).result()
    out = io.StringIO()
    with show_http(stream=out):
        ctx.aci.container_groups.stop(ctx.resource_group, "stopped")

    assert out.getvalue().splitlines() == [
        f"POST /subscriptions/…/resourceGroups/{ctx.resource_group}/providers/"
        "Microsoft.ContainerInstance/containerGroups/stopped/stop?api-version=2023-05-01",
        "  → 204 No Content",
    ]


def test_an_error_shows_its_code(ctx):
    out = io.StringIO()
    with pytest.raises(ResourceNotFoundError), show_http(stream=out):
        ctx.aci.container_groups.get(ctx.resource_group, "absent")
    assert "  → 404 Not Found  error: ResourceNotFound: " in out.getvalue()


def test_nothing_is_recorded_outside_the_block(ctx):
    out = io.StringIO()
    with show_http(stream=out):
        pass
    list(ctx.aci.container_groups.list_by_resource_group(ctx.resource_group))
    assert out.getvalue() == "(no HTTP requests)\n"


def test_redact_replaces_secret_fields_at_any_depth():
    body = {
        "properties": {
            "containers": [{"environmentVariables": [{"name": "A", "secureValue": "s"}]}],
            "imageRegistryCredentials": [{"server": "r", "password": "p"}],
            "volumes": [{"azureFile": {"storageAccountKey": "k", "shareName": "x"}}],
        },
        "access_token": "t",
    }
    assert redact(body) == {
        "properties": {
            "containers": [{"environmentVariables": [{"name": "A", "secureValue": "***"}]}],
            "imageRegistryCredentials": [{"server": "r", "password": "***"}],
            "volumes": [{"azureFile": {"storageAccountKey": "***", "shareName": "x"}}],
        },
        "access_token": "***",
    }


def test_short_path_leaves_out_the_host_and_the_subscription():
    url = "https://management.azure.com/subscriptions/1234/resourcegroups/rg?api-version=2025-04-01"
    assert short_path(url) == "/subscriptions/…/resourcegroups/rg?api-version=2025-04-01"


def test_short_path_shortens_operation_ids():
    url = (
        "https://management.azure.com/subscriptions/00000000-0000-4000-8000-00000000c0c0/providers/"
        "Microsoft.ContainerInstance/locations/eastus/operations/"
        "3bcdc2a7-5f21-5960-9e7f-7124524d9c25?api-version=2018-06-01"
    )
    assert short_path(url) == (
        "/subscriptions/…/providers/Microsoft.ContainerInstance/locations/eastus/operations/"
        "3bcdc2a7…?api-version=2018-06-01"
    )


def test_wait_for_takes_the_states_from_the_wire_not_from_sampling(ctx):
    ctx.aci.container_groups.begin_create_or_update(
        ctx.resource_group, "restarted", definition(ctx), polling_interval=0.05
    ).result()
    out = io.StringIO()
    # A tick longer than the whole wait: sampling alone would see no state but the first.
    wait_for(
        ctx.aci.container_groups.begin_restart(ctx.resource_group, "restarted"),
        "restart container group 'restarted'",
        stream=out,
        tick=30,
    )
    assert out.getvalue().startswith("restart container group 'restarted': Pending → Succeeded in ")
    assert out.getvalue().endswith(
        " s real) — live, not recorded; the emulator paces a restart as a create\n"
    )


def test_a_create_starts_from_the_state_its_201_reports(ctx):
    out = io.StringIO()
    wait_for(
        ctx.aci.container_groups.begin_create_or_update(ctx.resource_group, "new", definition(ctx)),
        "create container group 'new'",
        stream=out,
        tick=30,
    )
    assert out.getvalue().startswith("create container group 'new': Pending → Succeeded in ")


def test_a_delete_s_body_is_shown_as_the_group_before_the_delete(ctx):
    ctx.aci.container_groups.begin_create_or_update(
        ctx.resource_group, "deleted", definition(ctx), polling_interval=0.05
    ).result()
    out = io.StringIO()
    with show_http(stream=out):
        wait_for(
            ctx.aci.container_groups.begin_delete(ctx.resource_group, "deleted"),
            "delete container group 'deleted'",
            stream=io.StringIO(),
        )
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("DELETE ") and lines[0].endswith(
        "/containerGroups/deleted?api-version=2023-05-01"
    )
    # Azure CLI recording test_container_create.yaml: 200 with the group as it was, Running.
    assert lines[1] == (
        "  → 200 OK  body: the group as it was before the delete "
        "(provisioningState: Succeeded, instanceView.state: Running)"
    )
    assert len(lines) == 2  # nothing to poll
