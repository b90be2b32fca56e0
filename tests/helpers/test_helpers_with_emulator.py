"""The helpers against the real emulator, driven through the unmodified SDK clients."""

from __future__ import annotations

import socket
from unittest import mock

import pytest
from azure.mgmt.containerinstance.models import (
    Container,
    ContainerGroup,
    ContainerPort,
    EnvironmentVariable,
    IpAddress,
    Port,
    ResourceRequests,
    ResourceRequirements,
)
from azure.mgmt.resource.resources.models import ResourceGroup

from aci_emulator import Emulator, EmulatorConfig
from aci_emulator.__main__ import notebook_variables
from helpers import (
    TutorialError,
    TutorialNames,
    clean_up,
    connect,
    ensure_resource_group,
    explain_errors,
    status,
    summarize,
    table,
    wait_for,
    wait_until_terminated,
)
from helpers.clients import make_clients
from helpers.credentials import service_principal_credential

IMAGE = "mcr.microsoft.com/azuredocs/aci-helloworld"


def definition(ctx, names: TutorialNames, image: str = IMAGE, cpu: float = 1.0) -> ContainerGroup:
    return ContainerGroup(
        location=ctx.location,
        os_type="Linux",
        tags=ctx.tags(),
        containers=[
            Container(
                name=names.container,
                image=image,
                resources=ResourceRequirements(
                    requests=ResourceRequests(cpu=cpu, memory_in_gb=1.5)
                ),
                ports=[ContainerPort(port=80)],
            )
        ],
        ip_address=IpAddress(type="Public", ports=[Port(port=80)], dns_name_label=names.dns_label),
    )


def create(ctx, names: TutorialNames, **kwargs) -> ContainerGroup:
    poller = ctx.aci.container_groups.begin_create_or_update(
        ctx.resource_group, names.container_group, definition(ctx, names, **kwargs)
    )
    return wait_for(poller, f"create {names.container_group}")


@pytest.fixture
def ctx():
    with connect(environ={}) as context:
        yield context


def test_connect_starts_a_silent_emulator_and_stops_it(capfd):
    with connect(environ={}) as context:
        assert context.target == "emulator" and context.emulated
        assert context.arm_endpoint.startswith("https://127.0.0.1:")
        assert context.subscription_id == "00000000-0000-4000-8000-00000000c0c0"
        assert list(context.aci.container_groups.list()) == []
        port = int(context.arm_endpoint.rsplit(":", 1)[1])
    with pytest.raises(ConnectionRefusedError):  # closed: the emulator no longer listens
        socket.create_connection(("127.0.0.1", port), timeout=2)
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")


def test_the_whole_run_then_a_created_group_is_deleted(ctx, capsys):
    record = ensure_resource_group(ctx)
    assert record.created
    names = TutorialNames.for_run(ctx.run_id)
    created = create(ctx, names)
    assert created.provisioning_state == "Succeeded"

    got = ctx.aci.container_groups.get(ctx.resource_group, names.container_group)
    text = str(summarize(got))
    assert "Running" in text and f"{names.dns_label}.eastus.azurecontainer.io" in text
    listed = list(ctx.aci.container_groups.list())
    assert listed[0].instance_view is None
    assert names.container_group in str(table(listed))
    logs = ctx.aci.containers.list_logs(ctx.resource_group, names.container_group, "hello", tail=5)
    assert logs.content is None or isinstance(logs.content, str)

    report = clean_up(ctx, record, [names.container_group])
    assert report.deleted == [
        f"container group {names.container_group!r}",
        f"resource group {ctx.resource_group!r}",
    ]
    assert not ctx.resources.resource_groups.check_existence(ctx.resource_group)
    assert "Succeeded in" in capsys.readouterr().out


def test_a_pre_existing_group_and_everything_else_in_it_survive(ctx):
    groups = ctx.resources.resource_groups
    groups.create_or_update(
        ctx.resource_group, ResourceGroup(location="westus", tags={"team": "platform"})
    )
    theirs = TutorialNames.for_run("theirs")
    ctx.aci.container_groups.begin_create_or_update(
        ctx.resource_group, theirs.container_group, definition(ctx, theirs)
    ).result()
    # Same name, other owner: a group this run did not tag is left alone too.
    ctx.aci.container_groups.update(
        ctx.resource_group, theirs.container_group, {"tags": {"team": "platform"}}
    )

    record = ensure_resource_group(ctx)
    assert not record.created and record.location == "westus"
    mine = TutorialNames.for_run(ctx.run_id)
    create(ctx, mine)

    report = clean_up(ctx, record, [mine.container_group, theirs.container_group])
    assert report.deleted == [f"container group {mine.container_group!r}"]
    assert report.kept == [
        f"container group {theirs.container_group!r}",
        f"resource group {ctx.resource_group!r}",
    ]
    assert groups.check_existence(ctx.resource_group)
    assert groups.get(ctx.resource_group).tags == {"team": "platform"}
    remaining = [
        g.name for g in ctx.aci.container_groups.list_by_resource_group(ctx.resource_group)
    ]
    assert remaining == [theirs.container_group]


def test_missing_resource_group_is_explained(ctx):
    names = TutorialNames.for_run(ctx.run_id)
    with pytest.raises(TutorialError) as caught, explain_errors():
        create(ctx, names)
    assert caught.value.code == "ResourceGroupNotFound"
    assert "ensure the resource group" in caught.value.advice


def test_an_image_that_cannot_be_pulled_is_explained(ctx):
    ensure_resource_group(ctx)
    names = TutorialNames.for_run(ctx.run_id)
    with pytest.raises(TutorialError) as caught, explain_errors():
        create(ctx, names, image="mcr.microsoft.com/doesnotexist/nothing:latest")
    assert caught.value.code == "InaccessibleImage"


