import pytest

from helpers.names import (
    InvalidNameError,
    TutorialNames,
    default_resource_group,
    new_run_id,
    validate_container_group_name,
    validate_container_name,
    validate_dns_label,
    validate_resource_group_name,
)


@pytest.mark.parametrize("name", ["a", "aci-hello-1", "0abc", "a" * 63])
def test_valid_container_group_names(name):
    assert validate_container_group_name(name) == name


@pytest.mark.parametrize("name", ["", "-a", "a-", "a--b", "A", "a_b", "a.b", "a" * 64])
def test_invalid_container_group_names_name_the_rule(name):
    with pytest.raises(InvalidNameError) as caught:
        validate_container_group_name(name)
    assert "no '--'" in caught.value.rule
    assert isinstance(caught.value, ValueError)
    assert "container group name" in str(caught.value)


@pytest.mark.parametrize("name", ["", "Hello", "-x", "x-", "x_y", "x" * 64])
def test_invalid_container_names(name):
    with pytest.raises(InvalidNameError, match=r"\[a-z0-9\]"):
        validate_container_name(name)


def test_container_name_may_hold_double_hyphen():
    # The container rule is the regex alone, unlike the group rule.
    assert validate_container_name("a--b") == "a--b"


@pytest.mark.parametrize("label", ["abcde", "a1-2b", "a" * 63])
def test_valid_dns_labels(label):
    assert validate_dns_label(label) == label


@pytest.mark.parametrize("label", ["abcd", "1abcd", "abcd-", "ab_cd", "Abcde", "a" * 64])
def test_invalid_dns_labels(label):
    with pytest.raises(InvalidNameError, match="5-63"):
        validate_dns_label(label)


@pytest.mark.parametrize("name", ["rg", "My_RG-1.(x)", "ré", "a" * 90])
def test_valid_resource_group_names(name):
    assert validate_resource_group_name(name) == name


@pytest.mark.parametrize("name", ["", "rg.", "rg/x", "rg x", "a" * 91])
def test_invalid_resource_group_names(name):
    with pytest.raises(InvalidNameError, match="not ending in '.'"):
        validate_resource_group_name(name)


def test_run_ids_are_short_random_and_valid_in_every_name():
    ids = {new_run_id() for _ in range(50)}
    assert len(ids) == 50
    for run_id in ids:
        assert len(run_id) == 6
        names = TutorialNames.for_run(run_id)
        assert names.container_group.endswith(run_id)
        assert default_resource_group(run_id) == f"aci-tutorial-rg-{run_id}"


def test_tutorial_names_are_validated_when_built():
    with pytest.raises(InvalidNameError, match="DNS name label"):
        TutorialNames(container_group="ok", container="ok", dns_label="1bad")
