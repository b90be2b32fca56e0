"""A small case-insensitive router: ARM matches paths in any case (resourceGroups, resourcegroups)."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug import Response

Handler = Callable[..., Response]

SEGMENT = r"(?P<{}>[^/]+)"
REST = r"(?P<{}>.*)"  # {name*}: the rest of the path, slashes included
PARAMETER = re.compile(r"\{(\w+)(\*?)\}")


@functools.cache
def compile_template(template: str) -> re.Pattern[str]:
    """The case-insensitive expression of a path template, compiled once per process (every
    emulator instance of a test run shares it). Text outside {…} is literal: the dot of
    Microsoft.ContainerInstance matches a dot only."""
    parts = []
    last = 0
    for found in PARAMETER.finditer(template):
        parts.append(re.escape(template[last : found.start()]))
        parts.append((REST if found.group(2) else SEGMENT).format(found.group(1)))
        last = found.end()
    parts.append(re.escape(template[last:]))
    return re.compile(f"^{''.join(parts)}/?$", re.IGNORECASE)


@dataclass
class Route:
    methods: tuple[str, ...]
    template: str
    handler: Handler
    authenticated: bool
    api_versions: str | None  # which api-version family the route accepts; None: not checked
    action: str  # what AuthorizationFailed names, e.g. Microsoft.ContainerInstance/containerGroups/write
    _pattern: re.Pattern[str] | None = field(default=None, repr=False)

    @property
    def pattern(self) -> re.Pattern[str]:
        # Compiled on the first request that reaches this route: a server answers its first
        # requests without compiling the routes after theirs.
        if self._pattern is None:
            self._pattern = compile_template(self.template)
        return self._pattern


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []
        # Tried after every route, for any method: how ARM answers a path the emulator does not
        # serve. The handler is told whether the path matched a route for another method.
        self.fallbacks: list[Route] = []

    def add(
        self,
        methods: str,
        template: str,
        handler: Handler,
        *,
        authenticated: bool = True,
        api_versions: str | None = None,
        action: str = "",
        fallback: bool = False,
    ) -> None:
        """`template` uses {name} for a path segment, e.g. /subscriptions/{sub}/resourcegroups/{rg},
        and {name*} for the rest of the path."""
        (self.fallbacks if fallback else self.routes).append(
            Route(
                tuple(methods.split()),
                template,
                handler,
                authenticated,
                api_versions,
                action,
            )
        )

    def match(self, method: str, path: str) -> tuple[Route | None, dict[str, Any], bool]:
        """The route and its parameters; the flag says the path matched for another method."""
        path_matched = False
        for route in self.routes:
            found = route.pattern.match(path)
            if found:
                if method in route.methods:
                    return route, found.groupdict(), True
                path_matched = True
        for route in self.fallbacks:
            found = route.pattern.match(path)
            if found:
                return route, {**found.groupdict(), "method_mismatch": path_matched}, True
        return None, {}, path_matched
