"""Helpers for the Azure Container Instances notebook tutorial.

The notebooks keep the scenario (the SDK calls) visible. What a learner opens to see how they
talk to Azure is here: ``context`` (target, credential, the two clients), ``clients``,
``credentials``, ``names`` and ``cleanup`` (the resource group record, deleting only what a run
created). The machinery behind the outputs (settings and where each came from, display,
waiting, the HTTP view, advice on errors, the sweeper) is in ``helpers.machinery``.
"""

from .cleanup import CleanupReport as CleanupReport
from .cleanup import ResourceGroupRecord, clean_up, ensure_resource_group
from .clients import make_clients as make_clients
from .context import AzureContext as AzureContext
from .context import connect
from .machinery.display import status, summarize, table
from .machinery.errors import ConfigurationError as ConfigurationError
from .machinery.errors import TutorialError as TutorialError
from .machinery.errors import explain, explain_errors
from .machinery.errors import show_traceback as show_traceback
from .machinery.settings import Settings as Settings
from .machinery.sweep import Leftover as Leftover
from .machinery.sweep import find_leftovers as find_leftovers
from .machinery.sweep import sweep as sweep
from .machinery.waiting import WaitTimeoutError as WaitTimeoutError
from .machinery.waiting import wait_for, wait_until_terminated
from .machinery.wire import show_http
from .names import InvalidNameError as InvalidNameError
from .names import TutorialNames, validate_container_group_name
from .names import new_run_id as new_run_id
from .names import validate_container_name as validate_container_name
from .names import validate_dns_label as validate_dns_label
from .names import validate_resource_group_name as validate_resource_group_name

# What the notebooks import. The other names above are for scripts and tests.
__all__ = [
    "ResourceGroupRecord",
    "TutorialNames",
    "clean_up",
    "connect",
    "ensure_resource_group",
    "explain",
    "explain_errors",
    "show_http",
    "status",
    "summarize",
    "table",
    "validate_container_group_name",
    "wait_for",
    "wait_until_terminated",
]
