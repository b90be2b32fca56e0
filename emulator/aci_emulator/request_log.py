"""The requests an emulator answered, as a test reads them (pytest-httpserver keeps such a log)."""

from __future__ import annotations

import logging
from dataclasses import dataclass


@dataclass(frozen=True)
class LoggedRequest:
    """One request the emulator answered (a dropped connection answers nothing)."""

    method: str
    path: str
    query: str  # the query string, without its '?'
    status: int


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
