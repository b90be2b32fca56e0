"""Cleanup decisions, against small in-memory fakes of the two clients."""

from types import SimpleNamespace

from azure.core.exceptions import ResourceNotFoundError

from helpers.cleanup import ResourceGroupRecord, clean_up, ensure_resource_group


class Done:
    """A long-running operation that finished at once."""

    def __init__(self, action):
        action()

    def done(self):
        return True

    def status(self):
        return "Succeeded"

    def result(self):
        return None


class FakeResourceGroups:
    def __init__(self, groups):
        self.groups = groups  # name -> {"location", "tags"}
        self.calls = []

    def check_existence(self, name):
        self.calls.append(("HEAD", name))
        return name in self.groups

    def get(self, name):
        self.calls.append(("GET", name))
        return SimpleNamespace(name=name, **self.groups[name])

    def create_or_update(self, name, parameters, cls):
        self.calls.append(("PUT", name))
        status = 200 if name in self.groups else 201
        self.groups[name] = {"location": parameters.location, "tags": dict(parameters.tags)}
        body = SimpleNamespace(name=name, **self.groups[name])
        return cls(SimpleNamespace(http_response=SimpleNamespace(status_code=status)), body, {})

    def begin_delete(self, name):
        self.calls.append(("DELETE", name))
        return Done(lambda: self.groups.pop(name))


class FakeContainerGroups:
    def __init__(self, groups):
        self.groups = groups  # (rg, name) -> tags

    def get(self, rg, name):
        if (rg, name) not in self.groups:
            raise ResourceNotFoundError("not found")
        return SimpleNamespace(name=name, tags=self.groups[(rg, name)])

    def begin_delete(self, rg, name):
        return Done(lambda: self.groups.pop((rg, name)))


class FakeResources:
    """Generic resources: the container groups, as ARM lists everything in a group."""

    def __init__(self, container_groups):
        self.container_groups = container_groups

    def list_by_resource_group(self, rg):
        return [
            SimpleNamespace(name=name, tags=tags)
            for (group, name), tags in self.container_groups.groups.items()
            if group == rg
        ]


def fake_ctx(resource_groups=None, container_groups=None, run_id="run001"):
    container_groups = FakeContainerGroups(container_groups or {})
    ctx = SimpleNamespace(
        run_id=run_id,
        location="eastus",
        resource_group="rg",
        resources=SimpleNamespace(
            resource_groups=FakeResourceGroups(resource_groups or {}),
            resources=FakeResources(container_groups),
        ),
        aci=SimpleNamespace(container_groups=container_groups),
    )
    ctx.tags = lambda: {"created-by": "aci-notebook-tutorial", "tutorial-run": ctx.run_id}
    return ctx


def test_absent_group_is_created_tagged_and_recorded():
    ctx = fake_ctx()
    record = ensure_resource_group(ctx)
    assert record.created and record.name == "rg" and record.location == "eastus"
    assert record.tags["tutorial-run"] == "run001"
    assert ctx.resources.resource_groups.calls == [("HEAD", "rg"), ("PUT", "rg")]
    assert "cleanup step deletes it" in str(record)


def test_existing_group_is_not_touched():
    ctx = fake_ctx({"rg": {"location": "westus", "tags": {"team": "x"}}})
    record = ensure_resource_group(ctx)
    assert not record.created and record.location == "westus"
    assert ("PUT", "rg") not in ctx.resources.resource_groups.calls
    assert ctx.resources.resource_groups.groups["rg"]["tags"] == {"team": "x"}
    assert "keeps it" in str(record)


def test_cleanup_keeps_a_pre_existing_group_and_its_other_resources():
    run_tags = {"tutorial-run": "run001"}
    ctx = fake_ctx(
        {"rg": {"location": "eastus", "tags": {}}},
        {("rg", "mine"): run_tags, ("rg", "theirs"): {"owner": "bob"}},
    )
    record = ensure_resource_group(ctx)
    report = clean_up(ctx, record, ["mine", "theirs"])
    assert report.deleted == ["container group 'mine'"]
    assert report.kept == ["container group 'theirs'", "resource group 'rg'"]
    assert "rg" in ctx.resources.resource_groups.groups
    assert ("rg", "theirs") in ctx.aci.container_groups.groups
    assert "existed before this run" in str(report)
    assert "<table>" in report._repr_html_()


def test_cleanup_deletes_a_group_this_run_created():
    ctx = fake_ctx()
    record = ensure_resource_group(ctx)
    ctx.aci.container_groups.groups[("rg", "mine")] = {"tutorial-run": "run001"}
    report = clean_up(ctx, record, ["mine"])
    assert report.deleted == ["container group 'mine'", "resource group 'rg'"]
    assert ctx.resources.resource_groups.groups == {}


def test_cleanup_refuses_a_group_whose_tag_names_another_run():
    ctx = fake_ctx({"rg": {"location": "eastus", "tags": {"tutorial-run": "other"}}})
    record = ResourceGroupRecord("rg", "eastus", True, "run001")
    report = clean_up(ctx, record)
    assert report.kept == ["resource group 'rg'"]
    assert "rg" in ctx.resources.resource_groups.groups


def test_cleanup_twice_reports_what_is_already_gone():
    ctx = fake_ctx()
    record = ensure_resource_group(ctx)
    clean_up(ctx, record, ["mine"])
    report = clean_up(ctx, record, ["mine"])
    assert report.deleted == []
    assert "already deleted" in str(report)


def test_missing_container_group_is_reported_absent():
    ctx = fake_ctx({"rg": {"location": "eastus", "tags": {}}})
    record = ensure_resource_group(ctx)
    report = clean_up(ctx, record, ["ghost"])
    assert report.entries[0][0] == "gone"


def test_cleanup_keeps_a_group_it_created_while_it_holds_another_runs_resources():
    ctx = fake_ctx()
    record = ensure_resource_group(ctx)
    ctx.aci.container_groups.groups[("rg", "mine")] = {"tutorial-run": "run001"}
    ctx.aci.container_groups.groups[("rg", "late-joiner")] = {"tutorial-run": "run002"}
    report = clean_up(ctx, record, ["mine"])
    assert report.deleted == ["container group 'mine'"]
    assert report.kept == ["resource group 'rg'"]
    assert "late-joiner" in str(report)
    assert "rg" in ctx.resources.resource_groups.groups
