from azure.mgmt.containerinstance.models import (
    Container,
    ContainerGroup,
    ContainerNetworkProtocol,
    ContainerPort,
    EnvironmentVariable,
    IpAddress,
    OperatingSystemTypes,
    Port,
    ResourceRequests,
    ResourceRequirements,
)

from helpers.display import NOT_IN_LIST, resource_group_of, summarize, table

GROUP_ID = (
    "/subscriptions/00000000-0000-4000-8000-00000000c0c0/resourceGroups/rg-1"
    "/providers/Microsoft.ContainerInstance/containerGroups/web"
)


def served(instance_view: bool = True) -> ContainerGroup:
    """A container group as the service returns it (get() with, list() without instance view)."""
    body = {
        "id": GROUP_ID,
        "name": "web",
        "location": "eastus",
        "tags": {"created-by": "aci-notebook-tutorial"},
        "properties": {
            "provisioningState": "Succeeded",
            "osType": "Linux",
            "restartPolicy": "Always",
            "ipAddress": {
                "type": "Public",
                "ip": "10.0.0.4",
                "ports": [{"port": 80, "protocol": "TCP"}],
                "dnsNameLabel": "web-label",
                "fqdn": "web-label.eastus.azurecontainer.io",
            },
            "containers": [
                {
                    "name": "hello",
                    "properties": {
                        "image": "mcr.microsoft.com/azuredocs/aci-helloworld",
                        "ports": [{"port": 80}],
                        "resources": {"requests": {"cpu": 1.0, "memoryInGB": 1.5}},
                        "environmentVariables": [
                            {"name": "MODE", "value": "demo"},
                            {"name": "TOKEN"},
                        ],
                    },
                }
            ],
        },
    }
    if instance_view:
        body["properties"]["instanceView"] = {
            "state": "Running",
            "events": [],
        }
        body["properties"]["containers"][0]["properties"]["instanceView"] = {
            "restartCount": 0,
            "currentState": {"state": "Running", "detailStatus": ""},
            "events": [
                {
                    "count": 1,
                    "name": "Pulled",
                    "type": "Normal",
                    "message": "Successfully pulled image",
                    "lastTimestamp": "2024-01-01T00:00:00Z",
                }
            ],
        }
    return ContainerGroup.deserialize(body)


def test_summary_of_a_running_group():
    summary = summarize(served())
    text = str(summary)
    assert repr(summary) == text
    for expected in [
        "Succeeded",
        "Running",
        "10.0.0.4 (Public)",
        "web-label.eastus.azurecontainer.io",
        "80/TCP",
        "1 CPU, 1.5 GB",
        "MODE=demo",
        "TOKEN=(secure)",
        "Pulled",
        "2024-01-01T00:00:00+00:00",
    ]:
        assert expected in text
        assert expected in summary._repr_html_()


def test_list_results_say_where_the_instance_view_is():
    text = str(summarize(served(instance_view=False)))
    assert NOT_IN_LIST in text
    assert "Events" not in text


def test_a_local_definition_shows_without_state_and_hides_secure_values():
    group = ContainerGroup(
        location="eastus",
        os_type=OperatingSystemTypes.LINUX,
        containers=[
            Container(
                name="hello",
                image="mcr.microsoft.com/azuredocs/aci-helloworld",
                resources=ResourceRequirements(requests=ResourceRequests(cpu=1, memory_in_gb=1.5)),
                ports=[ContainerPort(port=80)],
                environment_variables=[EnvironmentVariable(name="KEY", secure_value="hunter2")],
            )
        ],
        ip_address=IpAddress(
            type="Public",
            ports=[Port(protocol=ContainerNetworkProtocol.TCP, port=80)],
            dns_name_label="hello-1",
        ),
    )
    summary = summarize(group)
    for shown in (str(summary), summary._repr_html_()):
        assert "hunter2" not in shown
        assert "KEY=(secure)" in shown
        assert "(not deployed yet)" in shown
        assert "assigned when created (Public)" in shown
        assert "Linux" in shown and "OperatingSystemTypes" not in shown
        assert "80/TCP" in shown


def test_html_is_escaped():
    group = served()
    group.tags = {"note": "<script>"}
    assert "<script>" not in summarize(group)._repr_html_()


def test_table_of_listed_groups():
    listing = table([served(False), served(False)])
    assert len(listing) == 2
    text = str(listing)
    assert "Container groups (2)" in text
    assert "rg-1" in text and "web-label.eastus.azurecontainer.io" in text
    assert "<table>" in listing._repr_html_()


def test_empty_table():
    assert str(table([])) == "Container groups: none"
    assert "none" in table([])._repr_html_()


def test_resource_group_of():
    assert resource_group_of(GROUP_ID) == "rg-1"
    assert resource_group_of(GROUP_ID.replace("resourceGroups", "resourcegroups")) == "rg-1"
    assert resource_group_of(None) is None
