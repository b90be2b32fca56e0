"""The setup cell says which credential it uses and why, and where every setting came from."""

from __future__ import annotations

import os

import pytest
import trustme

from aci_emulator import Emulator, EmulatorConfig
from helpers import connect
from helpers.machinery.errors import ConfigurationError, TutorialError

SUBSCRIPTION = "11111111-2222-3333-4444-555555555555"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project folder with a .env, as the kernel sees it: the cwd is its notebooks/ folder.

    A live connect() copies .env into os.environ (for azure-identity): it is restored afterwards.
    """
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith(("AZURE_", "ACI_TUTORIAL_")) or name == "REQUESTS_CA_BUNDLE":
            del os.environ[name]
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    yield tmp_path
    os.environ.clear()
    os.environ.update(saved)


def lines_of(text: str, start: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith(start)]


def test_emulator_setup_names_its_credential_ca_and_the_source_of_each_setting(project):
    (project / ".env").write_text("AZURE_LOCATION=westeurope\n")
    with connect() as ctx:
        text = str(ctx)
        html = ctx._repr_html_()
    assert lines_of(text, "credential") == [
        "credential                 ClientSecretCredential: "
        "a service principal the emulator issued for this run"
    ]
    assert lines_of(text, "CA bundle") == [
        "CA bundle                  the emulator's own CA, created for this run"
    ]
    assert f".env: {project / '.env'}" in text
    assert lines_of(text, "AZURE_LOCATION")[0].split() == ["AZURE_LOCATION", "westeurope", ".env"]
    assert lines_of(text, "ACI_TUTORIAL_TARGET")[0].split() == [
        "ACI_TUTORIAL_TARGET",
        "auto",
        "(so:",
        "emulator)",
        "default",
    ]
    assert "ClientSecretCredential" in html and "westeurope" in html and "default" in html
    assert "Warning" not in text


def test_live_setup_explains_default_azure_credential_and_warns_of_overridden_env_values(
    project, monkeypatch
):
    (project / ".env").write_text(
        f"AZURE_SUBSCRIPTION_ID={SUBSCRIPTION}\nREQUESTS_CA_BUNDLE={project / 'emulator-ca.pem'}\n"
    )
    (project / "emulator-ca.pem").write_text("")
    system_ca = project / "company-ca.pem"
    system_ca.write_text("")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(system_ca))

    with connect(check=False) as ctx:
        text = str(ctx)

    credential = lines_of(text, "credential")[0]
    assert credential.split()[1] == "DefaultAzureCredential:"
    for way in ("AZURE_CLIENT_SECRET", "managed identity", "az login"):
        assert way in credential
    assert lines_of(text, "CA bundle") == [
        f"CA bundle                  {system_ca} (REQUESTS_CA_BUNDLE from environment)"
    ]
    assert lines_of(text, "AZURE_SUBSCRIPTION_ID")[0].split()[-1] == ".env"
    assert lines_of(text, "REQUESTS_CA_BUNDLE")[0].split()[1:] == [str(system_ca), "environment"]
    assert lines_of(text, "Warning:") == [
        f"Warning: REQUESTS_CA_BUNDLE in .env ({project / 'emulator-ca.pem'}) is overridden by "
        f"the environment ({system_ca}). To use the .env value, unset it in the shell that starts "
        "Jupyter (unset REQUESTS_CA_BUNDLE) and restart the kernel."
    ]
    assert SUBSCRIPTION not in text  # masked


@pytest.fixture
def server():
    emulator = Emulator(EmulatorConfig())
    info = emulator.start()
    yield info
    emulator.stop()


def test_a_system_ca_bundle_that_overrides_env_is_named_in_the_advice(project, monkeypatch, server):
    """The .env of an emulator server loses to a company-wide REQUESTS_CA_BUNDLE: say so."""
    (project / ".env").write_text(
        "\n".join(
            [
                "ACI_TUTORIAL_TARGET=azure",
                f"AZURE_SUBSCRIPTION_ID={server.subscription_id}",
                f"AZURE_TENANT_ID={server.tenant_id}",
                f"AZURE_CLIENT_ID={server.client_id}",
                f"AZURE_CLIENT_SECRET={server.client_secret}",
                f"AZURE_RESOURCE_MANAGER_ENDPOINT={server.arm_endpoint}",
                f"AZURE_AUTHORITY_HOST={server.authority_host}",
                f"REQUESTS_CA_BUNDLE={server.ca_bundle}",
            ]
        )
    )
    company_ca = project / "company-ca.pem"
    trustme.CA().cert_pem.write_to_path(str(company_ca))  # trusts nothing the emulator serves
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(company_ca))

    with pytest.raises(TutorialError) as caught:
        connect()

    err = caught.value
    assert "CERTIFICATE_VERIFY_FAILED" in err.message  # the SDK's own words, kept
    assert err.advice.startswith("The sign-in endpoint could not be reached")
    assert f"The CA bundle in use: {company_ca} (REQUESTS_CA_BUNDLE from environment)." in (
        err.advice
    )
    assert f"REQUESTS_CA_BUNDLE in .env ({server.ca_bundle}) is overridden" in err.advice
    assert "unset REQUESTS_CA_BUNDLE" in err.advice


def test_a_server_env_file_shows_the_emulator_and_outlives_its_server_with_its_own_advice(
    project,
):
    """The .env that `serve --env-file` writes, read while the server runs and after it stopped
    without removing it (a terminal closed under it)."""
    from aci_emulator.__main__ import env_file_text

    emulator = Emulator(EmulatorConfig())
    info = emulator.start()
    env_file = project / ".env"
    env_file.write_text(env_file_text(info))
    try:
        with connect() as ctx:
            target = lines_of(str(ctx), "target")[0]
        assert target == (
            "target                     local emulator server (nothing is created in Azure)"
        )
    finally:
        emulator.stop()
    for name in list(os.environ):  # what the live connect() copied from .env
        if name.startswith("AZURE_") or name == "REQUESTS_CA_BUNDLE":
            del os.environ[name]

    with pytest.raises(ConfigurationError) as caught:
        connect()

    err = caught.value
    assert err.message.startswith(
        f"{env_file} was written by an emulator server (python -m aci_emulator serve) that is "
        f"no longer running: nothing answers at {info.arm_endpoint} now ("
    )
    port = info.arm_endpoint.rsplit(":", 1)[1]
    assert err.advice == (
        f"Start the server again (.venv/bin/python -m aci_emulator serve --port {port} "
        f"--env-file .env), or delete {env_file} to use an emulator in this process; then "
        "restart the kernel."
    )
    assert "DefaultAzureCredential" not in str(err)  # no sign-in was tried


def test_a_server_env_file_does_not_matter_when_the_emulator_target_is_chosen(project, monkeypatch):
    from aci_emulator.__main__ import env_file_text

    emulator = Emulator(EmulatorConfig())
    info = emulator.start()
    (project / ".env").write_text(env_file_text(info))
    emulator.stop()  # its .env outlives it
    monkeypatch.setenv("ACI_TUTORIAL_TARGET", "emulator")

    with connect() as ctx:
        assert ctx.emulated
        assert lines_of(str(ctx), "target")[0].endswith(
            "local emulator (in this process; nothing is created in Azure)"
        )
