"""The GitHub workflows: linted, on the Pythons the Makefile supports, and their scripts work."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml
from newcomer_kit import ROOT, newcomer_env

WORKFLOWS = ROOT / ".github" / "workflows"
ACTIONLINT = Path(sys.prefix) / "bin" / "actionlint"


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def triggers(document: dict) -> dict:
    return document.get("on", document.get(True))  # YAML 1.1 reads a bare `on` as true


def steps(document: dict, job: str) -> list[dict]:
    return document["jobs"][job]["steps"]


def supported_pythons() -> list[str]:
    match = re.search(r"^SUPPORTED_PYTHONS := (.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert match
    return match[1].split()


def actionlint(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ACTIONLINT), "-no-color", *map(str, files)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_actionlint_passes_the_workflows_and_catches_a_mistake(tmp_path):
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {f.name for f in files} == {"ci.yml", "live.yml"}
    run = actionlint(*files)
    assert run.returncode == 0, run.stdout + run.stderr

    broken = tmp_path / "live.yml"
    text = (WORKFLOWS / "live.yml").read_text()
    broken.write_text(text.replace("client-id:", "clientid:", 1))
    run = actionlint(broken)
    assert run.returncode == 1
    assert 'input "clientid" is not defined in action "azure/login@' in run.stdout


def test_make_lint_runs_actionlint_on_the_workflows():
    lint = (ROOT / "Makefile").read_text().split("\nlint:", 1)[1].split("\n\n")[0]
    assert "$(BIN)/actionlint .github/workflows/*.yml" in lint


def test_ci_lints_and_tests_on_every_supported_python():
    ci = workflow("ci.yml")
    assert {"push", "pull_request"} <= set(triggers(ci))
    assert ci["jobs"]["test"]["strategy"]["matrix"]["python"] == supported_pythons()
    commands = [s.get("run", "") for job in ("lint", "test") for s in steps(ci, job)]
    assert "make lint" in commands and "make test" in commands
    cached = {s["with"]["path"] for s in steps(ci, "test") if "actions/cache@" in s.get("uses", "")}
    assert cached == {".venv", ".cache/azure-cli-venv"}
    # where the Azure CLI tests install the CLI
    assert 'ROOT / ".cache" / "azure-cli-venv"' in (ROOT / "tests/cli/conftest.py").read_text()


def test_the_readme_promises_the_pythons_the_makefile_supports():
    pythons = supported_pythons()
    readme = (ROOT / "README.md").read_text()
    assert f"Python {pythons[0]} to {pythons[-1]}" in readme


def test_live_runs_weekly_and_on_demand_signing_in_without_a_secret():
    live = workflow("live.yml")
    assert {"schedule", "workflow_dispatch"} <= set(triggers(live))
    assert live["permissions"]["id-token"] == "write"
    (login,) = [s for s in steps(live, "notebooks") if "azure/login@" in s.get("uses", "")]
    assert set(login["with"]) == {"client-id", "tenant-id", "subscription-id"}  # OIDC, no creds
    commands = [s.get("run", "").strip() for s in steps(live, "notebooks")]
    assert "make run NB=01" in commands and "make run NB=02" in commands


def run_step(script: str, env: dict[str, str], tmp_path: Path) -> tuple[str, str]:
    output = tmp_path / "github-output"
    output.write_text("")
    run = subprocess.run(
        [shutil.which("bash") or "bash", "-e", "-c", script],
        env=newcomer_env(GITHUB_OUTPUT=str(output), **env),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout, output.read_text()


def test_live_skips_with_a_notice_when_the_secrets_are_absent(tmp_path):
    (check,) = [s for s in steps(workflow("live.yml"), "notebooks") if s.get("id") == "secrets"]
    unset = {"CLIENT_ID": "", "TENANT_ID": "", "AZURE_SUBSCRIPTION_ID": ""}
    every = {"CLIENT_ID": "c", "TENANT_ID": "t", "AZURE_SUBSCRIPTION_ID": "s"}

    for env in (unset, every | {"TENANT_ID": ""}):
        stdout, output = run_step(check["run"], env, tmp_path)
        assert stdout.startswith("::notice title=Live run skipped::"), stdout
        assert "docs/live-testing.md" in stdout
        assert output == "present=false\n"

    stdout, output = run_step(check["run"], every, tmp_path)
    assert stdout == "" and output == "present=true\n"
    later = steps(workflow("live.yml"), "notebooks")[1:]
    assert all(
        "steps.secrets.outputs.present == 'true'" in s["if"] or "steps.login" in s["if"]
        for s in later
    )


def test_live_always_sweeps_with_a_command_that_runs(tmp_path):
    (sweep,) = [
        s for s in steps(workflow("live.yml"), "notebooks") if "helpers.cleanup" in s.get("run", "")
    ]
    assert sweep["if"].startswith("always()")
    assert re.search(r"--older-than \S+ --yes", sweep["run"])
    script = sweep["run"].replace(".venv/bin/python", sys.executable)
    stdout, _ = run_step(script, {}, tmp_path)  # no subscription: an empty in-process emulator
    assert "Leftovers of earlier runs (older than 0:00:00)" in stdout, stdout


def test_dependabot_groups_pip_and_actions_updates():
    config = yaml.safe_load((ROOT / ".github" / "dependabot.yml").read_text())
    updates = {u["package-ecosystem"]: u for u in config["updates"]}
    assert set(updates) == {"pip", "github-actions"}
    for update in updates.values():
        assert update["directory"] == "/" and update["groups"], update


def test_workflows_name_no_secret_value():
    for path in [*WORKFLOWS.glob("*.yml"), ROOT / ".github" / "dependabot.yml"]:
        text = path.read_text()
        assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text)
        assert "client-secret" not in text and "AZURE_CLIENT_SECRET" not in text
    assert os.access(ACTIONLINT, os.X_OK)
