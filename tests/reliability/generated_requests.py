"""Hypothesis strategies for container group bodies and ARM paths: valid, near-valid, hostile.

A generated body comes with what the test needs to judge the answer: whether it is valid by
Azure's documented bounds (then it must be stored), which property a mutation touched (then a
refusal must name it), and every secret it carries (then no answer and no log may hold one).

Bounds a valid body keeps, as Azure documents them (sources in emulator/README.md, "Limits"):
60 containers and 20 volumes per group, 5 ports per IP address, CPU in steps of 0.01 and memory
in steps of 0.1 GB, at most 4 CPU and 16 GB per group; 1,000 environment variables per group
(no documented limit: our reading).
"""

from __future__ import annotations

import itertools
import string
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

IMAGES = (
    "mcr.microsoft.com/azuredocs/aci-helloworld",
    "mcr.microsoft.com/azuredocs/aci-wordcount:latest",
    "mcr.microsoft.com/azuredocs/aci-tutorial-sidecar",
    "docker.io/library/busybox",
)
# Where a secret goes; a secret volume's values are secrets too ("secret" is their map).
SECRET_PLACES = {"secureValue", "password", "storageAccountKey", "secret"}
_names = itertools.count()


def unique_name(prefix: str) -> str:
    """A fresh valid name per example: generated groups never collide in one emulator."""
    return f"{prefix}{next(_names)}"


@dataclass
class Generated:
    """A request body and what a correct answer to it must respect."""

    name: str
    body: dict[str, Any]
    valid: bool = True  # within every bound Azure documents: must be stored
    refused: bool = False  # past a documented bound: must be refused, naming it
    touched: list[str] = field(default_factory=list)  # the path of what a mutation changed
    secrets: list[Any] = field(default_factory=list)

    def needles(self) -> list[str]:
        """The texts that would betray a secret in an answer, whatever its JSON type."""
        found: list[str] = []
        stack = list(self.secrets)
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                stack.extend(value.values())
            elif isinstance(value, list):
                stack.extend(value)
            elif isinstance(value, str):
                found.append(value)
            elif isinstance(value, (int, float)) and not isinstance(value, bool):
                found.append(str(value))
        # Short or blank values ("", "0", "-1") could occur in any answer by chance.
        return [text for text in found if len(text.strip()) >= 10]


# -- secrets: distinctive enough that finding one in an answer cannot be a coincidence -------
_secret_text = st.text(alphabet=string.ascii_letters + string.digits, min_size=12, max_size=24)
_scalar_secrets = st.one_of(
    _secret_text.map(lambda s: f"s3cr3t-{s}"),
    st.integers(10**15, 10**18),  # 16+ digits: no uuid or timestamp holds such a run
    st.integers(10**15, 10**18).map(lambda n: n + 0.5),
)
secrets = st.one_of(
    _scalar_secrets,
    _scalar_secrets,
    st.lists(_scalar_secrets, min_size=1, max_size=3),
    st.dictionaries(st.sampled_from(["value", "key", "v"]), _scalar_secrets, min_size=1),
)


# -- hostile values, for any place of a body -----------------------------------------------
def _nested(depth: int) -> Any:
    value: Any = "deep"
    for i in range(depth):
        value = {"n": value} if i % 2 else [value]
    return value


HOSTILE_VALUES = st.one_of(
    st.sampled_from(
        [
            None,
            True,
            False,
            0,
            -1,
            2**31,
            2**63,
            -(2**63) - 1,
            10**30,
            10**400,  # more than a double holds
            0.0,
            -0.0,
            1e-300,
            1e308,
            0.015,
            1.05,
            0.30000000000000004,
            3.999999999,
            "",
            " ",
            "\n",
            "\x00",
            "NaN",
            "Infinity",
            "-1",
            "1e400",
            "9" * 5000,
            "exit " + "7" * 5000,
            "sh -c 'exit " + "1" * 30 + "'",
            "exit \u0661\u0662\u0663",  # Arabic-Indic digits
            "\u00fcnic\u00f6de",
            "\U0001d518\U0001d52b",
            "\u202eevil",
            "x" * 70_000,
            [],
            {},
            ["a"] * 200,
            [{}],
            [None],
            {"a": 1},
            _nested(40),
        ]
    ),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)


