"""The README works from a fresh clone as written; installs and skips explain themselves."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import venv

from newcomer_kit import ROOT


def readme_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```bash\n(.*?)```", readme, re.DOTALL)
    inline = re.findall(r"`([^`\n]*python -m [^`\n]*)`", readme)
    return [line for block in blocks for line in block.splitlines()] + inline


def test_readme_runs_python_from_the_venv_or_after_activating_it():
    commands = [c for c in readme_commands() if "python" in c]
    assert commands
    for command in commands:
        assert re.search(r"(^|\s)\.venv/bin/python -m ", command), command
    assert "source .venv/bin/activate" in (ROOT / "README.md").read_text()


def test_readme_names_what_is_needed_and_what_takes_long():
    readme = (ROOT / "README.md").read_text()
    assert "Chromium" in readme and "apt-get install" in readme
    assert "700 MB" in readme  # the Azure CLI under .cache/
    assert "make run NB=02" in readme
    assert "show_traceback()" in readme


def test_the_makefile_tells_what_setup_does_and_shows_pips_progress():
    makefile = (ROOT / "Makefile").read_text()
    install = next(line for line in makefile.splitlines() if "-r requirements-dev.txt" in line)
    assert "--quiet" not in install and "--progress-bar on" in install
    assert '@echo "Setting up $(VENV)' in makefile


def test_the_azure_cli_install_announces_its_size_and_time():
    conftest = (ROOT / "tests" / "cli" / "conftest.py").read_text()
    assert "about 700 MB from PyPI, 1-2 minutes" in conftest
    assert conftest.index("announce(") < conftest.index("EnvBuilder(")


def test_skipped_tests_say_why_in_the_summary(tmp_path):
    (tmp_path / "test_skip.py").write_text(
        "import pytest\n\ndef test_x():\n    pytest.skip('Chromium is not installed')\n"
    )
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), str(tmp_path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert "SKIPPED [1]" in run.stdout and "Chromium is not installed" in run.stdout, run.stdout


def test_both_projects_install_editable_without_warnings(tmp_path):
    """pip shows build warnings (deprecations, editable-mode notices) even with --quiet."""
    builder = venv.EnvBuilder(with_pip=True)
    builder.create(tmp_path / "venv")
    pip = [str(tmp_path / "venv" / "bin" / "python"), "-m", "pip"]
    run = subprocess.run(
        [*pip, "install", "--quiet", "--disable-pip-version-check", "--no-deps"]
        + ["-e", str(ROOT), "-e", str(ROOT / "emulator")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    output = "\n".join(
        line
        for line in (run.stdout + run.stderr).splitlines()
        if "is ignored: it is neither a file nor a directory" not in line  # this machine's pip.conf
    )
    assert "Warning" not in output and "deprecated" not in output.lower(), output


# The documents a newcomer copies commands from.
COMMAND_DOCS = ["README.md", ".env.example", "docs/workshops.md", "docs/live-testing.md"]


def python_commands() -> list[tuple[str, str, str]]:
    """(document, module, the rest of the line) for every `python -m MODULE ...` they print."""
    found = []
    for name in COMMAND_DOCS:
        for match in re.finditer(r"python -m ([\w.]+)([^\n`|]*)", (ROOT / name).read_text()):
            found.append((name, match[1], match[2]))
    return found


def test_every_python_command_in_the_docs_names_a_module_that_exists():
    commands = python_commands()
    assert {module for _, module, _ in commands} >= {"aci_emulator", "helpers.cleanup"}
    for name, module, _ in commands:
        assert importlib.util.find_spec(module) is not None, f"{name}: python -m {module}"


def test_every_option_the_docs_give_a_command_is_one_it_takes():
    helps = {}
    for name, module, rest in python_commands():
        words = rest.split()
        command = [module, *(words[:1] if module == "aci_emulator" else [])]
        if module not in {"aci_emulator", "helpers.cleanup"}:
            continue
        key = " ".join(command)
        if key not in helps:
            run = subprocess.run(
                [sys.executable, "-m", *command, "--help"],
                capture_output=True,
                text=True,
                timeout=60,
                cwd=ROOT,
            )
            assert run.returncode == 0, run.stderr
            helps[key] = run.stdout
        for option in re.findall(r"(?<!\S)(--[a-z][\w-]*)", rest):
            assert option in helps[key], f"{name}: python -m {key} {option}"


def test_every_make_target_in_the_docs_exists():
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([\w-]+):", makefile, re.M))
    for name in COMMAND_DOCS:
        for target in re.findall(r"(?:^|`)make ([a-z][\w-]*)", (ROOT / name).read_text(), re.M):
            assert target in targets, f"{name}: make {target}"


def test_the_readme_links_the_workshop_and_live_testing_guides():
    readme = (ROOT / "README.md").read_text()
    for guide in ("docs/workshops.md", "docs/live-testing.md"):
        assert f"]({guide})" in readme and (ROOT / guide).is_file()
