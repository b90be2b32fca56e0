"""Azure regions the emulator offers, and ARM's normalisation of location names."""

from __future__ import annotations

REGIONS: dict[str, str] = {
    "eastus": "East US",
    "eastus2": "East US 2",
    "westus": "West US",
    "westus2": "West US 2",
    "westus3": "West US 3",
    "centralus": "Central US",
    "southcentralus": "South Central US",
    "northcentralus": "North Central US",
    "canadacentral": "Canada Central",
    "brazilsouth": "Brazil South",
    "northeurope": "North Europe",
    "westeurope": "West Europe",
    "uksouth": "UK South",
    "francecentral": "France Central",
    "germanywestcentral": "Germany West Central",
    "swedencentral": "Sweden Central",
    "switzerlandnorth": "Switzerland North",
    "southeastasia": "Southeast Asia",
    "eastasia": "East Asia",
    "japaneast": "Japan East",
    "koreacentral": "Korea Central",
    "centralindia": "Central India",
    "australiaeast": "Australia East",
    "southafricanorth": "South Africa North",
}


def normalize_location(value: str) -> str | None:
    """'East US' and 'eastus' are the same region; None when the region is unknown."""
    key = "".join(value.split()).lower()
    return key if key in REGIONS else None


def region_list() -> str:
    return ",".join(REGIONS)
