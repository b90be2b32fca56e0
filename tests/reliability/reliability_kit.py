"""Shared material of the reliability suite: the tutorial's scenario, emulator servers, leftovers,
secret patterns, and the collector that turns what the tests observe into docs/reliability.md."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import requests
from azure.mgmt.containerinstance.models import (
    Container,
    ContainerGroup,
    ContainerGroupIpAddressType,
    ContainerGroupRestartPolicy,
    ContainerNetworkProtocol,
    ContainerPort,
    IpAddress,
    OperatingSystemTypes,
    Port,
    ResourceRequests,
    ResourceRequirements,
)

from aci_emulator.__main__ import notebook_variables
from aci_emulator.server import EmulatorInfo
from aci_emulator.testing import ServerProcess, raw_token  # noqa: F401 (the suite's raw token)
from helpers import (
    CleanupReport,
    ResourceGroupRecord,
    TutorialError,
    TutorialNames,
    clean_up,
    connect,
    ensure_resource_group,
    explain_errors,
    wait_for,
)
from helpers.clients import make_clients
from helpers.credentials import service_principal_credential

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
IMAGE = "mcr.microsoft.com/azuredocs/aci-helloworld"
# Standard cores of the server the concurrency tests share: a room exceeds Azure's default of 10.
CONCURRENCY_QUOTA = 64

# Variables azure-identity's EnvironmentCredential reads besides the three of a client secret.
OTHER_IDENTITY_VARIABLES = (
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "AZURE_USERNAME",
    "AZURE_PASSWORD",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_CONFIG_DIR",
)


# -- configuration ------------------------------------------------------------------------------
def info_dict(info: Any) -> dict[str, str]:
    """An EmulatorInfo or the JSON of an info file, as a dict."""
    return info.as_dict() if hasattr(info, "as_dict") else dict(info)


def tutorial_env(info: Any, **extra: str) -> dict[str, str]:
    """What a user sets to run the tutorial against an emulator server as if it were Azure."""
    return {**notebook_variables(EmulatorInfo(**info_dict(info))), **extra}


def use_identity(monkeypatch: Any, env: Mapping[str, str]) -> None:
    """DefaultAzureCredential reads the service principal from os.environ, whatever connect() is
    given: put this run's identity there (restored by monkeypatch after the test)."""
    for name in OTHER_IDENTITY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name in ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET"):
        if name in env:
            monkeypatch.setenv(name, env[name])
        else:
            monkeypatch.delenv(name, raising=False)


def subprocess_env(env: Mapping[str, str]) -> dict[str, str]:
    """os.environ without any Azure or tutorial variable of the developer, plus ``env``."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AZURE_", "ACI_TUTORIAL_")) and k != "REQUESTS_CA_BUNDLE"
    }
    return {**base, **env}


def admin_clients(info: Any):
    """SDK clients of the emulator's own (Contributor) principal: the referee for leftovers."""
    values = info_dict(info)
    credential = service_principal_credential(
        values["tenant_id"],
        values["client_id"],
        values["client_secret"],
        authority_host=values["authority_host"],
        ca_bundle=values["ca_bundle"],
    )
    return make_clients(
        credential,
        values["subscription_id"],
        arm_endpoint=values["arm_endpoint"],
        ca_bundle=values["ca_bundle"],
        polling_interval=0.1,
    )


def inventory(clients) -> tuple[set[str], set[tuple[str, str]]]:
    """Every resource group and every (resource group, container group), listed through the SDK."""
    resources, aci = clients
    groups = {g.name for g in resources.resource_groups.list()}
    container_groups = {(g.id.split("/")[4], g.name) for g in aci.container_groups.list()}
    return groups, container_groups


def leftovers(clients, baseline) -> int:
    """How many resource groups and container groups exist now that did not before."""
    groups, container_groups = inventory(clients)
    return len(groups - baseline[0]) + len(container_groups - baseline[1])


