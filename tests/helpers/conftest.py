"""Shared test material: Azure SDK errors built from real ARM error envelopes."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import requests
from azure.core.exceptions import HttpResponseError
from azure.core.pipeline.transport._requests_basic import RequestsTransportResponse
from azure.core.rest import HttpRequest
from azure.mgmt.core.exceptions import ARMErrorFormat


def make_arm_error(
    status: int, code: str, message: str, cls: type[HttpResponseError] = HttpResponseError
) -> HttpResponseError:
    """The exception the SDK raises for an ARM error response."""
    raw = requests.Response()
    raw.status_code = status
    raw._content = json.dumps({"error": {"code": code, "message": message}}).encode()
    raw.headers["content-type"] = "application/json; charset=utf-8"
    response = RequestsTransportResponse(HttpRequest("PUT", "https://management.azure.com/x"), raw)
    return cls(response=response, error_format=ARMErrorFormat)


@pytest.fixture
def arm_error() -> Callable[..., HttpResponseError]:
    return make_arm_error
