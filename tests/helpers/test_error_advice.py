import pytest
from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceNotFoundError,
    ServiceRequestError,
)
from azure.identity import CredentialUnavailableError

from helpers.machinery.errors import TutorialError, explain, explain_errors


@pytest.mark.parametrize(
    ("status", "code", "hint"),
    [
        (404, "ResourceGroupNotFound", "ensure the resource group"),
        (409, "MissingSubscriptionRegistration", "az provider register"),
        (400, "ContainerGroupQuotaReached", "quota"),
        (400, "InaccessibleImage", "image_registry_credentials"),
        (403, "AuthorizationFailed", "Contributor"),
        (400, "InvalidResourceGroup", "ACI_TUTORIAL_RESOURCE_GROUP"),
        (400, "InvalidContainerGroupName", "no '--'"),
        (400, "InvalidContainerName", "TutorialNames"),
    ],
)
def test_common_arm_errors_get_advice_and_keep_the_original(arm_error, status, code, hint):
    err = arm_error(status, code, f"message for {code}")
    explained = explain(err)
    assert isinstance(explained, TutorialError)
    assert hint in explained.advice
    assert explained.code == code
    assert explained.error.code == code
    assert explained.original is err
    assert f"({code}) message for {code}" in str(explained)


def test_the_context_manager_chains_the_original(arm_error):
    err = arm_error(
        404,
        "ResourceGroupNotFound",
        "Resource group 'x' could not be found.",
        ResourceNotFoundError,
    )
    with pytest.raises(TutorialError) as caught, explain_errors():
        raise err
    assert caught.value.__cause__ is err
    assert caught.value.code == "ResourceGroupNotFound"


def test_unknown_errors_pass_unchanged(arm_error):
    err = arm_error(400, "SomethingElse", "nope")
    assert explain(err) is None
    with pytest.raises(HttpResponseError) as caught, explain_errors():
        raise err
    assert caught.value is err
    with pytest.raises(KeyError), explain_errors():
        raise KeyError("x")


def test_dns_label_conflicts_are_explained(arm_error):
    err = arm_error(400, "DnsNameLabelAlreadyReserved", "The DNS name label 'x' is in use.")
    assert "DNS name label" in explain(err).advice


def test_a_credential_that_cannot_sign_in_is_explained():
    err = CredentialUnavailableError(
        "DefaultAzureCredential failed to retrieve a token.\nAttempted: ..."
    )
    explained = explain(err)
    assert "az login" in explained.advice
    assert "Attempted" in explained.message
    assert explained.code is None


def test_a_refused_token_is_explained(arm_error):
    err = arm_error(
        401, "ExpiredAuthenticationToken", "The access token expiry ...", ClientAuthenticationError
    )
    assert "expired" in explain(err).advice


def test_connection_errors_are_explained():
    assert (
        "REQUESTS_CA_BUNDLE"
        in explain(ServiceRequestError("SSL: CERTIFICATE_VERIFY_FAILED")).advice
    )


def test_tutorial_errors_pass_through():
    err = TutorialError("x", "y")
    assert explain(err) is err