# -- the tutorial's scenario --------------------------------------------------------------------
def notebook_definition(
    ctx, names: TutorialNames, *, image: str = IMAGE, cpu: float = 1.0, memory: float = 1.5
) -> ContainerGroup:
    """Step 2 of notebook 01, verbatim apart from the parameters."""
    container = Container(
        name=names.container,
        image=image,
        resources=ResourceRequirements(requests=ResourceRequests(cpu=cpu, memory_in_gb=memory)),
        ports=[ContainerPort(port=80)],
    )
    return ContainerGroup(
        location=ctx.location,
        containers=[container],
        os_type=OperatingSystemTypes.LINUX,
        restart_policy=ContainerGroupRestartPolicy.ALWAYS,
        ip_address=IpAddress(
            type=ContainerGroupIpAddressType.PUBLIC,
            ports=[Port(protocol=ContainerNetworkProtocol.TCP, port=80)],
            dns_name_label=names.dns_label,
        ),
        tags=ctx.tags(),
    )


STEPS = (
    "1 list",
    "2 define",
    "3 resource group",
    "4 create",
    "5 get",
    "5 logs",
    "6 delete",
    "cleanup",
)


@dataclass
class TutorialRun:
    """What one run of the scenario did."""

    run_id: str = ""
    resource_group: str = ""
    names: TutorialNames | None = None
    record: ResourceGroupRecord | None = None
    completed: list[str] = field(default_factory=list)
    error: TutorialError | None = None
    failed_step: str | None = None
    cleanup: CleanupReport | None = None
    provisioning_state: str | None = None
    state: str | None = None
    logs: str | None = None
    listed_in_group: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def succeeded(self) -> bool:
        return self.error is None and self.completed == list(STEPS)

    def outcome(self) -> str:
        """One readable line for the docs: what happened, then what the cleanup did."""
        if self.error is None:
            head = "completed all steps"
        else:
            message = re.sub(r"^\(\w+\) ", "", self.error.message)
            advice = self.error.advice.split(". ")[0].rstrip(".")
            head = (
                f"`{type(self.error).__name__}` ({self.error.code or 'no ARM code'}) at "
                f"{self.failed_step!r}: “{excerpt(message, 60)}”, advice “{excerpt(advice, 50)}”"
            )
        if self.cleanup is None:
            return f"{head}; nothing to clean up (no resource group was recorded)"
        done = [
            f"{' '.join(what.split(' ')[:2])} {action}" for action, what, _ in self.cleanup.entries
        ]
        return f"{head}; cleanup: {', '.join(done) or 'nothing to do'}"


Hooks = Mapping[str, Callable[[], Any]]