def test_the_core_quota_is_explained():
    small = EmulatorConfig.compressed_live(quota_cores=8)  # a free trial's kind of quota
    with mock.patch.object(EmulatorConfig, "compressed_live", return_value=small):
        ctx = connect(environ={})
    with ctx, pytest.raises(TutorialError) as caught, explain_errors():
        ensure_resource_group(ctx)
        for index in range(3):
            create(ctx, TutorialNames.for_run(f"{ctx.run_id}{index}"), cpu=4.0)
    assert caught.value.code == "ContainerGroupQuotaReached"
    assert "Limit: '8', Usage: '8' Requested: '4'" in caught.value.message
    assert caught.value.advice.startswith(
        "The region's standard-core quota is used up (location.list_usage shows the limit"
    )


def test_a_wrong_secret_is_explained():
    with Emulator() as emu:
        info = emu.info
        credential = service_principal_credential(
            info.tenant_id,
            info.client_id,
            "not-the-secret",
            authority_host=info.authority_host,
            ca_bundle=info.ca_bundle,
        )
        with pytest.raises(TutorialError) as caught, explain_errors():
            credential.get_token("https://management.azure.com/.default")
        credential.close()
    assert "az login" in caught.value.advice
    assert "not-the-secret" not in str(caught.value)


def test_the_live_code_path_reaches_an_emulator_like_a_private_cloud(monkeypatch):
    """Target azure with DefaultAzureCredential, configured only by environment variables."""
    with Emulator() as emu:
        info = emu.info
        for name, value in notebook_variables(info).items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("ACI_TUTORIAL_RESOURCE_GROUP", raising=False)
        with connect() as ctx:
            assert ctx.target == "azure" and not ctx.emulated
            assert type(ctx.credential).__name__ == "DefaultAzureCredential"
            assert "local emulator server (nothing is created in Azure)" in str(ctx)
            assert info.arm_endpoint in ctx.where()
            assert "live" not in ctx.where() and "custom endpoint" not in str(ctx)
            record = ensure_resource_group(ctx)
            report = clean_up(ctx, record)
            assert report.deleted == [f"resource group {ctx.resource_group!r}"]


def test_a_reader_that_tries_to_write_is_explained():
    with Emulator() as emu:
        info = emu.info
        emu.add_principal("00000000-0000-4000-8000-0000000000e1", "reader-secret", role="Reader")
        credential = service_principal_credential(
            info.tenant_id,
            "00000000-0000-4000-8000-0000000000e1",
            "reader-secret",
            authority_host=info.authority_host,
            ca_bundle=info.ca_bundle,
        )
        resources, aci = make_clients(
            credential,
            info.subscription_id,
            arm_endpoint=info.arm_endpoint,
            ca_bundle=info.ca_bundle,
        )
        with resources, aci, credential:
            assert list(aci.container_groups.list()) == []  # reading is allowed
            with pytest.raises(TutorialError) as caught, explain_errors():
                resources.resource_groups.create_or_update("rg", {"location": "eastus"})
    assert caught.value.code == "AuthorizationFailed"
    assert "Contributor" in caught.value.advice


def test_a_run_once_task_is_awaited_and_a_lifecycle_is_shown(ctx, capsys):
    ensure_resource_group(ctx)
    task = ContainerGroup(
        location=ctx.location,
        os_type="Linux",
        restart_policy="Never",
        tags=ctx.tags(),
        containers=[
            Container(
                name="wordcount",
                image="mcr.microsoft.com/azuredocs/aci-wordcount",
                resources=ResourceRequirements(requests=ResourceRequests(cpu=1, memory_in_gb=1)),
                environment_variables=[
                    EnvironmentVariable(name="NumWords", value="3"),
                    EnvironmentVariable(name="MinLength", value="5"),
                ],
            )
        ],
    )
    ctx.aci.container_groups.begin_create_or_update(ctx.resource_group, "task", task).result()

    finished = wait_until_terminated(ctx, ctx.resource_group, "task", timeout=30)

    state = finished.containers[0].instance_view.current_state
    assert (state.state, state.exit_code, finished.instance_view.state) == (
        "Terminated",
        0,
        "Succeeded",
    )
    assert capsys.readouterr().out.startswith(
        "run container group 'task': Running → Terminated (exit code 0) in "
    )
    logs = ctx.aci.containers.list_logs(ctx.resource_group, "task", "wordcount").content
    assert logs == "[('HAMLET', 386), ('HORATIO', 127), ('CLAUDIUS', 120)]\n"

    names = TutorialNames.for_run(ctx.run_id)
    create(ctx, names)
    create(ctx, names)  # a redeploy kills the running container, then starts it again
    redeployed = status(ctx.aci.container_groups.get(ctx.resource_group, names.container_group))
    assert [row[1:3] for row in redeployed.events()][-2:] == [["Pulled", "2"], ["Started", "2"]]
    assert ["Killing", "1"] in [row[1:3] for row in redeployed.events()]

    ctx.aci.container_groups.stop(ctx.resource_group, names.container_group)
    stopped = status(ctx.aci.container_groups.get(ctx.resource_group, names.container_group))
    assert str(stopped).startswith(f"container group {names.container_group!r} is Stopped")
    assert "Terminated (Stopped)" in str(stopped)
    # One Killing per run: each names its own container id (the redeploy's, then the stop's).
    assert [row[1:3] for row in stopped.events()][-1] == ["Killing", "1"]
    assert [row[1] for row in stopped.events()].count("Killing") == 2
