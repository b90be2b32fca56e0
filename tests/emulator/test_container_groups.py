"""Container groups through azure-mgmt-containerinstance: create, read, list, update, delete,
logs, secrets, and the operations the emulator answers honestly with 501."""

from __future__ import annotations

import base64
import json
import re

import pytest
from aci_builders import ACI_API, HELLO, NS, container, group, task, unique
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.containerinstance.models import (
    AzureFileVolume,
    ContainerExecRequest,
    ImageRegistryCredential,
    Resource,
    Volume,
)

SECRET = "s3cr3t-value-that-must-never-be-echoed"
REGISTRY_PASSWORD = "registry-password-never-echoed"


# -- create -----------------------------------------------------------------------------------------
def test_create_with_the_sdk(aci, rg, cg_name):
    poller = aci.container_groups.begin_create_or_update(rg, cg_name, group())

    created = poller.result()

    assert poller.status() == "Succeeded"
    assert created.name == cg_name
    assert created.provisioning_state == "Succeeded"
    assert created.instance_view.state == "Running"
    assert created.ip_address.ip


def test_raw_put_answers_201_pending_with_async_operation_then_200(raw, rg, cg_name):
    body = group(location="East US").serialize()
    path = raw.cg_path(rg, cg_name)

    first = raw.request("PUT", path, api_version=ACI_API, json=body)

    assert first.status_code == 201
    operation = first.headers["Azure-AsyncOperation"]
    assert operation.startswith(
        f"{raw.endpoint}/subscriptions/{raw.subscription_id}/{NS}/locations/eastus/operations/"
    )
    assert operation.endswith("?api-version=2018-06-01")
    assert first.headers["Retry-After"] == "1"
    assert "Location" not in first.headers
    created = first.json()
    assert created["properties"]["provisioningState"] == "Pending"
    assert created["properties"]["instanceView"] == {"events": [], "state": "Pending"}
    assert "ip" not in created["properties"]["ipAddress"]
    assert created["properties"]["sku"] == "Standard"

    status = raw.request("GET", operation)
    assert status.status_code == 200
    assert status.json()["status"] == "Succeeded"
    assert status.json()["id"] == created["id"]

    second = raw.request("PUT", path, api_version=ACI_API, json=body)
    assert second.status_code == 200
    assert second.headers["Azure-AsyncOperation"]


def test_without_retry_after_the_service_sends_none(make_emulator):
    realistic = make_emulator(retry_after=None)  # as live ACI: no Retry-After at all
    rg = realistic.create_rg()
    raw = realistic.raw()

    put = raw.request(
        "PUT", raw.cg_path(rg, "quiet"), api_version=ACI_API, json=group().serialize()
    )
    poll = raw.request("GET", put.headers["Azure-AsyncOperation"])
    delete = raw.request("DELETE", raw.rg_path(rg), api_version="2025-04-01")

    assert put.status_code == 201 and "Retry-After" not in put.headers
    assert poll.status_code == 200 and "Retry-After" not in poll.headers
    assert delete.status_code == 202 and "Retry-After" not in delete.headers


