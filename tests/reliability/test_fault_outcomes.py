"""The tutorial's scenario under injected faults: transient ones are absorbed, permanent ones are
explained, and in every case the cleanup leaves nothing of the run behind.

Each test starts its own emulator and runs notebook 01's steps through the helpers, with
ACI_TUTORIAL_TARGET=azure: the live code path (DefaultAzureCredential, TLS, bearer tokens,
the SDK's retries and long-running-operation polling). A fault is injected just before the step
it is meant for; leftovers are counted afterwards by listing through the SDK.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.containerinstance.models import (
    Container,
    ContainerGroup,
    ResourceRequests,
    ResourceRequirements,
)
from azure.mgmt.resource.resources.models import ResourceGroup
from reliability_kit import (
    IMAGE,
    STEPS,
    admin_clients,
    inventory,
    leftovers,
    run_tutorial,
    tutorial_env,
    use_identity,
)

from aci_emulator import Emulator, EmulatorConfig
from helpers import TutorialError

CG_PATH = "**/containerGroups/*"
RG_PATH = "**/resourcegroups/*"
LIST_PATH = "**/providers/Microsoft.ContainerInstance/containerGroups"
READER_ID = "11111111-2222-4333-8444-555555555555"
READER_SECRET = "reader-secret-for-tests-only"  # not a real credential


@dataclass
class Transient:
    fault: str
    where: str
    step: str  # injected just before this step
    inject: Callable[[Emulator], list[Any]]
    fires: int | None = 1  # exactly this often; None: at least once
    expected: str = "retried by the SDK; the run completes and cleans up"


TRANSIENT = [
    Transient(
        "429 SubscriptionRequestsThrottled, Retry-After 0.5 s, twice",
        "container group PUT (step 4)",
        "4 create",
        lambda emu: [
            emu.faults.inject(
                "status", status=429, retry_after=0.5, method="PUT", path=CG_PATH, times=2
            )
        ],
        fires=2,
    ),
    Transient(
        "500 InternalServerError, once",
        "container group GET (step 5)",
        "5 get",
        lambda emu: [emu.faults.inject("status", status=500, method="GET", path=CG_PATH)],
    ),
    Transient(
        "503 ServiceUnavailable, Retry-After 0.2 s, once",
        "list in the subscription (step 1)",
        "1 list",
        lambda emu: [
            emu.faults.inject("status", status=503, retry_after=0.2, method="GET", path=LIST_PATH)
        ],
    ),
    Transient(
        "dropped connection (closed without an answer), once",
        "resource group PUT (step 3)",
        "3 resource group",
        lambda emu: [emu.faults.inject("drop", method="PUT", path=RG_PATH)],
    ),
    Transient(
        "dropped connection, once",
        "container group DELETE (step 6)",
        "6 delete",
        lambda emu: [emu.faults.inject("drop", method="DELETE", path=CG_PATH)],
    ),
    Transient(
        "500 InternalServerError, once",
        "status poll of the create's long-running operation (step 4)",
        "4 create",
        lambda emu: [
            emu.faults.inject("status", status=500, method="GET", path="**/operations/**")
        ],
    ),
    Transient(
        "504 GatewayTimeout, once",
        "container logs (step 5)",
        "5 logs",
        lambda emu: [emu.faults.inject("status", status=504, path="**/logs")],
    ),
    Transient(
        "429 SubscriptionRequestsThrottled, Retry-After 0.2 s, once",
        "resource group DELETE (cleanup)",
        "cleanup",
        lambda emu: [
            emu.faults.inject("status", status=429, retry_after=0.2, method="DELETE", path=RG_PATH)
        ],
    ),
    Transient(
        "503 from the token endpoint, once",
        "Entra ID token request (setup cell)",
        "connect",
        lambda emu: [
            emu.faults.inject("status", status=503, retry_after=0.2, path="**/oauth2/v2.0/token")
        ],
    ),
    Transient(
        "+0.2 s latency on every request",
        "every ARM call of the run",
        "1 list",
        lambda emu: [emu.faults.inject("latency", seconds=0.2, times=None)],
        fires=None,
        expected="slower, nothing to retry; the run completes and cleans up",
    ),
    Transient(
        "random 503s (p=0.25, seed 7, Retry-After 0.1 s, at most 5)",
        "any ARM call of the run",
        "1 list",
        lambda emu: [
            emu.faults.inject(
                "status", status=503, retry_after=0.1, probability=0.25, seed=7, times=5
            )
        ],
        fires=None,
    ),
    Transient(
        "provider not registered (MissingSubscriptionRegistration)",
        "first Container Instances call (step 1)",
        "1 list",
        lambda emu: emu.set_provider_state("Microsoft.ContainerInstance", "NotRegistered") or [],
        fires=None,
        expected="the SDK registers the provider (its own fixed 10 s wait) and retries; completes",
    ),
]


@pytest.fixture
def emulated(start_emulator, monkeypatch):
    """Start an emulator with a config; return it, the tutorial's environment and a referee."""

    def start(config: EmulatorConfig | None = None):
        emu = start_emulator(config)
        env = tutorial_env(emu.info)
        use_identity(monkeypatch, env)
        return emu, env, admin_clients(emu.info)

    return start


