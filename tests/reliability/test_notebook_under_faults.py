"""The real notebook 01, executed by nbclient against a separate emulator server, as a live run.

The kernel gets ACI_TUTORIAL_TARGET=azure and the server's endpoint, identity and CA bundle
through its environment, nothing else: the notebook takes the live code path end to end. Faults
are injected through the server's loopback-only admin route, as a user would do it.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from azure.mgmt.containerinstance.models import (
    Container,
    ContainerGroup,
    ResourceRequests,
    ResourceRequirements,
)
from azure.mgmt.resource.resources.models import ResourceGroup
from nbclient import NotebookClient
from reliability_kit import (
    IMAGE,
    ROOT,
    admin_clients,
    find_secrets,
    inventory,
    leftovers,
    subprocess_env,
)

NOTEBOOK = ROOT / "notebooks" / "01-manage-container-instances.ipynb"
CG_PATH = "**/containerGroups/*"
RG_PATH = "**/resourcegroups/*"

FAULTS = [
    {"kind": "status", "status": 503, "retry_after": 0.2, "method": "GET",
     "path": "**/providers/Microsoft.ContainerInstance/containerGroups"},
    {"kind": "drop", "method": "PUT", "path": RG_PATH},
    {"kind": "status", "status": 429, "retry_after": 0.5, "method": "PUT", "path": CG_PATH,
     "times": 2},
    {"kind": "status", "status": 500, "method": "GET", "path": CG_PATH},
    {"kind": "status", "status": 500, "method": "GET", "path": "**/logs"},
    {"kind": "status", "status": 429, "retry_after": 0.2, "method": "DELETE", "path": RG_PATH},
    {"kind": "latency", "seconds": 0.2, "times": 5},
]  # fmt: skip


def execute(env: dict[str, str], saved_as: Path) -> nbformat.NotebookNode:
    """Run every cell in a fresh kernel whose working directory is notebooks/."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
        coalesce_streams=True,  # as scripts/execute_notebooks.py does for committed outputs
        record_timing=False,
    )
    # Empty values mask whatever a developer's .env says: the helpers treat "" as unset.
    kernel_env = {"AZURE_LOCATION": "", "ACI_TUTORIAL_RESOURCE_GROUP": "", **env}
    try:
        client.execute(env=subprocess_env(kernel_env))
    finally:
        nbformat.write(notebook, saved_as)  # kept for reading, and scanned for secrets
    return notebook


def code_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def text_of(cell) -> str:
    parts = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.extend(str(v) for v in output.get("data", {}).values())
    return "\n".join(parts)


def assert_clean_run(notebook) -> None:
    for cell in code_cells(notebook):
        assert cell.execution_count is not None, cell.source
        for output in cell.outputs:
            assert output.output_type != "error", (cell.source, output)
            assert output.get("name") != "stderr", (cell.source, output.get("text"))


@pytest.fixture(scope="module")
def referee(server):
    return admin_clients(server.info)


def test_notebook_01_survives_transient_faults_and_cleans_up(
    server, referee, artifact_dir, reliability_report
):
    baseline = inventory(referee)
    server.admin("DELETE", "faults")
    for fault in FAULTS:
        server.inject(**fault)
    assert len(server.active_faults()) == len(FAULTS)

    saved = artifact_dir / "01-under-faults.ipynb"
    notebook = execute(server.env, saved)

    assert_clean_run(notebook)
    assert server.active_faults() == []  # every injected fault fired and was absorbed
    cells = code_cells(notebook)
    assert "local emulator server" in text_of(
        cells[0]
    )  # a server: the live code path, not in-kernel
    assert "Succeeded" in text_of(cells[4])  # created.provisioning_state
    report = text_of(cells[-1])
    assert "deleted" in report and "created by this run (with everything in it)" in report
    assert "listening on port 80" in "\n".join(text_of(c) for c in cells)
    left = leftovers(referee, baseline)
    assert left == 0
    assert find_secrets(saved.read_text(), server.info["client_secret"]) == []
    reliability_report.fault(
        "notebook 01",
        "all at once: 503 on list, dropped RG PUT, 429 ×2 on create, 500 on get, 500 on logs, "
        "429 on RG DELETE, +0.2 s latency ×5 (admin route `POST /_emulator/faults`)",
        "notebook 01 run by nbclient against `python -m aci_emulator serve`, ACI_TUTORIAL_TARGET=azure",
        "every cell succeeds with no stderr; the cleanup cell deletes the resource group",
        f"{len(cells)} code cells ran, no error and no stderr output; all {len(FAULTS)} faults "
        "fired; cleanup cell: resource group deleted",
        left,
    )


def test_notebook_01_keeps_a_pre_existing_group_and_what_else_it_holds(
    server, referee, artifact_dir, reliability_report
):
    resources, aci = referee
    resources.resource_groups.create_or_update(
        "workshop-rg", ResourceGroup(location="eastus", tags={"team": "platform"})
    )
    team_app = ContainerGroup(
        location="eastus",
        os_type="Linux",
        tags={"team": "platform"},
        containers=[
            Container(
                name="app",
                image=IMAGE,
                resources=ResourceRequirements(requests=ResourceRequests(cpu=1, memory_in_gb=1)),
            )
        ],
    )
    aci.container_groups.begin_create_or_update("workshop-rg", "team-app", team_app).result()
    baseline = inventory(referee)

    saved = artifact_dir / "01-existing-group.ipynb"
    notebook = execute({**server.env, "ACI_TUTORIAL_RESOURCE_GROUP": "workshop-rg"}, saved)

    assert_clean_run(notebook)
    cells = code_cells(notebook)
    assert "Using the existing resource group 'workshop-rg'" in text_of(cells[3])
    report = text_of(cells[-1])
    assert "kept" in report and "it existed before this run" in report
    group = resources.resource_groups.get("workshop-rg")
    assert group.tags == {"team": "platform"}  # not re-tagged by the tutorial either
    kept = aci.container_groups.get("workshop-rg", "team-app")
    assert kept.tags == {"team": "platform"} and kept.instance_view.state == "Running"
    assert inventory(referee) == baseline
    left = leftovers(referee, baseline)
    assert left == 0
    assert find_secrets(saved.read_text(), server.info["client_secret"]) == []
    saved_json = json.loads(saved.read_text())
    assert saved_json["cells"], "the executed notebook was saved"
    reliability_report.fault(
        "notebook 01",
        "none; ACI_TUTORIAL_RESOURCE_GROUP names an existing group holding another team's "
        "container group",
        "notebook 01 run by nbclient against `python -m aci_emulator serve`",
        "the group, its tags and the other container group survive the cleanup cell",
        "every cell succeeded; cleanup cell: own container group gone, resource group kept; "
        "'team-app' still Running, tags unchanged",
        left,
    )