# -- valid bodies --------------------------------------------------------------------------
@st.composite
def _command(draw: st.DrawFn) -> list[str]:
    digits = draw(st.one_of(st.integers(0, 300).map(str), st.text("0123456789", min_size=1)))
    return draw(
        st.sampled_from(
            [
                ["/bin/sh", "-c", f"echo hello; exit {digits}"],
                ["/bin/sh", "-c", "while true; do sleep 30; done"],
                ["echo", digits],
                ["/bin/sh", "-c", f"exit {'9' * 5000}"],
            ]
        )
    )


@st.composite
def valid_groups(draw: st.DrawFn, max_containers: int = 3) -> Generated:
    name = unique_name("gen")
    count = draw(st.integers(1, max_containers))
    # Steps as Azure documents them: CPU in hundredths, memory in tenths of a GB.
    cpu_budget, memory_budget = 400 // count, 160 // count
    secrets_: list[Any] = []
    containers = []
    exposed: list[int] = []
    for i in range(count):
        props: dict[str, Any] = {
            "image": draw(st.sampled_from(IMAGES)),
            "resources": {
                "requests": {
                    "cpu": draw(st.integers(1, cpu_budget)) / 100,
                    "memoryInGB": draw(st.integers(1, memory_budget)) / 10,
                }
            },
        }
        if draw(st.booleans()):
            props["command"] = draw(_command())
        ports = draw(st.lists(st.integers(1, 65535), max_size=2, unique=True))
        ports = [p for p in ports if p not in exposed]
        if ports:
            exposed += ports
            props["ports"] = [{"port": p, "protocol": "TCP"} for p in ports]
        variables = []
        for j in range(draw(st.integers(0, 3))):
            if draw(st.booleans()):
                secret = draw(_secret_text.map(lambda s: f"s3cr3t-{s}"))
                secrets_.append(secret)
                variables.append({"name": f"SECRET_{j}", "secureValue": secret})
            else:
                variables.append({"name": f"VAR_{j}", "value": draw(st.text(max_size=20))})
        if variables:
            props["environmentVariables"] = variables
        containers.append({"name": f"c{i}", "properties": props})
    properties: dict[str, Any] = {
        "osType": "Linux",
        "containers": containers,
        "restartPolicy": draw(st.sampled_from(["Always", "OnFailure", "Never"])),
    }
    public = [p for p in exposed if draw(st.booleans())][:5]
    if public:
        properties["ipAddress"] = {
            "type": "Public",
            "ports": [{"port": p, "protocol": "TCP"} for p in public],
        }
    volumes = []
    if draw(st.booleans()):
        key = draw(_secret_text.map(lambda s: f"s3cr3t-{s}"))
        secrets_.append(key)
        volumes.append({"name": "secret-volume", "secret": {"token": key}})
    if draw(st.booleans()):
        volumes.append({"name": "scratch", "emptyDir": {}})
    if volumes:
        properties["volumes"] = volumes
    if draw(st.booleans()):
        password = draw(_secret_text.map(lambda s: f"s3cr3t-{s}"))
        secrets_.append(password)
        properties["imageRegistryCredentials"] = [
            {"server": "myregistry.azurecr.io", "username": "user", "password": password}
        ]
    body = {"location": "eastus", "tags": {"generated": "yes"}, "properties": properties}
    return Generated(name, body, secrets=secrets_)


