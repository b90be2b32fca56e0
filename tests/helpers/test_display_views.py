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

from helpers.machinery.display import NOT_IN_LIST, resource_group_of, status, summarize, table

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
        "2024-01-01 00:00:00 UTC",
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


def lifecycle_group(previous: bool = False, events: int = 7) -> ContainerGroup:
    """A two-container group from get() after a restart: events of both runs, states, exits."""
    stamps = [f"2024-01-01T00:00:{second:02d}Z" for second in range(events)]
    names = ["Pulling", "Pulled", "Created", "Started", "Killing", "Started", "Killing"]

    def container(name: str, state: dict) -> dict:
        view = {
            "restartCount": 1,
            "currentState": state,
            # Listed out of order: the view sorts by time.
            "events": [
                {"count": 1, "name": n, "message": f"{n} {name}", "lastTimestamp": t}
                for n, t in reversed(list(zip(names, stamps, strict=False)))
            ],
        }
        if previous:
            view["previousState"] = {"state": "Terminated", "detailStatus": "Error", "exitCode": 2}
        return {
            "name": name,
            "properties": {
                "image": "mcr.microsoft.com/azuredocs/aci-wordcount",
                "resources": {"requests": {"cpu": 1.0, "memoryInGB": 1.5}},
                "instanceView": view,
            },
        }

    body = {
        "id": GROUP_ID,
        "name": "web",
        "location": "eastus",
        "properties": {
            "provisioningState": "Succeeded",
            "osType": "Linux",
            "instanceView": {"state": "Failed"},
            "containers": [
                container(
                    "count",
                    {
                        "state": "Terminated",
                        "detailStatus": "Completed",
                        "exitCode": 0,
                        "startTime": "2024-01-01T00:00:03Z",
                        "finishTime": "2024-01-01T00:00:04Z",
                    },
                ),
                container("crash", {"state": "Terminated", "detailStatus": "Error", "exitCode": 3}),
            ],
        },
    }
    return ContainerGroup.deserialize(body)


def test_status_shows_group_and_container_states_and_the_latest_events():
    view = status(lifecycle_group(), "after stop", last_events=3)
    text = str(view)
    assert repr(view) == text
    assert text.startswith("after stop: container group 'web' is Failed\n")
    assert "Terminated (Completed), exit code 0" in text
    assert "Terminated (Error), exit code 3" in text
    assert "2024-01-01 00:00:03 UTC" in text and "2024-01-01 00:00:04 UTC" in text
    assert "previous state" not in text  # no container has one
    # The three latest events of each container, oldest first.
    event_lines = text.split("Latest events\n")[1].splitlines()[1:]
    assert [line.split()[:2] for line in event_lines] == [
        ["count", "Killing"],
        ["count", "Started"],
        ["count", "Killing"],
        ["crash", "Killing"],
        ["crash", "Started"],
        ["crash", "Killing"],
    ]
    assert "00:00:06" in event_lines[2] and "Pulling" not in text
    html_view = view._repr_html_()
    assert "Latest events" in html_view and "exit code 3" in html_view


def test_status_shows_a_previous_state_when_there_is_one():
    text = str(status(lifecycle_group(previous=True)))
    assert "previous state" in text
    assert "Terminated (Error), exit code 2" in text
    assert text.startswith("container group 'web' is Failed")


def test_status_of_a_listed_group_says_where_the_state_is():
    text = str(status(served(instance_view=False), last_events=0))
    assert "(no instance view: use get())" in text
    assert "Latest events" not in text
    assert "hello" in text and "—" in text