@pytest.mark.parametrize("case", TRANSIENT, ids=lambda c: f"{c.step}: {c.fault}")
def test_transient_faults_are_absorbed_and_the_run_cleans_up(emulated, reliability_report, case):
    emu, env, referee = emulated()
    baseline = inventory(referee)
    injected: list[Any] = []

    run = run_tutorial(env, before={case.step: lambda: injected.extend(case.inject(emu))})

    assert run.error is None, f"{run.failed_step}: {run.error}"
    assert run.completed == list(STEPS)
    assert run.provisioning_state == "Succeeded" and run.state == "Running"
    assert run.logs and "listening on port 80" in run.logs
    assert run.cleanup.deleted == [f"resource group {run.resource_group!r}"]
    for fault in injected:
        assert fault.fired == case.fires if case.fires else fault.fired >= 1, fault
    if case.step == "1 list" and "provider" in case.fault:
        sub = emu.cloud.subscription(emu.config.subscription_id)
        assert emu.cloud.provider_state(sub, "Microsoft.ContainerInstance") == "Registered"
    emu.faults.clear()
    left = leftovers(referee, baseline)
    assert left == 0
    fired = sum(f.fired for f in injected)
    fired_text = f"fault fired {fired}×" if injected else "the SDK registered the provider"
    reliability_report.fault(
        "transient",
        case.fault,
        case.where,
        case.expected,
        f"{run.outcome()} ({fired_text})",
        left,
    )


def cleanup_actions(run) -> list[str]:
    """("deleted", "resource group 'x'", why) -> "deleted resource group"."""
    entries = run.cleanup.entries if run.cleanup else []
    return [f"{action} {' '.join(what.split(' ')[:2])}" for action, what, _ in entries]


@dataclass
class Permanent:
    fault: str
    where: str
    code: str
    step: str
    message: str  # how the error message starts, after "(code) "
    advice: str  # a phrase of the advice
    config: EmulatorConfig = field(default_factory=EmulatorConfig)
    image: str = IMAGE
    setup: Callable[[Emulator, dict, Any], dict[str, Callable]] | None = None
    cleanup: tuple[str, ...] = ("gone container group", "deleted resource group")


def _provisioning(code: str, message: str):
    def setup(emu, env, referee):
        return {
            "4 create": lambda: emu.faults.inject(
                "provisioning", code=code, message=message, path=CG_PATH
            )
        }

    return setup


def _reader(existing_group: str | None):
    def setup(emu, env, referee):
        if existing_group:
            referee[0].resource_groups.create_or_update(
                existing_group, ResourceGroup(location="eastus", tags={"team": "platform"})
            )
            env["ACI_TUTORIAL_RESOURCE_GROUP"] = existing_group
        emu.add_principal(READER_ID, READER_SECRET, role="Reader")
        env.update(AZURE_CLIENT_ID=READER_ID, AZURE_CLIENT_SECRET=READER_SECRET)
        return {}

    return setup


def _others_use_the_quota(emu, env, referee):
    """Another team's container groups hold 9.5 of a 10-core quota (one group may ask for 4 at
    most)."""
    resources, aci = referee
    resources.resource_groups.create_or_update("team-rg", ResourceGroup(location="eastus"))
    for i, cpu in enumerate((4, 4, 1.5)):
        worker = Container(
            name="worker",
            image=IMAGE,
            resources=ResourceRequirements(requests=ResourceRequests(cpu=cpu, memory_in_gb=1)),
        )
        group = ContainerGroup(location="eastus", os_type="Linux", containers=[worker])
        aci.container_groups.begin_create_or_update("team-rg", f"batch-{i}", group).result()
    return {}


def _every_list_fails(emu, env, referee):
    return {
        "1 list": lambda: emu.faults.inject(
            "status", status=503, retry_after=0.1, method="GET", path=LIST_PATH, times=None
        )
    }


def _token_endpoint_down(emu, env, referee):
    return {
        "connect": lambda: emu.faults.inject(
            "status", status=503, retry_after=0.1, path="**/oauth2/v2.0/token", times=None
        )
    }


