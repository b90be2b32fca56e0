"""Helpers for the Azure Container Instances notebook tutorial.

The notebook keeps the scenario (the SDK calls) visible; these modules hold the mechanics:
configuration and target, credential, clients, names, display, waiting, the HTTP exchange
(show_http), errors and cleanup.
"""

from .cleanup import CleanupReport, ResourceGroupRecord, clean_up, ensure_resource_group
from .cleanup.sweep import Leftover, find_leftovers, sweep
from .clients import make_clients
from .context import AzureContext, connect
from .display import (
    ContainerGroupStatus,
    ContainerGroupSummary,
    ContainerGroupTable,
    status,
    summarize,
    table,
)
from .errors import (
    ConfigurationError,
    TutorialError,
    explain,
    explain_errors,
    show_traceback,
)
from .names import (
    InvalidNameError,
    TutorialNames,
    new_run_id,
    validate_container_group_name,
    validate_container_name,
    validate_dns_label,
    validate_resource_group_name,
)
from .settings import Settings
from .waiting import WaitTimeoutError, wait_for, wait_until_terminated
from .wire import show_http

__all__ = [
    "AzureContext",
    "CleanupReport",
    "ConfigurationError",
    "ContainerGroupStatus",
    "ContainerGroupSummary",
    "ContainerGroupTable",
    "InvalidNameError",
    "Leftover",
    "ResourceGroupRecord",
    "Settings",
    "TutorialError",
    "TutorialNames",
    "WaitTimeoutError",
    "clean_up",
    "connect",
    "ensure_resource_group",
    "explain",
    "explain_errors",
    "find_leftovers",
    "make_clients",
    "new_run_id",
    "show_http",
    "show_traceback",
    "status",
    "summarize",
    "sweep",
    "table",
    "validate_container_group_name",
    "validate_container_name",
    "validate_dns_label",
    "validate_resource_group_name",
    "wait_for",
    "wait_until_terminated",
]
