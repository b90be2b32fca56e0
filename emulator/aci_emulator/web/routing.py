"""A small case-insensitive router: ARM matches paths in any case (resourceGroups, resourcegroups).

In ASCII case only (re.ASCII): ARM's paths are ASCII, and Unicode folding would take
'/ſubscriptions' (U+017F) for '/subscriptions' where the door's checks do not."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from werkzeug import Response

Handler = Callable[..., Response]

SEGMENT = r"(?P<{}>[^/]+)"
REST = r"(?P<{}>.*)"  # {name*}: the rest of the path, slashes included


@dataclass
class Route:
    methods: tuple[str, ...]
    pattern: re.Pattern[str]
    handler: Handler
    authenticated: bool
    api_versions: str | None  # which api-version family the route accepts; None: not checked
    action: str  # what AuthorizationFailed names, e.g. Microsoft.ContainerInstance/containerGroups/write


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
        regex = re.sub(
            r"\{(\w+)(\*?)\}",
            lambda m: (REST if m.group(2) else SEGMENT).format(m.group(1)),
            template,
        )
        (self.fallbacks if fallback else self.routes).append(
            Route(
                tuple(methods.split()),
                re.compile(f"^{regex}/?$", re.IGNORECASE | re.ASCII),
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
