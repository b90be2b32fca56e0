"""Ask a container registry whether an image exists and can be pulled anonymously.

The OCI distribution API, as ACI's own pull would meet it: ask for the manifest; on a 401 with
a bearer challenge, fetch an anonymous token from the realm it names and ask again. 200 means
the image exists and is public; 401, 403 or 404 mean it does not, or is not public. Anything
else (no network, a timeout, a 5xx, a 429) is "unknown", and the caller falls back to its rule.
Answers are cached per image, so a notebook run asks each registry once.
"""

from __future__ import annotations

import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping

from aci_emulator.backend.aci.images import registry_of

# Where each registry serves the distribution API (Docker Hub's names live at another host).
API_HOSTS = {"docker.io": "registry-1.docker.io", "index.docker.io": "registry-1.docker.io"}
MANIFEST_TYPES = ", ".join(
    (
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.distribution.manifest.v2+json",
    )
)
CHALLENGE = re.compile(r'(\w+)="([^"]*)"')
# After a registry failed to answer, it is not asked again for this long (offline stays fast).
RETRY_UNREACHABLE_SECONDS = 60.0


def split_reference(image: str) -> tuple[str, str, str]:
    """'nginx' -> ('docker.io', 'library/nginx', 'latest'); digests and tags kept."""
    registry = registry_of(image)
    name = image[len(registry) + 1 :] if image.lower().startswith(registry + "/") else image
    if "@" in name:
        name, reference = name.split("@", 1)
    elif re.search(r":[\w][\w.-]*$", name):
        name, reference = name.rsplit(":", 1)
    else:
        reference = "latest"
    if registry in API_HOSTS and "/" not in name:
        name = f"library/{name}"
    return registry, name, reference


class RegistryLookup:
    """Looks images up in their registries; thread-safe, with a cache per image."""

    def __init__(self, timeout: float = 3.0, endpoints: Mapping[str, str] | None = None) -> None:
        self.timeout = timeout
        # registry host -> base URL, e.g. {"mcr.microsoft.com": "http://127.0.0.1:5000"} (tests)
        self.endpoints = {k.lower(): v.rstrip("/") for k, v in (endpoints or {}).items()}
        self._cache: dict[str, bool] = {}
        self._down_until: dict[str, float] = {}  # registry -> monotonic time to ask again
        self._lock = threading.Lock()

    def base_url(self, registry: str) -> str:
        return self.endpoints.get(registry) or f"https://{API_HOSTS.get(registry, registry)}"

    def is_pullable(self, image: str) -> bool | None:
        """True: exists and public; False: missing or private; None: the registry did not say."""
        registry = registry_of(image)
        with self._lock:
            if image in self._cache:
                return self._cache[image]
            if time.monotonic() < self._down_until.get(registry, 0.0):
                return None
        try:
            answer = self._ask(image)
        except (OSError, ValueError):  # offline, refused, timed out, or not HTTP
            with self._lock:
                self._down_until[registry] = time.monotonic() + RETRY_UNREACHABLE_SECONDS
            return None
        if answer is not None:
            with self._lock:
                self._cache[image] = answer
        return answer

    def reachable(self, registry: str = "mcr.microsoft.com") -> bool:
        """Does the registry answer at all (any HTTP status counts)?"""
        try:
            self._get(f"{self.base_url(registry)}/v2/", {})
        except urllib.error.HTTPError:
            return True
        except (OSError, ValueError):
            return False
        return True

    def _ask(self, image: str) -> bool | None:
        registry, repository, reference = split_reference(image)
        url = f"{self.base_url(registry)}/v2/{repository}/manifests/{reference}"
        headers = {"Accept": MANIFEST_TYPES}
        try:
            try:
                self._get(url, headers)
                return True
            except urllib.error.HTTPError as err:
                if err.code != 401:
                    return _verdict(err.code)
                token = self._token(err.headers.get("WWW-Authenticate", ""), repository)
            if token is None:
                return False
            self._get(url, {**headers, "Authorization": f"Bearer {token}"})
            return True
        except urllib.error.HTTPError as err:  # an answer: not "unreachable"
            return _verdict(err.code)

    def _token(self, challenge: str, repository: str) -> str | None:
        """An anonymous pull token, from the realm of a `Bearer` challenge."""
        if not challenge.lower().startswith("bearer "):
            return None
        fields = dict(CHALLENGE.findall(challenge))
        if "realm" not in fields:
            return None
        query = {"scope": fields.get("scope") or f"repository:{repository}:pull"}
        if "service" in fields:
            query["service"] = fields["service"]
        url = f"{fields['realm']}?{urllib.parse.urlencode(query)}"
        body = json.loads(self._get(url, {}))
        token = body.get("token") or body.get("access_token")
        return token if isinstance(token, str) and token else None

    def _get(self, url: str, headers: dict[str, str]) -> bytes:
        if not url.startswith(("https://", "http://")):
            raise ValueError(f"not an HTTP URL: {url}")
        request = urllib.request.Request(url, headers=headers, method="GET")
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            return response.read(1_000_000)


def _verdict(status: int) -> bool | None:
    if status in (401, 403, 404):
        return False
    return None  # 429, 5xx: the registry did not say


def describe(lookup: RegistryLookup | None) -> str:
    """One line for `serve`'s output: which way images are checked."""
    if lookup is None:
        return (
            "images checked by name only (--no-image-lookup): an image on a public registry is "
            "pullable unless its name says it does not exist"
        )
    if lookup.reachable():
        return (
            "images looked up in their registries: one that does not exist or is not public "
            "answers InaccessibleImage (answers cached)"
        )
    return (
        "registries unreachable (offline?): images checked by name only, as with "
        "--no-image-lookup; a registry is asked again a minute after it failed"
    )