def test_get_shows_the_running_group(aci, rg, cg_name):
    label = unique("web")
    aci.container_groups.begin_create_or_update(
        rg,
        cg_name,
        group(container(env={"GREETING": "hi"}, ports=[80]), location="East US", dns_label=label),
    ).result()

    cg = aci.container_groups.get(rg, cg_name)

    assert cg.id == (
        f"/subscriptions/{aci._config.subscription_id}/resourceGroups/{rg}"
        f"/providers/Microsoft.ContainerInstance/containerGroups/{cg_name}"
    )
    assert cg.type == "Microsoft.ContainerInstance/containerGroups"
    assert cg.location == "eastus"
    assert cg.sku == "Standard"
    # Not sent, so not returned, though it runs as Always (recorded: Azure CLI
    # test_container_create_with_acr sent none and got none back).
    assert cg.restart_policy is None
    assert cg.os_type == "Linux"
    assert cg.priority is None  # Azure returns it only when it was sent (recorded)
    assert cg.init_containers == []
    assert cg.provisioning_state == "Succeeded"
    assert cg.instance_view.state == "Running"
    assert cg.ip_address.ip.count(".") == 3
    assert cg.ip_address.fqdn == f"{label}.eastus.azurecontainer.io"
    assert cg.ip_address.dns_name_label == label
    assert [(p.port, p.protocol) for p in cg.ip_address.ports] == [(80, "TCP")]
    (app,) = cg.containers
    assert app.image == HELLO
    assert app.resources.requests.cpu == 1.0
    assert app.resources.requests.memory_in_gb == 1.5
    assert [(e.name, e.value) for e in app.environment_variables] == [("GREETING", "hi")]
    view = app.instance_view
    assert view.restart_count == 0
    assert view.current_state.state == "Running"
    assert view.current_state.start_time is not None
    # As live Azure words them (recordings of 2023): the image at a digest, no Created event,
    # and a Started event that names no container.
    assert [e.name for e in view.events] == ["Pulling", "Pulled", "Started"]
    assert re.fullmatch(
        f'pulling image "{re.escape(HELLO)}@sha256:[0-9a-f]{{64}}"', view.events[0].message
    )
    assert (
        view.events[1].message == "Successfully pulled " + view.events[0].message[len("pulling ") :]
    )
    assert view.events[2].message == "Started container"
    assert all(e.type == "Normal" and e.count == 1 for e in view.events)


def test_ports_and_environment_default_to_empty_lists(aci, rg, cg_name):
    aci.container_groups.begin_create_or_update(rg, cg_name, group(public=False)).result()

    app = aci.container_groups.get(rg, cg_name).containers[0]

    assert app.ports == []
    assert app.environment_variables == []
    assert aci.container_groups.get(rg, cg_name).ip_address is None


def test_list_and_list_by_resource_group_omit_the_instance_view(aci, rg, rg_name, cg_name):
    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()
    aci.container_groups.begin_create_or_update(rg, cg_name + "-b", group()).result()

    in_group = list(aci.container_groups.list_by_resource_group(rg))
    everywhere = [g for g in aci.container_groups.list() if g.id.split("/")[4] == rg]

    for listing in (in_group, everywhere):
        assert sorted(g.name for g in listing) == [cg_name, cg_name + "-b"]
        for cg in listing:
            assert cg.instance_view is None
            assert cg.containers[0].instance_view is None
            assert cg.provisioning_state == "Succeeded"
    # get, by contrast, has it.
    assert aci.container_groups.get(rg, cg_name).instance_view.state == "Running"


def test_list_by_missing_resource_group(aci, rg_name):
    with pytest.raises(ResourceNotFoundError) as err:
        list(aci.container_groups.list_by_resource_group(rg_name))

    assert err.value.error.code == "ResourceGroupNotFound"
    assert err.value.error.message == f"Resource group '{rg_name}' could not be found."


def test_listing_pages_past_one_page(make_emulator):
    small = make_emulator(page_size=3)
    rg = small.create_rg()
    names = [f"cg-{i}" for i in range(7)]
    for name in names:
        cg = group(container(cpu=0.5, memory=0.5), public=False)
        small.aci.container_groups.begin_create_or_update(rg, name, cg).result()

    assert sorted(g.name for g in small.aci.container_groups.list_by_resource_group(rg)) == names
    assert sorted(g.name for g in small.aci.container_groups.list()) == names

    raw = small.raw()
    first = raw.request(
        "GET", f"/subscriptions/{{sub}}/{NS}/containerGroups", api_version=ACI_API
    ).json()
    assert len(first["value"]) == 3
    assert "$skipToken=" in first["nextLink"]


def test_deleting_what_a_listing_shows_skips_nothing(make_emulator):
    """A cleanup loop deletes each group as the pages show it: every group is seen, because a
    page goes on after the last group sent, not from an offset that deletions move (our
    reading: ARM's skip tokens are opaque)."""
    small = make_emulator(page_size=2)
    rg = small.create_rg()
    names = [f"cg-{i}" for i in range(5)]
    for name in names:
        cg = group(container(cpu=0.5, memory=0.5), public=False)
        small.aci.container_groups.begin_create_or_update(rg, name, cg).result()

    seen = []
    for listed in small.aci.container_groups.list_by_resource_group(rg):
        seen.append(listed.name)
        small.aci.container_groups.begin_delete(rg, listed.name).result()

    assert seen == names
    assert list(small.aci.container_groups.list()) == []


