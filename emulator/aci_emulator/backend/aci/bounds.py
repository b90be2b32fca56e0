"""The numeric bounds Azure documents for a container group, checked before anything is stored.

One place for them, so that every value of a body is within Azure's bounds or refused with a
4xx naming it. Sources (also in emulator/README.md, "Limits"):

- containers (60), volumes (20) per group, ports per IP address (5): the "Unchangeable (Hard)
  Limits" of `articles/container-instances/container-instances-resource-and-quota-limits.md`
  in MicrosoftDocs/azure-docs (an Azure CLI output quoted in MicrosoftDocs/azure-docs#101382
  said 10 ports; the documented 5 is kept);
- CPU in steps of 0.01 and memory in steps of 0.1 GB: Azure's messages "The CPU requirement
  should be in incrememts of 0.01." and "The memory requirement should be in incrememts of
  0.1 GB." (quoted, Azure's typo included, in docker/compose-cli `aci/convert/convert.go`;
  the memory one also in Azure/azure-cli#7355 and CompositionalIT/farmer#1004);
- init containers: "By default, you can specify a maximum of 59 init containers per container
  group. At least one non-init container must be in the group." (MicrosoftDocs/azure-docs
  `articles/container-instances/container-instances-init-container.md`, also on
  docs.azure.cn): they count in the group's 60 containers (our reading of that sentence);
- environment variables per group: no documented limit; 1,000 is our reading;
- every other array or object a body holds (commands, ports of a container, mounts,
  capabilities, subnet ids, registry credentials, zones, extensions, a config map, secret
  volumes...): no documented limit; 1,000 items each is our reading, so that no answer of a
  group (every GET renders it whole) grows past what a client reads in a moment;
- a probe's HTTP port, 1-65535 like every port (our reading: no error found for it).
"""

from __future__ import annotations

from decimal import Decimal

from aci_emulator.backend.aci.models import Probe
from aci_emulator.backend.validation import format_number
from aci_emulator.errors import bad_request, invalid_port, invalid_resource_requests

MAX_CONTAINERS = 60
MAX_VOLUMES = 20
MAX_PORTS_PER_IP = 5
MAX_ENVIRONMENT_VARIABLES = 1000
MAX_INIT_CONTAINERS = 59
MAX_ITEMS = 1000  # any other array or object of a group's body
# Maps ARM bounds on its own terms (tags: the resource layer's rules) are not counted here.
_NOT_COUNTED = frozenset({"tags"})
# Where json_census.collections finds a group's containers and init containers.
CONTAINERS_PLACE, INIT_CONTAINERS_PLACE = "properties.containers", "properties.initcontainers"
# Decimal places a request may have: CPU in hundredths, memory in tenths of a GB.
CPU_PLACES = 2
MEMORY_PLACES = 1


def decimal_places(value: int | float) -> int:
    """How many decimal places a JSON number was written with: 0.07 has 2, 1e-300 has 300.

    A float's repr is the shortest text that reads back as it, i.e. what the client wrote;
    Decimal reads that text exactly, whatever its size (no int() of a huge digit string).
    """
    text = repr(value) if isinstance(value, float) else str(value)
    exponent = Decimal(text).as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def check_counts(
    group: str, containers: int, volumes: int, ip_ports: int, environment_variables: int
) -> None:
    """Containers, volumes, ports of the IP address and environment variables of a group.

    Checked first, on counts taken from the body as sent (web/parse_aci.py), before its types
    are checked or its names folded: a body of 100,000 volumes is refused without walking them."""
    if containers > MAX_CONTAINERS:
        raise bad_request(
            "TooManyContainers",
            f"The container group '{group}' has {containers} containers. A container group "
            f"may have at most {MAX_CONTAINERS} containers.",
        )
    if volumes > MAX_VOLUMES:
        raise bad_request(
            "TooManyVolumes",
            f"The container group '{group}' has {volumes} volumes. A container group may "
            f"have at most {MAX_VOLUMES} volumes.",
        )
    if ip_ports > MAX_PORTS_PER_IP:
        raise bad_request(
            "TooManyIpAddressPorts",
            f"The 'ipAddress' of container group '{group}' has {ip_ports} ports. An IP "
            f"address may have at most {MAX_PORTS_PER_IP} ports.",
        )
    if environment_variables > MAX_ENVIRONMENT_VARIABLES:
        raise bad_request(
            "TooManyEnvironmentVariables",
            f"The container group '{group}' has {environment_variables} environment variables. "
            f"A container group may have at most {MAX_ENVIRONMENT_VARIABLES} environment "
            "variables.",
        )


def check_collections(group: str, found: list[tuple[str, str, int]]) -> None:
    """Init containers (they count in the group's containers too) and every other array or
    object of the body, from json_census.collections: the first over its bound is named."""
    init = containers = 0
    for place, _, length in found:
        if place == INIT_CONTAINERS_PLACE:
            init = length
        elif place == CONTAINERS_PLACE:
            containers = length
    if init > MAX_INIT_CONTAINERS:
        raise bad_request(
            "TooManyInitContainers",
            f"The container group '{group}' has {init} init containers. A container group may "
            f"have at most {MAX_INIT_CONTAINERS} init containers.",
        )
    total = init + containers
    if total > MAX_CONTAINERS:
        raise bad_request(
            "TooManyContainers",
            f"The container group '{group}' has {total} containers, init containers included. "
            f"A container group may have at most {MAX_CONTAINERS} containers.",
        )
    for place, path, length in found:
        if length > MAX_ITEMS and place not in _NOT_COUNTED:
            raise bad_request(
                "TooManyItems",
                f"The property '{path}' of container group '{group}' has {length} items. An "
                f"array or object of a container group may hold at most {MAX_ITEMS} items.",
            )


def check_probe_ports(
    group: str, container: str, liveness: Probe | None, readiness: Probe | None
) -> None:
    """A liveness or readiness probe's HTTP port is a port too: 1-65535."""
    for name, probe in (("livenessProbe", liveness), ("readinessProbe", readiness)):
        port = probe.http_get_port if probe is not None else None
        if port is not None and not 1 <= port <= 65535:
            raise invalid_port(
                format_number(port),
                f"of the {name} of container '{container}' in container group '{group}'",
            )


def check_steps(group: str, container: str, cpu: float | None, memory_in_gb: float | None) -> None:
    """CPU and memory, requested or limited (each checked in turn), in Azure's steps (so at
    least one step each); numbers as sent, since the message quotes them.

    Limits against requests are a rule of the corpus (rules.check_resources)."""
    if cpu is not None and decimal_places(cpu) > CPU_PLACES:
        raise invalid_resource_requests(
            f"The CPU requirement is '{format_number(cpu)}' in container '{container}' of container "
            f"group '{group}'. The CPU requirement should be in incrememts of 0.01.",
        )
    if memory_in_gb is not None and decimal_places(memory_in_gb) > MEMORY_PLACES:
        raise invalid_resource_requests(
            f"The memory requirement is '{format_number(memory_in_gb)}' in container '{container}' of "
            f"container group '{group}'. The memory requirement should be in incrememts of "
            "0.1 GB.",
        )
