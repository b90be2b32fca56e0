"""ARM errors as values: a status, a code and a message, rendered by the web layer."""

from __future__ import annotations

from typing import Any


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


def not_implemented(operation: str) -> ArmError:
    return ArmError(
        501,
        "NotImplemented",
        f"The operation '{operation}' is not implemented by the local emulator. "
        "See emulator/README.md for the operations it supports.",
    )