def test_a_skip_token_this_server_did_not_write_lists_from_the_top(make_emulator):
    small = make_emulator(page_size=2)
    rg = small.create_rg()
    for name in ("a", "b", "c"):
        cg = group(container(cpu=0.5, memory=0.5), public=False)
        small.aci.container_groups.begin_create_or_update(rg, name, cg).result()
    raw = small.raw()
    path = f"/subscriptions/{{sub}}/{NS}/containerGroups"
    for token in ("3", "not-base64!", "eyJhZnRlciI6IDF9", "W10"):
        page = raw.request("GET", path, api_version=ACI_API, params={"$skipToken": token})
        assert page.status_code == 200
        assert [g["name"] for g in page.json()["value"]] == ["a", "b"]


def test_update_tags(aci, rg, cg_name):
    aci.container_groups.begin_create_or_update(rg, cg_name, group(tags={"a": "1"})).result()

    updated = aci.container_groups.update(rg, cg_name, Resource(tags={"b": "2"}))

    assert updated.tags == {"b": "2"}
    assert updated.instance_view.state == "Running"
    assert aci.container_groups.get(rg, cg_name).tags == {"b": "2"}


def test_update_tags_of_a_missing_group(aci, rg, cg_name):
    with pytest.raises(ResourceNotFoundError) as err:
        aci.container_groups.update(rg, cg_name, Resource(tags={"b": "2"}))

    assert err.value.error.code == "ResourceNotFound"


def test_redeploy_may_change_the_image_and_environment(aci, rg, cg_name):
    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()

    changed = group(container(image="nginx", env={"MODE": "new"}, ports=[80]))
    updated = aci.container_groups.begin_create_or_update(rg, cg_name, changed).result()

    assert updated.containers[0].image == "nginx"
    assert aci.containers.list_logs(rg, cg_name, "app").content.startswith("/docker-entrypoint.sh")


# -- delete -----------------------------------------------------------------------------------------
def test_delete_returns_the_group(aci, rg, cg_name, raw):
    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()

    deleted = aci.container_groups.begin_delete(rg, cg_name).result()

    assert deleted.name == cg_name
    assert deleted.provisioning_state == "Succeeded"
    with pytest.raises(ResourceNotFoundError) as err:
        aci.container_groups.get(rg, cg_name)
    assert err.value.status_code == 404
    assert err.value.error.code == "ResourceNotFound"
    assert err.value.error.message == (
        f"The Resource 'Microsoft.ContainerInstance/containerGroups/{cg_name}' under resource "
        f"group '{rg}' was not found. For more details please go to "
        "https://aka.ms/ARMResourceNotFoundFix"
    )


def test_raw_delete_answers_200_with_a_body_then_204(aci, rg, cg_name, raw):
    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()
    path = raw.cg_path(rg, cg_name)

    first = raw.request("DELETE", path, api_version=ACI_API)
    second = raw.request("DELETE", path, api_version=ACI_API)

    assert first.status_code == 200
    assert first.json()["name"] == cg_name
    assert "Azure-AsyncOperation" not in first.headers and "Location" not in first.headers
    assert second.status_code == 204
    assert second.content == b""
    assert aci.container_groups.begin_delete(rg, cg_name).result() is None


def test_delete_in_a_missing_resource_group(aci, rg_name):
    with pytest.raises(ResourceNotFoundError) as err:
        aci.container_groups.begin_delete(rg_name, "whatever")

    assert err.value.error.code == "ResourceGroupNotFound"


