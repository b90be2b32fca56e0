"""Secrets are never returned, so a GET, modify, PUT round trip sends a group without them.
What each kind gets, through the SDK (emulator/README.md, "Secrets on a round trip"):
an Azure File volume without its key is InvalidStorageAccountKey (the code:
hashicorp/terraform-provider-azurerm#26631), a registry credential without its password cannot
pull (InaccessibleImage, our reading); a secure variable without its value and an emptied secret
volume are accepted (our reading: no refusal found)."""

from __future__ import annotations

import base64

import pytest
from aci_builders import container, group
from azure.core.exceptions import HttpResponseError
from azure.mgmt.containerinstance.models import (
    AzureFileVolume,
    ImageRegistryCredential,
    Volume,
    VolumeMount,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PRIVATE = "myregistry.azurecr.io/app:1"
NOT_A_SECRET = "c2VjcmV0"


def definition(secure_env: bool, secret_volume: bool, azure_file: bool, registry: bool):
    volumes = []
    if secret_volume:
        volumes.append(Volume(name="secrets", secret={"t.txt": base64.b64encode(b"x").decode()}))
    if azure_file:
        volumes.append(
            Volume(
                name="share",
                azure_file=AzureFileVolume(
                    share_name="data", storage_account_name="acct", storage_account_key=NOT_A_SECRET
                ),
            )
        )
    app = container(ports=[80], secure_env={"TOKEN": "hidden"} if secure_env else None)
    app.volume_mounts = [VolumeMount(name=v.name, mount_path=f"/mnt/{v.name}") for v in volumes]
    containers = [app]
    credentials = None
    if registry:
        containers.append(container(name="private", image=PRIVATE, cpu=0.5, memory=0.5))
        credentials = [
            ImageRegistryCredential(server="myregistry.azurecr.io", username="u", password="p")
        ]
    return group(*containers, volumes=volumes or None, image_registry_credentials=credentials)


@settings(
    max_examples=16, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(kinds=st.tuples(st.booleans(), st.booleans(), st.booleans(), st.booleans()))
def test_a_round_trip_gets_what_each_missing_secret_gets(aci, rg, cg_name, kinds):
    secure_env, secret_volume, azure_file, registry = kinds
    aci.container_groups.begin_create_or_update(
        rg, cg_name, definition(secure_env, secret_volume, azure_file, registry)
    ).result()
    fetched = aci.container_groups.get(rg, cg_name)
    fetched.tags = {"touched": "yes"}  # the modification: only a tag

    if azure_file:
        with pytest.raises(HttpResponseError) as err:
            aci.container_groups.begin_create_or_update(rg, cg_name, fetched)
        assert err.value.status_code == 400
        assert err.value.error.code == "InvalidStorageAccountKey"
        assert "'share'" in err.value.error.message
    elif registry:
        with pytest.raises(HttpResponseError) as err:
            aci.container_groups.begin_create_or_update(rg, cg_name, fetched)
        assert err.value.error.code == "InaccessibleImage"
        assert err.value.error.message == (
            f"The image '{PRIVATE}' in container group '{cg_name}' is not accessible. Please "
            "check the image and registry credential."
        )
    else:
        updated = aci.container_groups.begin_create_or_update(rg, cg_name, fetched).result()
        assert updated.tags == {"touched": "yes"}
    assert aci.container_groups.get(rg, cg_name).tags in ({"touched": "yes"}, None, {})
    aci.container_groups.begin_delete(rg, cg_name).result()


def test_two_images_that_cannot_be_pulled_are_one_multiple_errors(aci, rg, cg_name):
    images = ["privateregistry.example.com/one:1", "privateregistry.example.com/two:1"]
    definition = group(
        container(name="one", image=images[0], ports=[80]),
        container(name="two", image=images[1], cpu=0.5, memory=0.5),
    )
    with pytest.raises(HttpResponseError) as err:
        aci.container_groups.begin_create_or_update(rg, cg_name, definition)

    assert err.value.status_code == 400
    assert err.value.error.code == "MultipleErrorsOccurred"
    each = [
        f"'BadRequest':'InaccessibleImage':'The image '{image}' in container group '{cg_name}' "
        "is not accessible. Please check the image and registry credential.'"
        for image in images
    ]
    assert err.value.error.message == f"Multiple error occurred: {';'.join(each)}."
