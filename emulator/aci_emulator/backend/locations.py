"""Azure regions the emulator offers, and ARM's normalisation of location names."""

from __future__ import annotations

from aci_emulator.errors import RG_TYPE, location_not_available

# Regions that offer Container Instances: the list ARM gave for the resource type
# (Azure/acr#406, 2020) and the regions tested with ACI in heoelri/locust-on-aci#2 (2021).
REGIONS: dict[str, str] = {
    "eastus": "East US",
    "eastus2": "East US 2",
    "centralus": "Central US",
    "northcentralus": "North Central US",
    "southcentralus": "South Central US",
    "westcentralus": "West Central US",
    "westus": "West US",
    "westus2": "West US 2",
    "westus3": "West US 3",
    "canadacentral": "Canada Central",
    "canadaeast": "Canada East",
    "brazilsouth": "Brazil South",
    "northeurope": "North Europe",
    "westeurope": "West Europe",
    "uksouth": "UK South",
    "ukwest": "UK West",
    "francecentral": "France Central",
    "germanywestcentral": "Germany West Central",
    "norwayeast": "Norway East",
    "swedencentral": "Sweden Central",
    "switzerlandnorth": "Switzerland North",
    "uaenorth": "UAE North",
    "southafricanorth": "South Africa North",
    "centralindia": "Central India",
    "southindia": "South India",
    "westindia": "West India",
    "eastasia": "East Asia",
    "southeastasia": "Southeast Asia",
    "japaneast": "Japan East",
    "japanwest": "Japan West",
    "koreacentral": "Korea Central",
    "koreasouth": "Korea South",
    "australiaeast": "Australia East",
    "australiasoutheast": "Australia Southeast",
    "australiacentral": "Australia Central",
}


# Regions a resource group may be created in, in the order ARM lists them when it refuses one
# (LocationNotAvailableForResourceGroup, 2024: MicrosoftDocs/executable-docs#74). A group's
# region only keeps its record; Container Instances is offered in REGIONS above.
RESOURCE_GROUP_REGIONS: tuple[str, ...] = tuple(
    [
        "eastasia",
        "southeastasia",
        "australiaeast",
        "australiasoutheast",
        "brazilsouth",
        "canadacentral",
        "canadaeast",
        "switzerlandnorth",
        "germanywestcentral",
        "eastus2",
        "eastus",
        "centralus",
        "northcentralus",
        "francecentral",
        "uksouth",
        "ukwest",
        "centralindia",
        "southindia",
        "jioindiawest",
        "italynorth",
        "japaneast",
        "japanwest",
        "koreacentral",
        "koreasouth",
        "mexicocentral",
        "northeurope",
        "norwayeast",
        "polandcentral",
        "qatarcentral",
        "spaincentral",
        "swedencentral",
        "uaenorth",
        "westcentralus",
        "westeurope",
        "westus2",
        "westus",
        "southcentralus",
        "westus3",
        "southafricanorth",
        "australiacentral",
        "australiacentral2",
        "israelcentral",
        "westindia",
        "centraluseuap",
        "eastus2euap",
    ]
)


def normalize_resource_group_location(value: str) -> str | None:
    """A resource group's region as ARM keeps it; None when ARM offers none by that name."""
    key = "".join(value.split()).lower()
    return key if key in RESOURCE_GROUP_REGIONS else None


def resource_group_region_list() -> str:
    return ",".join(RESOURCE_GROUP_REGIONS)


def normalize_location(value: str) -> str | None:
    """'East US' and 'eastus' are the same region; None when the region is unknown."""
    key = "".join(value.split()).lower()
    return key if key in REGIONS else None


def region_list() -> str:
    return ",".join(REGIONS)


def container_instances_region(value: str, resource_type: str) -> str:
    """The region as kept ('East US' is 'eastus'); a region without Container Instances is
    refused, naming the resource type asked for (a container group's, or its locations')."""
    region = normalize_location(value)
    if region is None:
        raise location_not_available(value, resource_type, region_list())
    return region


def resource_group_region(value: str) -> str:
    """A resource group's region as ARM keeps it; one ARM does not know is refused."""
    region = normalize_resource_group_location(value)
    if region is None:
        raise location_not_available(value, RG_TYPE, resource_group_region_list())
    return region
