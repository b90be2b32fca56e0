"""Tests of aci_webapp against the local emulator: no Azure account, no cost, a few seconds.

The fixtures come from the aci-emulator pytest plugin (installed with the package, no
conftest.py): `azure_emulator` is a fresh, empty subscription for each test.
"""

from __future__ import annotations

import pytest
from aci_webapp import client_from_environment, delete_web_app, deploy_web_app
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.containerinstance import ContainerInstanceManagementClient
from azure.mgmt.resource.resources import ResourceManagementClient

LOCATION = "westeurope"
IMAGE_V2 = "mcr.microsoft.com/azuredocs/aci-helloworld:v2"


@pytest.fixture
def aci(azure_emulator) -> ContainerInstanceManagementClient:
    return ContainerInstanceManagementClient(
        azure_emulator.credential, azure_emulator.subscription_id, **azure_emulator.client_kwargs
    )


@pytest.fixture
def resource_group(azure_emulator) -> str:
    resources = ResourceManagementClient(
        azure_emulator.credential, azure_emulator.subscription_id, **azure_emulator.client_kwargs
    )
    resources.resource_groups.create_or_update("web-rg", {"location": LOCATION})
    return "web-rg"


def test_deploys_and_returns_the_fqdn_then_deletes(aci, resource_group):
    fqdn = deploy_web_app(aci, resource_group, "web", location=LOCATION, dns_label="my-web-app")

    assert fqdn == "my-web-app.westeurope.azurecontainer.io"
    group = aci.container_groups.get(resource_group, "web")
    assert group.provisioning_state == "Succeeded"
    assert group.instance_view.state == "Running"

    delete_web_app(aci, resource_group, "web")
    with pytest.raises(ResourceNotFoundError):
        aci.container_groups.get(resource_group, "web")


def test_redeploying_a_new_image_updates_in_place(aci, resource_group):
    deploy_web_app(aci, resource_group, "web", location=LOCATION, dns_label="my-web-app")
    fqdn = deploy_web_app(
        aci, resource_group, "web", location=LOCATION, dns_label="my-web-app", image=IMAGE_V2
    )

    assert fqdn == "my-web-app.westeurope.azurecontainer.io"
    [container] = aci.container_groups.get(resource_group, "web").containers
    assert container.image == IMAGE_V2


@pytest.mark.azure_emulator(quota_cores=2)
def test_a_full_quota_is_the_sdks_error(aci, resource_group):
    deploy_web_app(aci, resource_group, "first", location=LOCATION, dns_label="first-app", cpu=2)

    with pytest.raises(HttpResponseError) as raised:
        deploy_web_app(
            aci, resource_group, "second", location=LOCATION, dns_label="second-app", cpu=1
        )

    assert raised.value.status_code == 400
    assert raised.value.error.code == "ContainerGroupQuotaReached"
    assert "Limit: '2', Usage: '2' Requested: '1'" in raised.value.error.message


def test_an_image_that_cannot_be_pulled_fails_the_deployment(azure_emulator, aci, resource_group):
    azure_emulator.faults.inject(
        "provisioning",
        code="InaccessibleImage",
        message="The image 'mcr.microsoft.com/azuredocs/aci-helloworld' in container group "
        "'web' is not accessible. Please check the image and registry credential.",
    )

    with pytest.raises(HttpResponseError) as raised:
        deploy_web_app(aci, resource_group, "web", location=LOCATION, dns_label="my-web-app")

    assert raised.value.error.code == "InaccessibleImage"
    assert "is not accessible" in raised.value.error.message
    assert aci.container_groups.get(resource_group, "web").provisioning_state == "Failed"


def test_throttling_is_retried_through(azure_emulator, aci, resource_group):
    throttle = azure_emulator.faults.inject(
        "status", status=429, retry_after=1, method="PUT", path="**/containerGroups/*", times=2
    )

    fqdn = deploy_web_app(aci, resource_group, "web", location=LOCATION, dns_label="my-web-app")

    assert fqdn == "my-web-app.westeurope.azurecontainer.io"
    assert throttle.fired == 2  # both 429s were answered, and retried by the SDK


def test_code_configured_from_the_environment(azure_emulator_env, resource_group):
    aci = client_from_environment()

    fqdn = deploy_web_app(aci, resource_group, "web", location=LOCATION, dns_label="env-app")

    assert fqdn == "env-app.westeurope.azurecontainer.io"
    assert [g.name for g in aci.container_groups.list()] == ["web"]
