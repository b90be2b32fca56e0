"""The emulator against the REST spec's own examples (see spec_examples.py and
spec_examples/SOURCES): each example's request gets one of the status codes it lists, except the
operations the emulator does not implement, listed here with the reason. The examples are
hand-written and leave out fields Azure returns (recordings show them), so their key sets are
printed, not required."""

from __future__ import annotations

import pytest
from spec_examples import ExampleResult, by_api_version, examples, operation, replay_examples

NOT_IMPLEMENTED = {
    f"{version}/ContainerAttach": "attach answers 501: there is no terminal in the emulator"
    for version in ("2021-09-01", "2023-05-01")
} | {
    "2024-10-01-preview/ContainerExec": "exec answers 501: there is no container to run it in",
}
# Examples Azure itself refuses (the examples are hand-written): the real error output wins.
REFUSED_BY_AZURE = {
    "2021-09-01/ContainerGroupsCreateOrUpdate": "a public address beside subnetIds: Azure answers "
    '"IP Address type can\'t be public when network profile is set." (errors/networking.yaml, '
    "public-ip-with-network-profile)",
    "2023-05-01/ContainerGroupCreateConfidential": "a misspelt 'priviliged' in a security context: "
    "Azure's deserializer refuses a member its types lack (errors/volumes.yaml, "
    "emptydir-unknown-member), as it refuses a confidential container's added capabilities "
    "(errors/sku.yaml, confidential-seccomp-profile)",
}


@pytest.fixture(scope="module")
def results() -> list[ExampleResult]:
    return replay_examples()


def test_every_example_belongs_to_an_operation_of_its_spec():
    for version, name in examples():
        method, template, _ = operation(version, name)
        assert method in ("GET", "PUT", "PATCH", "DELETE", "POST")
        assert template.startswith(("/subscriptions/", "/providers/"))


def test_each_example_gets_a_status_it_lists(results, capsys):
    with capsys.disabled():
        for version, figures in by_api_version(results).items():
            print(f"\nspec examples, api-version {version}:", figures)

    deviations = NOT_IMPLEMENTED | REFUSED_BY_AZURE
    unexpected = [r.describe() for r in results if not r.status_ok and r.key not in deviations]
    vanished = [r.key for r in results if r.status_ok and r.key in deviations]
    assert unexpected == []
    assert vanished == [], "listed as not implemented but now answered as the example"


def test_an_example_of_an_older_version_gets_that_version_s_shape(results):
    usage = next(r for r in results if r.key == "2021-09-01/ContainerGroupUsage")

    # The 2021-09-01 spec's Usage has no `id`; 2023-05-01 defines one.
    assert usage.status_ok and usage.keys_ok, usage.describe()
