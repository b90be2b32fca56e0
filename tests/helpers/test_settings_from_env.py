import pytest

from helpers.machinery.errors import ConfigurationError
from helpers.machinery.settings import SETTINGS, Settings, default_path_environment, mask

SUB = "12345678-1234-1234-1234-123456789abc"


def settings(**env):
    return Settings.from_environment(env, run_id="abc123")


def test_auto_without_subscription_is_the_emulator():
    s = settings()
    assert (s.requested_target, s.target) == ("auto", "emulator")
    assert s.location == "eastus"
    assert s.resource_group == "aci-tutorial-rg-abc123"


def test_auto_with_subscription_is_azure():
    s = settings(AZURE_SUBSCRIPTION_ID=SUB)
    assert s.target == "azure"
    assert s.arm_endpoint == "https://management.azure.com"
    assert s.authority_host is None and not s.custom_authority


def test_explicit_emulator_wins_over_a_subscription():
    assert settings(AZURE_SUBSCRIPTION_ID=SUB, ACI_TUTORIAL_TARGET="Emulator").target == "emulator"


def test_target_argument_overrides_the_variable():
    s = Settings.from_environment({"ACI_TUTORIAL_TARGET": "azure"}, target="emulator")
    assert s.target == "emulator"


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"ACI_TUTORIAL_TARGET": "cloud"}, "ACI_TUTORIAL_TARGET"),
        ({"ACI_TUTORIAL_TARGET": "azure"}, "AZURE_SUBSCRIPTION_ID"),
        ({"AZURE_SUBSCRIPTION_ID": "my-subscription"}, "AZURE_SUBSCRIPTION_ID"),
        ({"AZURE_SUBSCRIPTION_ID": SUB, "AZURE_LOCATION": "east/us"}, "AZURE_LOCATION"),
        ({"ACI_TUTORIAL_RESOURCE_GROUP": "bad name."}, "ACI_TUTORIAL_RESOURCE_GROUP"),
        ({"AZURE_SUBSCRIPTION_ID": SUB, "REQUESTS_CA_BUNDLE": "/x/ca.pem"}, "REQUESTS_CA_BUNDLE"),
        (
            {"AZURE_SUBSCRIPTION_ID": SUB, "AZURE_RESOURCE_MANAGER_ENDPOINT": "http://x"},
            "AZURE_RESOURCE_MANAGER_ENDPOINT",
        ),
    ],
)
def test_malformed_configuration_names_the_variable_and_the_fix(env, variable):
    with pytest.raises(ConfigurationError) as caught:
        settings(**env)
    assert variable in caught.value.message
    assert variable in caught.value.advice
    assert "What to do:" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_private_cloud_endpoints_are_normalised():
    s = settings(
        AZURE_SUBSCRIPTION_ID=SUB,
        AZURE_RESOURCE_MANAGER_ENDPOINT="https://management.usgovcloudapi.net/",
        AZURE_AUTHORITY_HOST="login.microsoftonline.us",
        AZURE_LOCATION="US Gov Virginia",
    )
    assert s.arm_endpoint == "https://management.usgovcloudapi.net"
    assert s.authority_host == "https://login.microsoftonline.us"
    assert s.custom_authority
    assert s.location == "usgovvirginia"


def test_public_authority_is_not_custom():
    s = settings(AZURE_SUBSCRIPTION_ID=SUB, AZURE_AUTHORITY_HOST="login.microsoftonline.com")
    assert not s.custom_authority


def test_secret_is_not_in_repr():
    s = settings(AZURE_SUBSCRIPTION_ID=SUB, AZURE_CLIENT_SECRET="s3cr3t-value")
    assert s.client_secret == "s3cr3t-value"
    assert "s3cr3t" not in repr(s)


def test_dotenv_is_read_from_the_cwd_upward_and_the_environment_wins(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text(
        f"AZURE_SUBSCRIPTION_ID={SUB}\nAZURE_LOCATION=westeurope\nACI_TUTORIAL_RESOURCE_GROUP=a\n"
    )
    nested = tmp_path / "notebooks"
    nested.mkdir()
    monkeypatch.chdir(nested)
    for name in ("AZURE_SUBSCRIPTION_ID", "ACI_TUTORIAL_TARGET", "ACI_TUTORIAL_RESOURCE_GROUP"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AZURE_LOCATION", "northeurope")
    s = Settings.from_environment()
    assert s.target == "azure"
    assert s.subscription_id == SUB
    assert s.location == "northeurope"
    assert s.resource_group == "a"
    assert s.env_file == tmp_path / ".env"


def test_mask_keeps_only_the_ends():
    assert mask(SUB) == "1234…9abc"
    assert mask(None) == "(not set)"


def test_the_default_path_environment_drops_every_setting_and_refuses_a_dotenv(tmp_path):
    folder = tmp_path / "notebooks"
    folder.mkdir()
    environ = {name: "x" for name in SETTINGS} | {"PATH": "/bin", "HOME": "/home/me"}
    assert default_path_environment(environ, folder) == {"PATH": "/bin", "HOME": "/home/me"}
    (tmp_path / ".env").write_text("AZURE_SUBSCRIPTION_ID=00000000-0000-0000-0000-000000000001\n")
    with pytest.raises(ConfigurationError) as caught:
        default_path_environment({}, folder)
    assert caught.value.message == f"{tmp_path / '.env'} would configure this run."
