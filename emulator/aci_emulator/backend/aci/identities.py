"""Managed identities of container groups: the ids Azure assigns them.

A system-assigned identity is a service principal made for the group; a user-assigned one
exists on its own, so every group that uses it shows the same ids. Azure returns both with the
group (recorded: Azure CLI test_container_create_with_msi.yaml, api-version 2021-09-01:
`principalId` and `tenantId` for a system-assigned identity, `principalId` and `clientId` for
each user-assigned one, and `tenantId` beside user-assigned identities too). The ids here are
derived from the resource ids (our reading: stable and repeatable; Azure's are random GUIDs).

A user-assigned identity is named by its resource id, which ARM checks before the service sees
the body: anything else is `400 LinkedInvalidPropertyId` (Azure's words for an identity given by
name or principal id: Azure/azure-cli#25401, MicrosoftDocs/azure-docs#112377). That an id of
another type, or with characters no name may hold, meets the same answer is our reading.
"""

from __future__ import annotations

import dataclasses
import re
import uuid
from collections.abc import Iterable

from aci_emulator.backend.aci.models import Identity, ManagedIdentityIds
from aci_emulator.errors import bad_request

_NAMESPACE = uuid.UUID("6f1c7a52-8f8e-4d0b-9a53-3c1d2b0a9e41")
# Subscription GUID, resource group name (resources/validation.py's characters), identity name
# (3-128 letters, digits, '-' and '_', a letter or digit first: Azure's naming rules for
# Microsoft.ManagedIdentity).
USER_ASSIGNED_ID = re.compile(
    r"/subscriptions/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"/resourcegroups/[-\w._()]{0,89}[-\w_()]"
    r"/providers/microsoft\.managedidentity/userassignedidentities/[a-z0-9][-_a-z0-9]{2,127}",
    re.IGNORECASE,
)
_SHOWN = 300  # characters of an id an error echoes


def check_user_assigned(resource_ids: Iterable[str]) -> None:
    """Every key of `userAssignedIdentities` is a user-assigned identity's resource id."""
    for key in resource_ids:
        if not USER_ASSIGNED_ID.fullmatch(key):
            shown = key[:_SHOWN].encode("utf-8", "backslashreplace").decode("utf-8")
            raise bad_request(
                "LinkedInvalidPropertyId",
                f"Property id '{shown}' at path '' is invalid. Expect fully qualified resource Id "
                "that start with '/subscriptions/{subscriptionId}' or "
                "'/providers/{resourceProviderNamespace}/'.",
            )


def _ids(resource_id: str) -> ManagedIdentityIds:
    key = resource_id.lower()
    return ManagedIdentityIds(
        principal_id=str(uuid.uuid5(_NAMESPACE, f"principal:{key}")),
        client_id=str(uuid.uuid5(_NAMESPACE, f"client:{key}")),
    )


def assign_ids(identity: Identity | None, group_id: str, tenant_id: str) -> Identity | None:
    """The identity with the ids Azure fills in; a type of None or 'None' gets none."""
    if identity is None or (identity.type or "None").lower() == "none":
        return identity
    return dataclasses.replace(
        identity,
        tenant_id=tenant_id,
        system_assigned=_ids(group_id) if identity.has_system_assigned else None,
        user_assigned_ids={rid: _ids(rid) for rid in identity.user_assigned},
    )
