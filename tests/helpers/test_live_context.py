"""Building a live context needs no network: nothing is sent until a call is made."""

import os

from azure.identity import DefaultAzureCredential

from helpers import connect
from helpers.clients import arm_scope

SUB = "12345678-1234-1234-1234-123456789abc"


def test_live_context_uses_default_credential_and_the_public_endpoint():
    env = {"AZURE_SUBSCRIPTION_ID": SUB, "AZURE_CLIENT_SECRET": "do-not-print-me"}
    with connect(environ=env, check=False) as ctx:
        assert ctx.target == "azure" and not ctx.emulated
        assert isinstance(ctx.credential, DefaultAzureCredential)
        assert ctx.subscription_id == SUB
        assert ctx.polling_interval == 2.0
        assert ctx.aci._config.polling_interval == 2.0
        assert ctx.resources._config.polling_interval == 2.0
        shown = str(ctx) + repr(ctx) + ctx._repr_html_()
        assert SUB not in shown and "do-not-print-me" not in shown
        assert "1234…9abc" in shown
        assert "live" in str(ctx)


def test_tags_name_the_run():
    with connect(environ={"AZURE_SUBSCRIPTION_ID": SUB}, check=False) as ctx:
        tags = ctx.tags()
        assert tags["created-by"] == "aci-notebook-tutorial"
        assert tags["tutorial-run"] == ctx.run_id
        assert tags["created-at"].endswith("+00:00")


def test_sovereign_clouds_ask_for_their_own_audience():
    assert arm_scope("https://management.azure.com") == "https://management.azure.com/.default"
    assert arm_scope("https://127.0.0.1:8443") == "https://management.azure.com/.default"
    assert arm_scope("https://management.usgovcloudapi.net/").endswith("usgovcloudapi.net/.default")


def test_empty_env_file_values_are_not_exported(tmp_path, monkeypatch):
    """A .env copied from .env.example has empty values; they must not reach azure-identity."""
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"AZURE_SUBSCRIPTION_ID={SUB}\nAZURE_AUTHORITY_HOST=\nAZURE_TENANT_ID=tenant-from-env-file\n"
    )
    for name in ("AZURE_SUBSCRIPTION_ID", "AZURE_AUTHORITY_HOST", "AZURE_TENANT_ID"):
        monkeypatch.setenv(name, "")  # recorded, so whatever connect() exports is undone
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    with connect(check=False) as ctx:
        assert ctx.target == "azure"
        assert "AZURE_AUTHORITY_HOST" not in os.environ
        assert os.environ["AZURE_TENANT_ID"] == "tenant-from-env-file"
        environment_credential = ctx.credential.credentials[0]
        assert type(environment_credential).__name__ == "EnvironmentCredential"


def test_nothing_leaked_into_the_environment():
    assert (
        "AZURE_TENANT_ID" not in os.environ
        or os.environ["AZURE_TENANT_ID"] != "tenant-from-env-file"
    )