PERMANENT = [
    Permanent(
        "quota of 0.5 standard cores (EmulatorConfig(quota_cores=0.5)), 1 CPU requested",
        "container group PUT (step 4)",
        "ContainerGroupQuotaReached",
        "4 create",
        "Resource type 'Microsoft.ContainerInstance/containerGroups' container group quota",
        "quota",
        config=EmulatorConfig(quota_cores=0.5),
    ),
    Permanent(
        "another team's group holds 9.5 of a 10-core quota (EmulatorConfig(quota_cores=10)), 1 CPU requested",
        "container group PUT (step 4)",
        "ContainerGroupQuotaReached",
        "4 create",
        "Resource type 'Microsoft.ContainerInstance/containerGroups' container group quota",
        "Delete container groups you no longer need",
        setup=_others_use_the_quota,
        config=EmulatorConfig(quota_cores=10),
    ),
    Permanent(
        "image that cannot be pulled",
        "container group PUT (step 4)",
        "InaccessibleImage",
        "4 create",
        "The image 'mcr.microsoft.com/azuredocs/aci-helloworld-doesnotexist'",
        "ACI could not pull the image",
        image="mcr.microsoft.com/azuredocs/aci-helloworld-doesnotexist",
    ),
    Permanent(
        "provisioning ends Failed: InaccessibleImage (fault kind provisioning)",
        "create's long-running operation (step 4)",
        "InaccessibleImage",
        "4 create",
        "The image in the container group is not accessible",
        "image_registry_credentials",
        setup=_provisioning(
            "InaccessibleImage", "The image in the container group is not accessible."
        ),
        cleanup=("deleted container group", "deleted resource group"),
    ),
    Permanent(
        "provisioning ends Failed: SkuNotAvailable (region out of capacity)",
        "create's long-running operation (step 4)",
        "SkuNotAvailable",
        "4 create",
        "The requested resource is not available in the location 'eastus'",
        "Try another AZURE_LOCATION",
        setup=_provisioning(
            "SkuNotAvailable",
            "The requested resource is not available in the location 'eastus' at this moment.",
        ),
        cleanup=("deleted container group", "deleted resource group"),
    ),
    Permanent(
        "principal with the Reader role",
        "resource group PUT (step 3)",
        "AuthorizationFailed",
        "3 resource group",
        "The client",
        "Ask for Contributor",
        setup=_reader(None),
        cleanup=(),
    ),
    Permanent(
        "principal with the Reader role, ACI_TUTORIAL_RESOURCE_GROUP names an existing group",
        "container group PUT (step 4)",
        "AuthorizationFailed",
        "4 create",
        "The client",
        "Ask for Contributor",
        setup=_reader("existing-rg"),
        cleanup=("gone container group", "kept resource group"),
    ),
    Permanent(
        "503 on every list request (more than the SDK's 3 retries)",
        "list in the subscription (step 1)",
        "ServiceUnavailable",
        "1 list",
        "The service is temporarily unavailable",
        "The region is busy",
        setup=_every_list_fails,
        cleanup=(),
    ),
]


@pytest.mark.parametrize("case", PERMANENT, ids=lambda c: f"{c.step}: {c.code}: {c.fault}")
def test_permanent_failures_are_explained_and_cleaned_up(
    emulated, monkeypatch, reliability_report, case
):
    emu, env, referee = emulated(case.config)
    before = case.setup(emu, env, referee) if case.setup else {}
    use_identity(monkeypatch, env)  # the setup may have switched to another principal
    baseline = inventory(referee)  # what exists before the run (another team's, a shared group)

    run = run_tutorial(env, before=before, image=case.image)
    emu.faults.clear()  # the referee must not meet the run's faults

    err = run.error
    assert isinstance(err, TutorialError), run.completed
    assert run.failed_step == case.step
    assert err.code == case.code
    assert err.message.startswith(f"({case.code}) {case.message}"), err.message
    assert case.advice in err.advice
    assert f"What to do: {err.advice}" in str(err)
    assert isinstance(err.original, HttpResponseError) and err.original.error.code == case.code
    assert err.__cause__ is err.original  # the SDK's own error is kept, not hidden
    assert cleanup_actions(run) == list(case.cleanup)
    left = leftovers(referee, baseline)
    assert left == 0
    assert inventory(referee) == baseline  # and what existed before is all still there
    reliability_report.fault(
        "permanent",
        case.fault,
        case.where,
        f"`TutorialError` ({case.code}) with advice; cleanup removes what the run created",
        run.outcome(),
        left,
    )


def test_token_endpoint_down_is_reported_at_the_setup_cell(emulated, reliability_report):
    emu, env, referee = emulated()
    baseline = inventory(referee)

    run = run_tutorial(env, before=_token_endpoint_down(emu, env, referee))
    emu.faults.clear()

    err = run.error
    assert run.failed_step == "connect" and run.cleanup is None
    assert err.message.startswith("Could not get an access token: ")
    assert "HTTP Error: 503" in err.message  # the cause stays visible beside the advice
    assert err.advice.startswith("The sign-in endpoint could not be reached or did not answer")
    assert "try again in a few minutes" in err.advice  # not "sign in": the credential is fine
    assert err.code is None  # no ARM answer: the token endpoint refused
    left = leftovers(referee, baseline)
    assert left == 0
    reliability_report.fault(
        "permanent",
        "503 from the token endpoint on every request",
        "Entra ID token request (setup cell)",
        "`TutorialError` at the setup cell, before any resource exists",
        run.outcome(),
        left,
    )
