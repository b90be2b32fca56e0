"""`pip install "aci-emulator[pytest]"` installs every distribution that the documentation's
examples and examples/ import: each is named by the extra (or is the emulator's own). The extra
is read from the installed distribution's metadata (Python 3.10 has no tomllib)."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import sys
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "testing-your-code.md"
EXAMPLES = sorted((ROOT / "examples").glob("*.py"))
CANDIDATES = importlib.metadata.packages_distributions()


def the_extra() -> list[Requirement]:
    """The requirements `aci-emulator[pytest]` adds to the distribution's own."""
    requirements = [Requirement(line) for line in importlib.metadata.requires("aci-emulator") or []]
    extra = [
        r
        for r in requirements
        if r.marker is not None
        and r.marker.evaluate({"extra": "pytest"})
        and not r.marker.evaluate({"extra": ""})
    ]
    assert extra, "the installed aci-emulator declares no [pytest] extra"
    return extra


def imported_modules(source: str) -> set[str]:
    """Absolute imports, line by line: a snippet of the docs need not be a whole program."""
    modules: set[str] = set()
    for line in source.splitlines():
        if match := re.match(r"\s*from\s+([\w.]+)\s+import\b", line):
            modules.add(match[1])
        elif match := re.match(r"\s*import\s+([\w.]+(?:\s*,\s*[\w.]+)*)\s*(?:#.*)?$", line):
            modules.update(name.strip() for name in match[1].split(","))
    return modules


def documented_code() -> list[str]:
    blocks = re.findall(r"```python\n(.*?)```", DOCS.read_text(), re.DOTALL)
    return blocks + [path.read_text() for path in EXAMPLES]


def distribution_of(module: str) -> str | None:
    """The installed distribution that holds `module`'s file; None for the standard library
    and the examples' own modules."""
    top = module.split(".")[0]
    if top in sys.stdlib_module_names or top == "__future__":
        return None
    if (ROOT / "examples" / f"{top}.py").exists():
        return None
    if top == "aci_emulator":
        return "aci-emulator"
    origin = Path(importlib.util.find_spec(module).origin).resolve()
    # A namespace package (azure) spans distributions: the one holding the module's file.
    for name in CANDIDATES.get(top, ()):
        dist = importlib.metadata.distribution(name)
        if any(Path(dist.locate_file(f)).resolve() == origin for f in dist.files or ()):
            return name.lower()
    raise AssertionError(f"{module} ({origin}) belongs to no installed distribution")


def test_every_import_of_the_examples_is_installed_by_the_extra():
    named = {requirement.name.lower() for requirement in the_extra()} | {"aci-emulator"}
    modules = set().union(*(imported_modules(code) for code in documented_code()))
    needed = {m: distribution_of(m) for m in sorted(modules)}

    missing = {m: d for m, d in needed.items() if d is not None and d not in named}
    assert missing == {}
    # The check sees the examples' real imports, the SDK's among them.
    assert {"azure-identity", "azure-mgmt-containerinstance", "azure-mgmt-resource"} <= set(
        needed.values()
    )


def test_the_extras_ranges_hold_the_versions_the_tests_run():
    for requirement in the_extra():
        installed = importlib.metadata.version(requirement.name)
        assert requirement.specifier.contains(installed), (requirement, installed)
