"""Azure Resource Manager's own checks, before any provider sees a request.

Each rule follows real answers of ARM; the cases are in tests/fidelity/errors/ (arm.yaml,
auth.yaml, resource-groups.yaml) and emulator/README.md's error table names them.
"""

from __future__ import annotations

import re

from aci_emulator.errors import ArmError, bad_request

# Microsoft.Resources' versions, newest first, as ARM lists them in InvalidApiVersionParameter
# (ansible-collections/azure#1739, 2024), with the two later ones the project's clients send
# (the Azure CLI's 2024-11-01, azure-mgmt-resource 26's 2025-04-01: our reading of the list's
# head since). The odd tail ('2014-02-26,2014-04') is ARM's own.
RESOURCES_VERSIONS = [
    "2025-04-01",
    "2024-11-01",
    "2024-08-01",
    "2024-06-01-preview",
    "2024-03-01",
    "2023-07-01",
    "2023-07-01-preview",
    "2023-03-01-preview",
    "2022-12-01",
    "2022-11-01-preview",
    "2022-09-01",
    "2022-06-01",
    "2022-05-01",
    "2022-03-01-preview",
    "2022-01-01",
    "2021-04-01",
    "2021-01-01",
    "2020-10-01",
    "2020-09-01",
    "2020-08-01",
    "2020-07-01",
    "2020-06-01",
    "2020-05-01",
    "2020-01-01",
    "2019-11-01",
    "2019-10-01",
    "2019-09-01",
    "2019-08-01",
    "2019-07-01",
    "2019-06-01",
    "2019-05-10",
    "2019-05-01",
    "2019-03-01",
    "2018-11-01",
    "2018-09-01",
    "2018-08-01",
    "2018-07-01",
    "2018-06-01",
    "2018-05-01",
    "2018-02-01",
    "2018-01-01",
    "2017-12-01",
    "2017-08-01",
    "2017-06-01",
    "2017-05-10",
    "2017-05-01",
    "2017-03-01",
    "2016-09-01",
    "2016-07-01",
    "2016-06-01",
    "2016-02-01",
    "2015-11-01",
    "2015-01-01",
    "2014-04-01-preview",
    "2014-04-01",
    "2014-01-01",
    "2013-03-01",
    "2014-02-26",
    "2014-04",
]
_RESOURCES_VERSION_SET = frozenset(RESOURCES_VERSIONS)

SUBSCRIPTION_ID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# The subscription segment of a path, whatever follows it (ARM reads it before any route).
SUBSCRIPTION_SEGMENT = re.compile(r"^/subscriptions/([^/]+)", re.IGNORECASE | re.ASCII)


def missing_api_version() -> ArmError:
    return bad_request(
        "MissingApiVersionParameter",
        "The api-version query parameter (?api-version=) is required for all requests.",
    )


def check_resources_api_version(version: str) -> None:
    """A version Microsoft.Resources does not serve: ARM lists the ones it does."""
    if version not in _RESOURCES_VERSION_SET:
        raise bad_request(
            "InvalidApiVersionParameter",
            f"The api-version '{version}' is invalid. The supported versions are "
            f"'{','.join(RESOURCES_VERSIONS)}'.",
        )


def check_subscription_segment(path: str) -> None:
    """A subscription segment that is not a GUID is malformed before it is unknown: ARM names
    it (its first 36 characters), 400. An empty one is skipped by ARM, which then reads the
    next segment ('resourceGroups', 'providers') as the identifier (Azure/azure-cli#30953,
    hashicorp/terraform-provider-azurerm#20520, velero-io/velero#4737, Azure/apiops#460)."""
    found = SUBSCRIPTION_SEGMENT.match(path)
    if found and not SUBSCRIPTION_ID.fullmatch(found.group(1)):
        raise bad_request(
            "InvalidSubscriptionId",
            f"The provided subscription identifier '{found.group(1)[:36]}' is malformed or "
            "invalid.",
        )


# Characters no resource name may end with, as ARM lists them (microsoft/vscode-azureappservice#1294).
TRAILING_CHARACTERS = ". "


def check_resource_name(name: str) -> None:
    """A resource name ending with a character ARM refuses, before any provider reads it: ARM
    names the run of such characters at its end (the run is our reading; the case shows one)."""
    trailing = name[len(name.rstrip(TRAILING_CHARACTERS)) :]
    if trailing:
        raise bad_request(
            "InvalidResourceNameTrailingCharacters",
            f"The provided resource name '{name}' has these invalid trailing characters: "
            f"'{trailing}'. The name can not end with characters: '{TRAILING_CHARACTERS}'.",
        )
