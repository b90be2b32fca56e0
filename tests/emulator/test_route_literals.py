"""A route's text outside its {parameters} is literal: a namespace whose dot is another
character is not Microsoft.ContainerInstance (ARM answers an unknown namespace), and the token
endpoint's 'v2.0' is not 'v2x0'."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aci_emulator.backend import arm_namespaces

ACI_VERSION = "2023-05-01"
EXAMPLES = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
NOT_A_DOT = st.characters(
    whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=127
) | st.sampled_from("-_~")


@EXAMPLES
@given(instead=NOT_A_DOT)
def test_the_namespace_dot_matches_a_dot_only(raw, rg, instead):
    namespace = f"Microsoft{instead}ContainerInstance"
    assert not arm_namespaces.is_known(namespace)
    for path in (
        f"/subscriptions/{{sub}}/providers/{namespace}/containerGroups",
        f"/subscriptions/{{sub}}/resourceGroups/{rg}/providers/{namespace}/containerGroups",
    ):
        response = raw.request("GET", path, api_version=ACI_VERSION)
        assert response.status_code == 400, path
        assert response.json()["error"] == {
            "code": "InvalidResourceNamespace",
            "message": f"The resource namespace '{namespace}' is invalid.",
        }


@pytest.mark.parametrize(
    "path", ["/{t}/v2x0/.well-known/openid-configuration", "/{t}/discovery/v2-0/keys"]
)
def test_the_identity_routes_match_their_dots_literally(raw, info, path):
    response = raw.request("GET", path.format(t=info.tenant_id), api_version=None)
    assert response.status_code == 501
    assert response.json()["error"]["code"] == "NotImplemented"
