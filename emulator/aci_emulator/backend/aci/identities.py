"""Managed identities of container groups: the ids Azure assigns them.

A system-assigned identity is a service principal made for the group; a user-assigned one
exists on its own, so every group that uses it shows the same ids. Azure returns both with the
group (recorded: Azure CLI test_container_create_with_msi.yaml, api-version 2021-09-01:
`principalId` and `tenantId` for a system-assigned identity, `principalId` and `clientId` for
each user-assigned one, and `tenantId` beside user-assigned identities too). The ids here are
derived from the resource ids (our reading: stable and repeatable; Azure's are random GUIDs).
"""

from __future__ import annotations

import dataclasses
import uuid

from aci_emulator.backend.aci.models import Identity, ManagedIdentityIds

_NAMESPACE = uuid.UUID("6f1c7a52-8f8e-4d0b-9a53-3c1d2b0a9e41")


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
