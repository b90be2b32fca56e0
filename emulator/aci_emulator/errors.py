"""ARM errors as values: a status, a code and a message, rendered by the web layer."""

from __future__ import annotations

from typing import Any

RG_TYPE = "Microsoft.Resources/resourceGroups"  # its refusals are worded as ARM's own


class ArmError(Exception):
    """An error ARM answers with its envelope: {"error": {"code", "message", ...}}."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        target: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"({code}) {message}")
        self.status = status
        self.code = code
        self.message = message
        self.target = target
        self.headers = headers or {}

    def envelope(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.target:
            error["target"] = self.target
        return {"error": error}


def bad_request(code: str, message: str) -> ArmError:
    return ArmError(400, code, message)


def not_found(code: str, message: str) -> ArmError:
    return ArmError(404, code, message)


def resource_group_not_found(name: str) -> ArmError:
    return not_found("ResourceGroupNotFound", f"Resource group '{name}' could not be found.")


def resource_not_found(resource_type: str, name: str, resource_group: str) -> ArmError:
    return not_found(
        "ResourceNotFound",
        f"The Resource '{resource_type}/{name}' under resource group '{resource_group}' was not "
        "found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
    )


def wrong_tenant(issuer: str, expected_issuer: str, tenant_id: str) -> ArmError:
    """A token of another tenant than the subscription's (ARM's text)."""
    return ArmError(
        401,
        "InvalidAuthenticationTokenTenant",
        f"The access token is from the wrong issuer '{issuer}'. It must match the tenant "
        f"'{expected_issuer}' associated with this subscription. Please use the authority (URL) "
        f"'https://login.windows.net/{tenant_id}' to get the token.",
    )


def request_too_large(max_bytes: int) -> ArmError:
    """A body over the limit (ARM's 4 MB by default): 413, as ARM answers it."""
    shown = f"{max_bytes // 2**20} MB" if max_bytes % 2**20 == 0 else f"{max_bytes} bytes"
    return ArmError(
        413,
        "RequestContentTooLarge",
        f"The request content size exceeds the maximum size of {shown}.",
    )


def request_headers_too_large(*, max_count: int = 0, max_bytes: int = 0) -> ArmError:
    """Too many headers (`max_count`) or too long (`max_bytes`): 431 (our reading of the code,
    ARM's front end answers this itself in a format we could not find)."""
    if max_count:
        message = f"The request has more than {max_count} headers."
    else:
        message = f"The request's headers are longer than {max_bytes} bytes."
    return ArmError(431, "RequestHeaderFieldsTooLarge", message)


def too_many_json_values(max_values: int) -> ArmError:
    """A body of more JSON values than the emulator reads (Limits.max_json_values): ARM's answer
    to a body too large, its size counted in values (our reading)."""
    return ArmError(
        413,
        "RequestContentTooLarge",
        f"The request content size exceeds the maximum size of {max_values} JSON values.",
    )


def unsupported_media_type(media_type: str | None) -> ArmError:
    """A request body that is not sent as application/json (web/media_type.py has the rule and
    its evidence); `None`: no Content-Type, or none that names a media type."""
    shown = "<null>" if media_type is None else media_type
    return ArmError(
        415,
        "UnsupportedMediaType",
        f"The content media type '{shown}' is not supported. Only 'application/json' is supported.",
    )


def invalid_port(port: str, where: str) -> ArmError:
    """A port outside 1-65535 (our reading: no real answer found); `where` names its place."""
    return bad_request(
        "InvalidPort",
        f"The port '{port}' {where} is invalid. A port must be an integer between 1 and 65535.",
    )


def invalid_content(detail: str) -> ArmError:
    """A body that cannot be read as the API's types (ARM's deserializer's answer)."""
    return bad_request(
        "InvalidRequestContent",
        f"The request content was invalid and could not be deserialized: '{detail}'.",
    )


def method_not_allowed(method: str, path: str) -> ArmError:
    """A path ARM knows, with a method it does not serve there."""
    return ArmError(
        405, "MethodNotAllowed", f"The requested method '{method}' is not allowed for '{path}'."
    )


def invalid_resource_requests(message: str) -> ArmError:
    """A container's CPU or memory request Container Instances refuses (the message says
    which rule: backend/aci/bounds.py, backend/aci/validation.py)."""
    return bad_request("InvalidContainerResourceRequests", message)


def invalid_filter(expression: str) -> ArmError:
    """A $filter the emulator cannot read (ARM's code; the supported grammar is ours)."""
    return bad_request(
        "InvalidFilterInQueryString",
        f"Invalid $filter '{expression}' specified in the query string. The local emulator "
        "supports \"tagName eq '<name>'\" optionally followed by \"and tagValue eq '<value>'\".",
    )


def invalid_request_parameter(message: str) -> ArmError:
    """A query parameter of the wrong form."""
    return bad_request("InvalidRequestParameter", message)


def container_log_not_available(container: str, group: str) -> ArmError:
    """Logs of a container that has not started yet (virtual-kubelet/virtual-kubelet#237)."""
    return not_found(
        "ContainerLogNotAvailable",
        f"Log of container '{container}' in container group '{group}' is not available yet. "
        "Please check container 'InstanceView' for more information or retry later.",
    )


def operation_not_found(operation_id: str) -> ArmError:
    return not_found("OperationNotFound", f"The operation '{operation_id}' could not be found.")


def resource_group_being_deleted(name: str) -> ArmError:
    return ArmError(
        409,
        "ResourceGroupBeingDeleted",
        f"The resource group '{name}' is in deprovisioning state and cannot perform this "
        "operation.",
    )


def container_group_transitioning(name: str) -> ArmError:
    """An operation on a group whose last one (create, update, start, restart) has not finished
    (sources in emulator/README.md's error table)."""
    return ArmError(
        409,
        "ContainerGroupTransitioning",
        f"The container group '{name}' is still transitioning, please retry later.",
    )


def location_not_available(location: str, resource_type: str, regions: str) -> ArmError:
    """A region that does not offer the resource type (for a resource group: any region ARM
    does not know)."""
    if resource_type == RG_TYPE:
        return bad_request(
            "LocationNotAvailableForResourceGroup",
            f"The provided location '{location}' is not available for resource group. "
            f"List of available regions is '{regions}'.",
        )
    return bad_request(
        "LocationNotAvailableForResourceType",
        f"The provided location '{location}' is not available for resource type "
        f"'{resource_type}'. List of available regions for the resource type is '{regions}'.",
    )


def not_implemented(operation: str) -> ArmError:
    return ArmError(
        501,
        "NotImplemented",
        f"The operation '{operation}' is not implemented by the local emulator. "
        "See emulator/README.md for the operations it supports.",
    )