# -- secrets ----------------------------------------------------------------------------------------
def test_secrets_are_never_echoed(aci, rg, cg_name, raw):
    private = "myregistry.azurecr.io/team/app:v1"
    definition = group(
        container(env={"PLAIN": "visible"}, secure_env={"TOKEN": SECRET}, ports=[80]),
        container(name="private", image=private, cpu=0.5, memory=0.5),
        image_registry_credentials=[
            ImageRegistryCredential(
                server="myregistry.azurecr.io", username="puller", password=REGISTRY_PASSWORD
            )
        ],
        volumes=[
            Volume(name="secrets", secret={"token.txt": base64.b64encode(b"x").decode()}),
            Volume(
                name="share",
                azure_file=AzureFileVolume(
                    share_name="data", storage_account_name="acct", storage_account_key=SECRET
                ),
            ),
        ],
    )

    created = aci.container_groups.begin_create_or_update(rg, cg_name, definition).result()
    fetched = aci.container_groups.get(rg, cg_name)
    listed = next(iter(aci.container_groups.list_by_resource_group(rg)))
    raw_get = raw.request("GET", raw.cg_path(rg, cg_name), api_version=ACI_API)
    raw_list = raw.request(
        "GET",
        f"/subscriptions/{{sub}}/resourceGroups/{rg}/{NS}/containerGroups",
        api_version=ACI_API,
    )
    raw_put = raw.request(
        "PUT", raw.cg_path(rg, cg_name), api_version=ACI_API, json=definition.serialize()
    )
    deleted = aci.container_groups.begin_delete(rg, cg_name).result()

    for cg in (created, fetched, listed, deleted):
        variables = {e.name: e for e in cg.containers[0].environment_variables}
        assert variables["PLAIN"].value == "visible"
        assert variables["TOKEN"].secure_value is None
        assert variables["TOKEN"].value is None
        (credential,) = cg.image_registry_credentials
        assert (credential.server, credential.username, credential.password) == (
            "myregistry.azurecr.io",
            "puller",
            None,
        )
        volumes = {v.name: v for v in cg.volumes}
        assert volumes["secrets"].secret == {}
        assert volumes["share"].azure_file.storage_account_key is None
        assert volumes["share"].azure_file.share_name == "data"
    for response in (raw_get, raw_list, raw_put):
        assert response.status_code == 200
        assert SECRET not in response.text
        assert REGISTRY_PASSWORD not in response.text
        assert "storageAccountKey" not in response.text


def test_private_image_without_credentials_is_inaccessible(aci, rg, cg_name):
    image = "myregistry.azurecr.io/team/app:v1"

    with pytest.raises(HttpResponseError) as err:
        aci.container_groups.begin_create_or_update(
            rg, cg_name, group(container(image=image, ports=[80]))
        )

    assert err.value.status_code == 400
    assert err.value.error.code == "InaccessibleImage"
    assert err.value.error.message == (
        f"The image '{image}' in container group '{cg_name}' is not accessible. Please check the "
        "image and registry credential."
    )


def test_missing_image_is_inaccessible(aci, rg, cg_name):
    image = "mcr.microsoft.com/doesnotexist/x"

    with pytest.raises(HttpResponseError) as err:
        aci.container_groups.begin_create_or_update(
            rg, cg_name, group(container(image=image, ports=[80]))
        )

    assert err.value.status_code == 400
    assert err.value.error.code == "InaccessibleImage"
    assert f"The image '{image}' in container group '{cg_name}' is not accessible" in (
        err.value.error.message
    )
    assert list(aci.container_groups.list_by_resource_group(rg)) == []


# -- logs -------------------------------------------------------------------------------------------
def sidecar_group():
    return group(
        container(ports=[80]),
        container(
            name="sidecar",
            image="mcr.microsoft.com/azuredocs/aci-tutorial-sidecar",
            cpu=0.5,
            memory=0.5,
        ),
    )


def test_logs(aci, rg, cg_name):
    aci.container_groups.begin_create_or_update(rg, cg_name, sidecar_group()).result()

    logs = aci.containers.list_logs(rg, cg_name, "app")

    lines = logs.content.splitlines()
    assert lines[0] == "listening on port 80"
    assert len(lines) == 4
    assert all('"HEAD / HTTP/1.1" 200' in line for line in lines[1:])
    assert logs.content.endswith("\n")