def run_tutorial(
    environ: Mapping[str, str],
    *,
    before: Hooks | None = None,
    image: str = IMAGE,
    cpu: float = 1.0,
    interrupt_after: str | None = None,
    clean_up_also: Callable[[TutorialRun, Any], list[str]] | None = None,
) -> TutorialRun:
    """Notebook 01's six activities and its cleanup, through the helpers, as a user runs them.

    ``before[step]`` runs just before a step (to inject a fault exactly there). A TutorialError
    stops the steps, as a failing cell stops the notebook; then the user runs the cleanup cell,
    which needs the resource group record of step 3 (without it nothing was created).
    ``interrupt_after`` stops there and skips the cleanup: an interrupted run.
    ``clean_up_also(run, ctx)`` names more container groups to hand to the cleanup.
    """
    before = before or {}
    run = TutorialRun()
    start = time.monotonic()
    if "connect" in before:
        before["connect"]()
    try:
        ctx = connect(environ=environ)
    except TutorialError as err:  # the setup cell fails: nothing can have been created
        run.error, run.failed_step = err, "connect"
        run.seconds = time.monotonic() - start
        return run
    sink = io.StringIO()  # the progress lines wait_for prints
    try:
        run.run_id, run.resource_group = ctx.run_id, ctx.resource_group
        names = run.names = TutorialNames.for_run(ctx.run_id)
        group = None

        def step(name: str) -> None:
            if name in before:
                before[name]()

        try:
            for name in STEPS[:-1]:
                step(name)
                if name == "1 list":
                    with explain_errors():
                        list(ctx.aci.container_groups.list())
                elif name == "2 define":
                    group = notebook_definition(ctx, names, image=image, cpu=cpu)
                elif name == "3 resource group":
                    run.record = ensure_resource_group(ctx)
                elif name == "4 create":
                    with explain_errors():
                        poller = ctx.aci.container_groups.begin_create_or_update(
                            ctx.resource_group, names.container_group, group
                        )
                        created = wait_for(poller, f"create {names.container_group}", stream=sink)
                    run.provisioning_state = created.provisioning_state
                elif name == "5 get":
                    with explain_errors():
                        fetched = ctx.aci.container_groups.get(
                            ctx.resource_group, names.container_group
                        )
                        run.listed_in_group = [
                            g.name
                            for g in ctx.aci.container_groups.list_by_resource_group(
                                ctx.resource_group
                            )
                        ]
                    run.state = fetched.instance_view.state
                elif name == "5 logs":
                    with explain_errors():
                        logs = ctx.aci.containers.list_logs(
                            ctx.resource_group, names.container_group, names.container, tail=20
                        )
                    run.logs = logs.content
                elif name == "6 delete":
                    with explain_errors():
                        wait_for(
                            ctx.aci.container_groups.begin_delete(
                                ctx.resource_group, names.container_group
                            ),
                            f"delete {names.container_group}",
                            stream=sink,
                        )
                run.completed.append(name)
                if name == interrupt_after:
                    return run
        except TutorialError as err:
            run.error, run.failed_step = err, name
        step("cleanup")
        if run.record is not None:
            extra = clean_up_also(run, ctx) if clean_up_also else []
            run.cleanup = clean_up(ctx, run.record, [names.container_group, *extra], stream=sink)
        if run.error is None:
            run.completed.append("cleanup")
        return run
    finally:
        run.seconds = time.monotonic() - start
        ctx.close()


# Client secrets of every server this session started: no artifact may contain one.
SERVER_SECRETS: list[str] = []


# -- an emulator server in its own process ------------------------------------------------------
class EmulatorServer(ServerProcess):
    """`python -m aci_emulator serve`, as a user starts it, with the admin route at hand.

    The info file and stdout hold the client secret (by design: they are the connection
    details), so they go to ``private_dir``; stderr (the request log with --verbose) goes to
    ``log_dir``, with the test artifacts that the security tests scan.
    """

    def __init__(self, private_dir: Path, log_dir: Path, *args: str, name: str = "emulator"):
        log_dir.mkdir(parents=True, exist_ok=True)
        self.stdout_path = private_dir / f"{name}.stdout.log"
        self.stderr_path = log_dir / f"{name}.stderr.log"
        super().__init__(
            private_dir,
            *args,
            env=subprocess_env({}),
            stdout=self.stdout_path,
            stderr=self.stderr_path,
            name=name,
        )

    def __enter__(self) -> EmulatorServer:
        try:
            self.start()
        except RuntimeError as err:
            raise AssertionError(str(err)) from err
        SERVER_SECRETS.append(self.info["client_secret"])
        return self

    @property
    def env(self) -> dict[str, str]:
        return tutorial_env(self.info)

    def admin(self, method: str, path: str, body: Any = None) -> requests.Response:
        """The loopback-only admin route, e.g. admin("POST", "faults", {...})."""
        return requests.request(
            method,
            f"{self.info['arm_endpoint']}/_emulator/{path}",
            json=body,
            verify=self.info["ca_bundle"],
            timeout=30,
        )

    def inject(self, **fault: Any) -> dict:
        answer = self.admin("POST", "faults", fault)
        assert answer.status_code == 201, answer.text
        return answer.json()

    def active_faults(self) -> list[dict]:
        answer = self.admin("GET", "faults")
        assert answer.status_code == 200, answer.text
        return answer.json()["value"]


