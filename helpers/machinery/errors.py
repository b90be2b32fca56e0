"""Turn the errors a tutorial run commonly meets into advice on what to do next.

The original exception is always kept (as ``__cause__`` and ``.original``), and so is the ARM
error object with its ``.code``: the explanation adds to the error, it never hides it.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from azure.core.exceptions import ClientAuthenticationError, ServiceRequestError

REGISTER_PROVIDER = (
    "Register the resource provider once per subscription (needs Contributor or Owner):\n"
    "    az provider register --namespace Microsoft.ContainerInstance\n"
    "then wait until `az provider show -n Microsoft.ContainerInstance --query registrationState` "
    "says Registered, and run the cell again."
)
SIGN_IN = (
    "Sign in with `az login` (then `az account set --subscription <id>`), or put a service "
    "principal in .env: AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET. "
    "To use the local emulator instead, set ACI_TUTORIAL_TARGET=emulator in .env (or export it "
    "in the shell that starts Jupyter) and restart the kernel."
)

REACH_SIGN_IN = (
    "The sign-in endpoint could not be reached or did not answer; the message says why. Check "
    "the network connection and AZURE_AUTHORITY_HOST; for a private cloud or an emulator server, "
    "point REQUESTS_CA_BUNDLE at its CA certificate. An HTTP 5xx answer is the service's own "
    "trouble: try again in a few minutes."
)
# azure-identity reports a token request that failed in transit as an authentication error,
# with the cause in its message only: these are not a sign-in problem.
_TRANSPORT_FAILURES = (
    "CERTIFICATE_VERIFY_FAILED",
    "Failed to establish a new connection",
    "Connection refused",
    "Name or service not known",
    "HTTP Error: 5",
)

NAME_RULES = (
    "Container group and container names have 1-63 lowercase letters, digits and hyphens, "
    "start and end with a letter or digit, and (group names) hold no '--'. "
    "helpers.TutorialNames checks names before any call."
)

# ARM error code -> what to do next. Codes from the service's error envelope.
ADVICE: dict[str, str] = {
    "ResourceGroupNotFound": (
        "The resource group does not exist (yet). Run the 'ensure the resource group' step "
        "first, or set ACI_TUTORIAL_RESOURCE_GROUP to a group that exists."
    ),
    "ResourceNotFound": (
        "The container group does not exist: it was never created, or it was already deleted. "
        "Run the create step again, or list the groups to see what exists."
    ),
    "MissingSubscriptionRegistration": REGISTER_PROVIDER,
    "ContainerGroupQuotaReached": (
        "The region's standard-core quota is used up (location.list_usage shows the limit and "
        "what is in use). Delete container groups you no longer need, request fewer cores, "
        "choose another "
        "region with AZURE_LOCATION, or ask for a quota increase in the Azure portal "
        "(Subscriptions > Usage + quotas)."
    ),
    "InaccessibleImage": (
        "ACI could not pull the image. Check its name and tag; a private registry needs "
        "image_registry_credentials. Prefer images on mcr.microsoft.com: Docker Hub limits "
        "anonymous pulls from ACI."
    ),
    "AuthorizationFailed": (
        "The signed-in identity has no role that allows this action at this scope. Ask for "
        "Contributor on the subscription or on the resource group (az role assignment create "
        "--role Contributor --assignee <you> --scope <scope>); new assignments take a few "
        "minutes, then sign in again (az login)."
    ),
    "SubscriptionNotFound": (
        "The subscription is unknown to the tenant you signed in to. Check AZURE_SUBSCRIPTION_ID "
        "(az account list -o table) and AZURE_TENANT_ID."
    ),
    "InvalidAuthenticationToken": SIGN_IN,
    "ExpiredAuthenticationToken": "Your sign-in expired. " + SIGN_IN,
    "AuthenticationFailed": SIGN_IN,
    "InvalidResourceGroup": (
        "Resource group names have 1-90 letters, digits, '_', '-', '.', '(' or ')' and do not "
        "end in '.'. Fix ACI_TUTORIAL_RESOURCE_GROUP."
    ),
    "InvalidContainerGroupName": NAME_RULES,
    "InvalidContainerName": NAME_RULES,
    "LocationNotAvailableForResourceGroup": (
        "This region is unknown or not available to the subscription. Set AZURE_LOCATION to a "
        "region name such as eastus or westeurope (az account list-locations --query [].name "
        "-o tsv)."
    ),
    "LocationNotAvailableForResourceType": (
        "Container Instances is not offered in this region. Choose another with AZURE_LOCATION "
        "(az provider show -n Microsoft.ContainerInstance "
        "--query \"resourceTypes[?resourceType=='containerGroups'].locations\")."
    ),
    "SkuNotAvailable": (
        "The region has no capacity for this request right now. Try another AZURE_LOCATION, "
        "fewer CPU cores or less memory, or try again later."
    ),
    "ServiceUnavailable": (
        "The region is busy. Try again in a few minutes, or use another AZURE_LOCATION."
    ),
}


class TutorialError(Exception):
    """An error with advice; ``.code`` and ``.error`` come from the Azure error, if any."""

    def __init__(
        self,
        message: str,
        advice: str = "",
        *,
        original: BaseException | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.advice = advice
        self.original = original
        # The ARM error object (ODataV4Format) with .code, .message, .details, or None.
        self.error = getattr(original, "error", None)
        self.code: str | None = getattr(self.error, "code", None)

    def __str__(self) -> str:
        """The message's first line, the advice, then the rest of the message (the SDK's)."""
        first, _, rest = self.message.partition("\n")
        lines = [first] + ([f"What to do: {self.advice}"] if self.advice else []) + [rest]
        return "\n".join(line for line in lines if line)

    def _render_traceback_(self) -> list[str]:
        """How IPython shows this error in a cell: short, advice first, no traceback."""
        return short_lines(self)


class ConfigurationError(TutorialError, ValueError):
    """Missing or malformed configuration; the message names the variable and the fix."""


FULL_TRACEBACK_HINT = (
    "(The full traceback with the Azure SDK's exception: run  "
    "from helpers import show_traceback; show_traceback()  in a new cell.)"
)
MAX_DETAIL_LINES = 12
MAX_LINE = 200
# Lines of azure-identity's messages that repeat a link instead of saying what failed.
_NOISE = ("Visit https://", "To mitigate this issue")


def short_lines(err: TutorialError) -> list[str]:
    """At most ~20 lines: what went wrong, what to do, the original message condensed."""
    first, _, rest = err.message.partition("\n")
    lines = [f"{type(err).__name__}: {first}"]
    if err.advice:
        lines.append(f"What to do: {err.advice}")
    details = [
        line if len(line) <= MAX_LINE else line[: MAX_LINE - 1] + "…"
        for line in rest.splitlines()
        if line.strip() and not line.strip().startswith(_NOISE)
    ]
    if len(details) > MAX_DETAIL_LINES:
        hidden = len(details) - MAX_DETAIL_LINES + 1
        details = details[: MAX_DETAIL_LINES - 1] + [f"… ({hidden} more lines)"]
    lines += details
    lines.append(FULL_TRACEBACK_HINT)
    return lines


def show_traceback(err: BaseException | None = None) -> None:
    """Print the full traceback of ``err`` (default: the last error of this kernel), causes too."""
    err = err or getattr(sys, "last_value", None)
    if err is None:
        print("No error to show: no cell has failed yet.")
        return
    traceback.print_exception(type(err), err, err.__traceback__, file=sys.stdout)


def error_code(err: BaseException) -> str | None:
    """The ARM error code of an Azure SDK exception, if it carries one."""
    return getattr(getattr(err, "error", None), "code", None)


def _first_line(err: BaseException) -> str:
    error = getattr(err, "error", None)
    message = getattr(error, "message", None) or getattr(err, "message", None) or str(err)
    return str(message).strip().splitlines()[0] if str(message).strip() else type(err).__name__


def explain(err: BaseException) -> TutorialError | None:
    """Advice for ``err``, or None when it is not an error this tutorial knows about."""
    if isinstance(err, TutorialError):
        return err
    code = error_code(err)
    if code in ADVICE:
        return TutorialError(f"({code}) {_first_line(err)}", ADVICE[code], original=err)
    if (code and "DnsNameLabel" in code) or "DNS name label" in _first_line(err):
        return TutorialError(
            _first_line(err),
            "The DNS name label is invalid or already used in this region. Labels have 5-63 "
            "lowercase letters, digits and hyphens, start with a letter and end with a letter "
            "or digit. Run the notebook again from the setup cell: each run gets a new random "
            "suffix.",
            original=err,
        )
    if isinstance(err, ClientAuthenticationError) and err.response is None:
        # Raised by azure-identity before any ARM call; its message lists every attempt.
        unreachable = any(marker in str(err.message) for marker in _TRANSPORT_FAILURES)
        advice = REACH_SIGN_IN if unreachable else SIGN_IN
        return TutorialError(f"Could not get an access token: {err.message}", advice, original=err)
    if isinstance(err, ClientAuthenticationError):
        return TutorialError(f"Azure refused the token: {_first_line(err)}", SIGN_IN, original=err)
    if isinstance(err, ServiceRequestError):
        return TutorialError(
            f"Could not reach the endpoint: {_first_line(err)}",
            "Check the network connection, AZURE_RESOURCE_MANAGER_ENDPOINT and, for a private "
            "endpoint, REQUESTS_CA_BUNDLE.",
            original=err,
        )
    return None


@contextmanager
def explain_errors() -> Iterator[None]:
    """Re-raise known Azure errors as a TutorialError with advice; others pass unchanged."""
    try:
        yield
    except TutorialError:
        raise
    except Exception as err:
        explained = explain(err)
        if explained is None:
            raise
        raise explained from err
