"""A helper's error in a notebook cell: what went wrong, what to do, the SDK's message; short."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

from azure.identity import CredentialUnavailableError
from IPython.core.interactiveshell import InteractiveShell

from helpers.machinery.errors import SIGN_IN, explain, show_traceback

# DefaultAzureCredential's message on a machine with no way to sign in (azure-identity 1.27).
CHAIN = """DefaultAzureCredential failed to retrieve a token from the included credentials.
Attempted credentials:
\tEnvironmentCredential: EnvironmentCredential authentication unavailable. Environment variables are not fully configured.
Visit https://aka.ms/azsdk/python/identity/environmentcredential/troubleshoot to troubleshoot this issue.
\tWorkloadIdentityCredential: WorkloadIdentityCredential authentication unavailable. The workload options are not fully configured. See the troubleshooting guide for more information: https://aka.ms/azsdk/python/identity/workloadidentitycredential/troubleshoot. Missing required arguments: 'tenant_id', 'client_id', 'token_file_path'.
\tManagedIdentityCredential: ManagedIdentityCredential authentication unavailable.
\tSharedTokenCacheCredential: SharedTokenCacheCredential authentication unavailable. No accounts were found in the cache.
\tVisualStudioCodeCredential: VisualStudioCodeCredential requires the 'azure-identity-broker' package to be installed.
\tAzureCliCredential: Azure CLI not found on path
\tAzurePowerShellCredential: PowerShell is not installed
\tAzureDeveloperCliCredential: Azure Developer CLI could not be found.
\tBrokerCredential: InteractiveBrowserBrokerCredential unavailable.
To mitigate this issue, please refer to the troubleshooting guidelines here at https://aka.ms/azsdk/python/identity/defaultazurecredential/troubleshoot."""


def failed_sign_in():
    err = CredentialUnavailableError(CHAIN)
    explained = explain(err)
    explained.__cause__ = err
    return explained


def test_ipython_shows_a_failed_sign_in_in_at_most_20_lines_advice_second():
    shell = InteractiveShell.instance()
    shell.user_ns["failed_sign_in"] = failed_sign_in
    shown: list[str] = []
    original = shell._showtraceback
    shell._showtraceback = lambda etype, evalue, stb: shown.extend(stb)
    try:
        shell.run_cell("raise failed_sign_in()")
    finally:
        shell._showtraceback = original

    assert 0 < len(shown) <= 20, shown
    assert shown[0] == (
        "TutorialError: Could not get an access token: "
        "DefaultAzureCredential failed to retrieve a token from the included credentials."
    )
    assert shown[1] == f"What to do: {SIGN_IN}"
    for credential in ("EnvironmentCredential", "ManagedIdentityCredential", "AzureCliCredential"):
        assert sum(credential + ":" in line for line in shown) == 1  # the chain once, kept
    assert not any("Traceback" in line for line in shown)
    assert not any(line.startswith(("Visit https://", "To mitigate")) for line in shown)
    assert "show_traceback()" in shown[-1]


def test_sign_in_advice_says_what_to_write_in_env():
    assert "set ACI_TUTORIAL_TARGET=emulator in .env" in SIGN_IN
    assert "unset AZURE_SUBSCRIPTION_ID" not in SIGN_IN


def test_show_traceback_prints_the_whole_chain():
    try:
        raise failed_sign_in()
    except Exception as err:
        caught = err
    out = io.StringIO()
    with redirect_stdout(out):
        show_traceback(caught)
    text = out.getvalue()
    assert "CredentialUnavailableError" in text and "TutorialError" in text
    assert "direct cause of the following exception" in text
    assert "aka.ms/azsdk/python/identity/defaultazurecredential" in text  # nothing cut