# -- secrets ------------------------------------------------------------------------------------
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.")
SECRET_PATTERNS = {
    "a JWT": JWT,
    "client_secret=": re.compile(r"client_secret\s*[=:]", re.IGNORECASE),
    "an Authorization header": re.compile(r"authorization['\"]?\s*[:=]\s*['\"]?\w", re.IGNORECASE),
    "a bearer token": re.compile(r"bearer\s+[\w.-]{20,}", re.IGNORECASE),
    "an AADSTS error quoting a secret": re.compile(r"AADSTS\d+[^\n]*secret\s*[=:]\s*\S{8,}", re.I),
    "a private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
}


def find_secrets(text: str, *literals: str) -> list[str]:
    """Names of the secret patterns, and the literal secrets, that occur in ``text``."""
    found = [name for name, pattern in SECRET_PATTERNS.items() if pattern.search(text)]
    found += [f"the literal secret {value[:4]}…" for value in literals if value and value in text]
    return found


# -- the report ---------------------------------------------------------------------------------
def excerpt(text: str | None, length: int = 90) -> str:
    flat = " ".join(str(text or "").split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"


def cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


FAULT_KINDS = ("transient", "permanent", "notebook 01", "a room")


@dataclass
class ReliabilityReport:
    """Rows the tests append; written as markdown when the session ends."""

    faults: list[tuple[str, ...]] = field(default_factory=list)
    bad_input: list[tuple[str, ...]] = field(default_factory=list)
    concurrency: list[tuple[str, ...]] = field(default_factory=list)
    security: list[tuple[str, ...]] = field(default_factory=list)
    sweeper: list[tuple[str, ...]] = field(default_factory=list)
    hostile: list[tuple[str, ...]] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)  # markdown appended after the tables

    def fault(
        self, kind: str, fault: str, where: str, expected: str, observed: str, leftovers: int
    ) -> None:
        assert kind in FAULT_KINDS, kind
        self.faults.append((kind, fault, where, expected, observed, str(leftovers)))

    def input(self, what: str, where: str, code: str, message: str) -> None:
        self.bad_input.append((what, where, code, message))

    def figures(
        self, variant: str, durations: list[float], wall: float, workers: str, peak: int
    ) -> None:
        self.concurrency.append(
            (
                variant,
                str(len(durations)),
                workers,
                str(peak),
                f"{wall:.2f} s",
                f"{statistics.median(durations):.2f} s",
                f"{min(durations):.2f}–{max(durations):.2f} s",
                f"{len(durations) / wall:.1f} runs/s",
            )
        )

    def swept(self, resource: str, tags: str, listed: str, outcome: str) -> None:
        self.sweeper.append((resource, tags, listed, outcome))

    def check(self, what: str, scope: str, result: str) -> None:
        self.security.append((what, scope, result))

    def hostile_client(self, attack: str, expected: str, observed: str) -> None:
        self.hostile.append((attack, expected, observed))

    @property
    def complete(self) -> bool:
        return all(
            (
                self.faults,
                self.bad_input,
                self.concurrency,
                self.security,
                self.sweeper,
                self.hostile,
            )
        )

    def markdown(self) -> str:
        def table(headers: list[str], rows: list[tuple[str, ...]]) -> str:
            lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
            lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
            return "\n".join(lines)

        now = datetime.now(timezone.utc).strftime("%Y-%m-%d")
        return "\n".join(
            [
                "# Reliability and safety",
                "",
                "<!-- Generated by tests/reliability (conftest.py): do not edit by hand. -->",
                "> Every table below is written by the tests in `tests/reliability/` from what",
                "> they observed: each run of the suite writes it to `test-artifacts/reliability.md`,",
                "> and `WRITE_DOCS=1 .venv/bin/python -m pytest tests/reliability` also writes this",
                "> file (only when the whole folder ran and passed).",
                "",
                "The tutorial is meant to survive what a live subscription and a workshop throw at",
                "it: throttling, server errors, dropped connections and slow answers that the Azure",
                "SDK retries; failures it cannot retry (quota, an image that cannot be pulled, a",
                "provisioning that fails, missing permissions), which must end in an explanation",
                "that says what to do, with the cleanup still removing everything the run created;",
                "inputs users really type wrong; interrupted runs, swept up later by their tags; and",
                "a room of attendees running at once against one subscription. The runs below go",
                "through the helpers and the unmodified Azure SDK clients to the local emulator,",
                "whose fault injection produces Azure's own status codes and error envelopes;",
                "leftovers are counted afterwards by listing resource groups and container groups",
                f"through the SDK. Last generated {now} on {os.cpu_count()} CPU(s), Python",
                f"{sys.version.split()[0]}.",
                "",
                "## Faults during a tutorial run",
                "",
                table(
                    ["kind", "fault", "where", "expected outcome", "observed outcome", "leftovers"],
                    sorted(self.faults, key=lambda row: FAULT_KINDS.index(row[0])),
                ),
                "",
                "## Interrupted runs and the sweeper",
                "",
                "`python -m helpers.cleanup --older-than 2h` run as a separate process against an",
                "emulator server holding what earlier runs and other people left; then with",
                "`--yes`, and later with shorter thresholds.",
                "",
                table(
                    ["resource", "tags", "listed by `--older-than 2h`", "outcome"],
                    self.sweeper,
                ),
                "",
                "## Bad input",
                "",
                "Caught by the helpers before any request where possible (the rule is named),",
                "and, sent raw through the SDK, what the service answers.",
                "",
                table(
                    ["input", "where caught", "code", "message / advice (start)"], self.bad_input
                ),
                "",
                "## Concurrent attendees",
                "",
                "Complete tutorial runs (the six steps and the cleanup), each with its own helpers",
                "context, credential and clients, released together against one",
                f"`python -m aci_emulator serve` process (started with `--quota-cores {CONCURRENCY_QUOTA}`,",
                "except in the default-quota row). A run's time counts from step 1, after",
                "connecting, to the end of its cleanup. In every row no two runs shared a name or",
                "DNS label, no cleanup deleted another run's resources and nothing was left behind;",
                "every run completed, except in the default-quota row those refused for quota (see",
                "the fault table). Figures only: the tests assert outcomes, never durations.",
                "",
                table(
                    [
                        "variant",
                        "runs",
                        "workers",
                        "peak at once",
                        "wall time",
                        "per-run median",
                        "per-run min–max",
                        "throughput",
                    ],
                    self.concurrency,
                ),
                "",
                "## Security checks",
                "",
                table(["check", "scope", "result"], self.security),
                "",
                "## Hostile clients",
                "",
                "Requests no SDK would send, sent raw over HTTPS to an in-process emulator. Each is",
                "refused before anything is stored (or, for lifecycle rules, leaves the state",
                "consistent); afterwards the resource and both list routes still answer 200.",
                "",
                table(["attack", "expected", "observed"], self.hostile),
                "",
                *self.sections,
            ]
        )


REPORT = ReliabilityReport()


class LogRecorder(logging.Handler):
    """Everything the emulator logs, tracebacks included, to look for secrets in."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def text(self) -> str:
        return "\n".join(self.lines)


@contextlib.contextmanager
def recording_emulator_log() -> Iterator[LogRecorder]:
    """The emulator's loggers at DEBUG into a LogRecorder for the block, then as they were."""
    logger = logging.getLogger("aci_emulator")
    recorder = LogRecorder()
    recorder.setFormatter(logging.Formatter("%(name)s %(message)s"))
    previous = logger.level
    logger.addHandler(recorder)
    logger.setLevel(logging.DEBUG)
    try:
        yield recorder
    finally:
        logger.removeHandler(recorder)
        logger.setLevel(previous)
