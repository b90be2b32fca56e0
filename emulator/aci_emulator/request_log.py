"""The requests an emulator answered, as a test reads them (pytest-httpserver keeps such a log)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

# Entra ID's paths, all under a tenant (or `common`): /{tenant}/oauth2/..., /{tenant}/v2.0/...
# (discovery), /{tenant}/discovery/... (keys; MSAL's instance discovery). The emulator's admin
# routes are under /_emulator/. Everything else is Resource Manager's.
_ENTRA_SECOND_SEGMENTS = ("oauth2", "v2.0", "discovery")
ADMIN_PREFIX = "/_emulator/"


@dataclass(frozen=True)
class LoggedRequest:
    """One request the emulator answered (a dropped connection answers nothing). `path` is as
    the client sent it: its casing differs between clients (the resource client sends
    `resourcegroups`, the Container Instances client `resourceGroups`), as ARM, whose paths are
    case-insensitive, allows; `is_to` compares paths as ARM does."""

    method: str
    path: str
    query: str  # the query string, without its '?'
    status: int

    @property
    def service(self) -> Literal["arm", "entra", "emulator"]:
        """Which service answered: Resource Manager, Entra ID (tokens, discovery) or the
        emulator's admin routes."""
        if self.path.startswith(ADMIN_PREFIX):
            return "emulator"
        segments = self.path.split("/")
        if len(segments) > 2 and segments[2].lower() in _ENTRA_SECOND_SEGMENTS:
            return "entra"
        return "arm"

    def is_to(self, method: str, path: str) -> bool:
        """Whether this is `method` `path`, the path compared case-insensitively (as ARM)."""
        return self.method.upper() == method.upper() and (
            self.path.rstrip("/").casefold() == path.split("?")[0].rstrip("/").casefold()
        )


class RequestLog(logging.Handler):
    """The requests the emulator answers while attached, from any client (the SDK, the CLI …),
    read from its request logger. Debug records of that logger are made only while attached, and
    reach no other handler then unless someone asked for them."""

    LOGGER = "aci_emulator.requests"

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.entries: list[LoggedRequest] = []
        self._logger = logging.getLogger(self.LOGGER)
        self._saved: tuple[int, bool] | None = None

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args
        if isinstance(args, tuple) and len(args) == 3 and record.msg == "%s %s -> %s":
            method, full_path, status = args
            path, _, query = str(full_path).partition("?")
            self.entries.append(LoggedRequest(str(method), path, query, int(status)))

    def attach(self) -> None:
        logger = self._logger
        self._saved = (logger.level, logger.propagate)
        if not logger.isEnabledFor(logging.DEBUG):  # nobody else asked for the debug records
            logger.setLevel(logging.DEBUG)
            logger.propagate = False
        logger.addHandler(self)

    def detach(self) -> None:
        self._logger.removeHandler(self)
        if self._saved is not None:
            self._logger.setLevel(self._saved[0])
            self._logger.propagate = self._saved[1]
            self._saved = None