# -- mutations -----------------------------------------------------------------------------
def paths_of(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in a JSON document (not the root), as a tuple of keys and indexes."""
    found = []
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, child in items:
        path = (*prefix, key)
        found.append(path)
        if isinstance(child, (dict, list)):
            found += paths_of(child, path)
    return found


def _set(body: Any, path: tuple, value: Any) -> None:
    for key in path[:-1]:
        body = body[key]
    body[path[-1]] = value


def _container_list(generated: Generated) -> list[dict[str, Any]]:
    return generated.body["properties"]["containers"]


@st.composite
def mutated_groups(draw: st.DrawFn) -> Generated:
    """A valid body with one thing changed: a value anywhere (any JSON type), a secret of
    another type, or a count past a documented limit."""
    generated = draw(valid_groups())
    generated.valid = False
    kind = draw(
        st.sampled_from(
            ["value", "value", "value", "secret", "count", "limit-ok", "bounds", "name"]
        )
    )
    if kind == "value":
        path = draw(st.sampled_from(paths_of(generated.body)))
        value = draw(HOSTILE_VALUES)
        _set(generated.body, path, value)
        generated.touched = [str(p) for p in path if isinstance(p, str)]
        if set(generated.touched) & SECRET_PLACES:
            generated.secrets.append(value)  # whatever its type, a secret's place holds one
    elif kind == "secret":
        where = draw(st.sampled_from(SECRET_KEYS))
        put_secret(generated, where, draw(secrets))
    elif kind == "name":
        generated.name = draw(HOSTILE_GROUP_NAMES)
        generated.touched = ["name"]
    elif kind == "bounds":
        apply_case(generated, draw(st.sampled_from(BOUND_CASES)))
    else:
        over = kind == "count"
        apply_case(generated, ("count", draw(st.sampled_from(COUNTED)), not over))
    return generated


SECRET_KEYS = ("secureValue", "password", "secret", "storageAccountKey")


def put_secret(generated: Generated, where: str, secret: Any) -> None:
    """Send a secret in one of its places; a string is valid there, any other JSON type not."""
    generated.secrets.append(secret)
    props = generated.body["properties"]
    if where == "secureValue":
        container = _container_list(generated)[0]["properties"]
        container.setdefault("environmentVariables", []).append(
            {"name": "TYPED_SECRET", "secureValue": secret}
        )
    elif where == "password":
        props["imageRegistryCredentials"] = [
            {"server": "other.azurecr.io", "username": "u", "password": secret}
        ]
    elif where == "secret":
        props.setdefault("volumes", []).append({"name": "typed-secret", "secret": {"k": secret}})
    else:
        share = {"shareName": "share", "storageAccountName": "account", "storageAccountKey": secret}
        props.setdefault("volumes", []).append({"name": "share", "azureFile": share})
    generated.touched = [where]
    generated.valid = isinstance(secret, str)
    generated.refused = not generated.valid


# Group names as a path segment (percent-encoded on the wire): unicode, case, length, newline.
HOSTILE_GROUP_NAMES = st.one_of(
    st.sampled_from(
        [
            "UPPER",
            "a--b",
            "-lead",
            "trail-",
            "x" * 64,
            "\u00fcnicode",
            "\U0001d518",
            "name\n",
            "name.",
            "name%",
            "na me",
            "\u0661\u0662",
        ]
    ),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="/\\"),
        min_size=1,
        max_size=70,
    ).filter(lambda n: n not in (".", "..")),
)


# CPU in hundredths, memory in tenths of a GB (Azure's "should be in incrememts of 0.01" and
# "of 0.1 GB"); ports 1-65535. Each: values on and off those bounds.
CPU_ON_STEP = (0.01, 0.07, 0.1, 0.29, 0.5, 1, 1.25, 2.0, 3.99)
CPU_OFF_STEP = (0.005, 0.015, 0.105, 1.001, 1e-300, 0, -1, -0.5)
MEMORY_ON_STEP = (0.1, 0.3, 0.7, 1, 1.5, 3.3, 14.9)
MEMORY_OFF_STEP = (0.05, 0.15, 1.05, 1.25, 3.333, 1e-300, 0, -1.5)
PORTS_IN = (1, 80, 443, 8080, 65535)
PORTS_OUT = (0, -1, 65536, 70000, 2**31, 2**63, 10**30)


# Every case at once, so that each draw is one of them (no nested choice to skew toward).
BOUND_CASES = (
    [("cpu", v, True) for v in CPU_ON_STEP]
    + [("cpu", v, False) for v in CPU_OFF_STEP]
    + [("memoryInGB", v, True) for v in MEMORY_ON_STEP]
    + [("memoryInGB", v, False) for v in MEMORY_OFF_STEP]
    + [("port", v, True) for v in PORTS_IN]
    + [("port", v, False) for v in PORTS_OUT]
    + [("probe", v, True) for v in (1, 65535)]
    + [("probe", v, False) for v in (0, -80, 65536, 2**63)]
)


COUNTED = ("containers", "volumes", "ports", "environmentVariables")
# A secret of every JSON type in every place Azure keeps secrets.
SECRET_SAMPLES = (
    "s3cr3t-a-string-is-fine-01",
    1234567890123456789,
    1234567890123456.5,
    ["s3cr3t-inside-a-list-0001"],
    {"v": "s3cr3t-inside-an-object-01"},
    True,
)
# Every documented bound, on and off: (what, value, valid). A test tries each in generated bodies.
DOCUMENTED_CASES = (
    BOUND_CASES
    + [("count", what, within) for what in COUNTED for within in (True, False)]
    + [
        ("secret", (where, sample), isinstance(sample, str))
        for where in SECRET_KEYS
        for sample in SECRET_SAMPLES
    ]
    # A limit equal to its request is valid; a lower one is Azure's ResourceLimitsLessThanRequests.
    + [("limits", ("cpu", 1.0), True), ("limits", ("cpu", 0.5), False)]
    + [("limits", ("memoryInGB", 1.5), True), ("limits", ("memoryInGB", 1.0), False)]
)


def apply_case(generated: Generated, case: tuple[str, Any, bool]) -> Generated:
    """Put one documented case into a valid generated body (in place; returned for chaining)."""
    what, value, valid = case
    if what == "secret":
        put_secret(generated, *value)
        return generated
    if what == "limits":
        del _container_list(generated)[1:]
        generated.body["properties"].pop("ipAddress", None)
        resources = _container_list(generated)[0]["properties"]["resources"]
        resources["requests"] = {"cpu": 1.0, "memoryInGB": 1.5}
        resources["limits"] = {value[0]: value[1]}
        generated.touched = ["limits", value[0]]
    elif what == "probe":
        probe = {"httpGet": {"path": "/", "port": value, "scheme": "http"}, "periodSeconds": 10}
        _container_list(generated)[0]["properties"]["livenessProbe"] = probe
        generated.touched = ["httpGet", "port"]
    elif what == "count":
        _grow(generated, value, over=not valid)
        generated.touched = [value]
    elif what == "port":
        first = _container_list(generated)[0]["properties"]
        for other in _container_list(generated):
            other["properties"].pop("ports", None)
        first["ports"] = [{"port": value, "protocol": "TCP"}]
        generated.body["properties"]["ipAddress"] = {"type": "Public", "ports": [{"port": value}]}
        generated.touched = ["ports", "port"]
    else:
        # One container, so that the group's total stays within 4 CPU and 16 GB.
        del _container_list(generated)[1:]
        first = _container_list(generated)[0]["properties"]
        generated.body["properties"].pop("ipAddress", None)
        first.pop("ports", None)
        first["resources"]["requests"][what] = value
        generated.touched = ["requests", what]
    generated.valid, generated.refused = valid, not valid
    return generated


def case_id(case: tuple[str, Any, bool]) -> str:
    what, value, valid = case
    shown = value
    if what == "secret":
        shown = f"{value[0]}-{type(value[1]).__name__}"
    elif what == "limits":
        shown = f"{value[0]}-{value[1]}"
    return f"{what}-{shown}-{'ok' if valid else 'refused'}"


def _grow(generated: Generated, what: str, over: bool) -> None:
    """Fill a list to its documented limit, or one past it."""
    props = generated.body["properties"]
    if what == "containers":
        count = 61 if over else 60  # each at the smallest step: 0.6 CPU, 6 GB in all
        props["containers"] = [
            {
                "name": f"c{i}",
                "properties": {
                    "image": IMAGES[0],
                    "resources": {"requests": {"cpu": 0.01, "memoryInGB": 0.1}},
                },
            }
            for i in range(count)
        ]
        props.pop("ipAddress", None)
    elif what == "volumes":
        props["volumes"] = [
            {"name": f"vol-{i:02}", "emptyDir": {}} for i in range(21 if over else 20)
        ]
    elif what == "ports":
        ports = list(range(8000, 8006 if over else 8005))
        first = _container_list(generated)[0]["properties"]
        first["ports"] = [{"port": p} for p in ports]
        for other in _container_list(generated)[1:]:
            other["properties"].pop("ports", None)
        props["ipAddress"] = {"type": "Public", "ports": [{"port": p} for p in ports]}
    else:
        for other in _container_list(generated):
            other["properties"].pop("environmentVariables", None)
        first = _container_list(generated)[0]["properties"]
        count = 1001 if over else 1000
        first["environmentVariables"] = [{"name": f"V{i}", "value": str(i)} for i in range(count)]


# Mostly near-valid and hostile bodies: a valid one is the easy case.
group_bodies = st.one_of(valid_groups(), mutated_groups(), mutated_groups(), mutated_groups())


# -- ARM paths ------------------------------------------------------------------------------
def odd_case(draw: st.DrawFn, segment: str) -> str:
    style = draw(st.sampled_from(["same", "lower", "upper", "swap"]))
    return {
        "same": segment,
        "lower": segment.lower(),
        "upper": segment.upper(),
        "swap": segment.swapcase(),
    }[style]


API_SUFFIXES = (
    "%0A",  # a trailing newline, which a `$` in a regular expression lets through
    "%0A",
    "%0D%0A",
    "%0D",
    "%20",
    "%09",
    "%00",
    "x",
    "%C3%BC",
    "%E2%80%AE",
    "&api-version=1999-01-01",  # a second value: ARM reads them joined, "a,b"
)
API_PREFIXES = ("%20", "%0A", "+", "0")


def api_versions(valid: str) -> st.SearchStrategy[tuple[str | None, bool]]:
    """An api-version query value (already encoded) and whether it is exactly a served one."""
    wrong = [valid + suffix for suffix in API_SUFFIXES]
    wrong += [prefix + valid for prefix in API_PREFIXES]
    wrong.append(f"{valid}&api-version={valid}")  # twice, even the same: read as one value
    wrong += ["", "2021-04-01%0A", "latest", "9999-99-99", "%FF", "2023-5-1", valid.upper() + "x"]
    return st.one_of(
        st.just((valid, True)),
        st.just((None, False)),  # no api-version at all
        st.sampled_from([(version, False) for version in wrong]),
    )


PATH_EXTRAS = ("", "/", "/extra", "/%C3%BC", "/%2e%2e", "/..", "/%0A", "//x", "/%00")


def _known(change: str, secret: Any = None) -> Generated:
    container = {
        "name": "app",
        "properties": {
            "image": IMAGES[0],
            "resources": {"requests": {"cpu": 1.0, "memoryInGB": 1.5}},
        },
    }
    properties: dict[str, Any] = {"osType": "Linux", "containers": [container]}
    generated = Generated(unique_name("known"), {"location": "eastus", "properties": properties})
    if change == "command":
        container["properties"]["command"] = ["/bin/sh", "-c", "exit " + "5" * 5000]
        return generated
    generated.valid, generated.secrets, generated.touched = False, [secret], [change]
    if change == "secureValue":
        container["properties"]["environmentVariables"] = [{"name": "S", "secureValue": secret}]
    elif change == "password":
        properties["imageRegistryCredentials"] = [
            {"server": "myregistry.azurecr.io", "username": "u", "password": secret}
        ]
    else:
        properties["volumes"] = [{"name": "secrets", "secret": {"key": secret}}]
    return generated


# Known instances, always tried, which a hostile probe found: a command of `exit` and 5,000
# digits (stored, then every read answered 500) and secrets sent as JSON numbers (quoted back
# in the 400). The generated bodies explore their kinds: every JSON type, every place.
KNOWN_HOSTILE = [
    _known("command"),
    _known("secureValue", 1234567890123456789),
    _known("password", 98765432109876543),
    _known("secret", 5555555555555555.5),
]