def test_logs_tail_and_timestamps(aci, rg, cg_name):
    aci.container_groups.begin_create_or_update(rg, cg_name, sidecar_group()).result()
    full = aci.containers.list_logs(rg, cg_name, "app").content.splitlines()

    tail = aci.containers.list_logs(rg, cg_name, "app", tail=2).content.splitlines()
    stamped = aci.containers.list_logs(rg, cg_name, "app", timestamps=True).content.splitlines()

    assert tail == full[-2:]
    assert len(stamped) == len(full)
    for stamped_line, line in zip(stamped, full, strict=True):
        stamp, _, rest = stamped_line.partition(" ")
        assert rest == line
        assert stamp[:4].isdigit() and stamp[10] == "T" and stamp.endswith("Z")
        assert len(stamp.split(".")[1]) == 8  # seven digits of fraction, then Z


def test_logs_content_is_none_for_a_container_without_output(aci, rg, cg_name):
    quiet = container(image="mcr.microsoft.com/azuredocs/aci-tutorial-app", ports=[80])
    aci.container_groups.begin_create_or_update(rg, cg_name, group(quiet)).result()

    assert aci.containers.list_logs(rg, cg_name, "app").content is None


def test_logs_of_an_unknown_container(aci, rg, cg_name):
    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()

    with pytest.raises(ResourceNotFoundError) as err:
        aci.containers.list_logs(rg, cg_name, "nope")

    assert err.value.status_code == 404
    assert err.value.error.code == "ContainerNotFound"
    assert err.value.error.message == (
        f"The container 'nope' does not exist in container group '{cg_name}'."
    )


def test_logs_tail_must_be_an_integer(aci, rg, cg_name, raw):
    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()

    response = raw.request(
        "GET",
        raw.cg_path(rg, cg_name) + "/containers/app/logs",
        api_version=ACI_API,
        params={"tail": "ten"},
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InvalidRequestParameter"
    assert "'ten'" in response.json()["error"]["message"]


# -- not implemented, and the small endpoints -------------------------------------------------------
def test_exec_and_attach_are_not_implemented(aci, rg, cg_name):
    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()

    with pytest.raises(HttpResponseError) as err:
        aci.containers.execute_command(rg, cg_name, "app", ContainerExecRequest(command="/bin/sh"))
    assert err.value.status_code == 501
    assert err.value.error.code == "NotImplemented"
    assert "containers.execute_command" in err.value.error.message
    assert "not implemented by the local emulator" in err.value.error.message

    with pytest.raises(HttpResponseError) as err:
        aci.containers.attach(rg, cg_name, "app")
    assert err.value.status_code == 501
    assert err.value.error.code == "NotImplemented"
    assert "containers.attach" in err.value.error.message

    with pytest.raises(ResourceNotFoundError) as err:
        aci.containers.attach(rg, cg_name, "nope")
    assert err.value.error.code == "ContainerNotFound"


def test_outbound_network_dependencies_endpoints(aci, rg, cg_name):
    aci.container_groups.begin_create_or_update(rg, cg_name, group()).result()

    assert aci.container_groups.get_outbound_network_dependencies_endpoints(rg, cg_name) == []
    with pytest.raises(ResourceNotFoundError):
        aci.container_groups.get_outbound_network_dependencies_endpoints(rg, cg_name + "x")


def test_response_headers(raw, aci, rg, cg_name):
    aci.container_groups.begin_create_or_update(rg, cg_name, task("echo hi")).result()

    response = raw.request(
        "GET",
        raw.cg_path(rg, cg_name),
        api_version=ACI_API,
        headers={"x-ms-client-request-id": "my-id", "x-ms-correlation-request-id": "corr"},
    )

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-cache"
    assert response.headers["x-ms-client-request-id"] == "my-id"
    assert response.headers["x-ms-correlation-request-id"] == "corr"
    assert response.headers["x-ms-request-id"]
    assert response.headers["x-ms-ratelimit-remaining-subscription-reads"] == "11999"
    assert "Retry-After" not in response.headers
    json.loads(response.text)
