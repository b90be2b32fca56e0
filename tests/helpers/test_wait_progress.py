import io

import pytest

from helpers.errors import TutorialError
from helpers.waiting import wait_for


class FakePoller:
    """Runs through the given states, one per wait(); then returns or raises."""

    def __init__(self, states, result=None, error=None):
        self.states = list(states)
        self._result = result
        self.error = error

    def done(self):
        return len(self.states) <= 1

    def status(self):
        return self.states[0]

    def wait(self, timeout=None):
        self.states.pop(0)

    def result(self):
        if self.error:
            raise self.error
        return self._result


class Tty(io.StringIO):
    def isatty(self):
        return True


def test_plain_output_holds_only_the_final_line():
    out = io.StringIO()
    assert (
        wait_for(
            FakePoller(["Pending", "Pending", "Succeeded"], "cg"), "create x", stream=out, tick=0
        )
        == "cg"
    )
    assert out.getvalue().startswith("create x: Succeeded in ")
    assert out.getvalue().endswith(" s\n")
    assert out.getvalue().count("\n") == 1


def test_a_terminal_sees_progress_rewritten_in_place():
    out = Tty()
    wait_for(FakePoller(["InProgress", "Succeeded"], 1), "op", stream=out, tick=0)
    text = out.getvalue()
    assert text.startswith("\rop: InProgress … 0 s")
    assert "\rop: Succeeded in " in text


def test_an_operation_that_finished_at_once_reads_well():
    out = io.StringIO()
    wait_for(FakePoller(["succeeded"]), "delete y", stream=out)
    assert out.getvalue().startswith("delete y: Succeeded in 0.0 s")


def test_a_failed_operation_is_explained(arm_error):
    err = arm_error(400, "InaccessibleImage", "The image 'x' is not accessible.")
    out = io.StringIO()
    with pytest.raises(TutorialError) as caught:
        wait_for(FakePoller(["Failed"], error=err), "create z", stream=out)
    assert caught.value.code == "InaccessibleImage"
    assert out.getvalue().startswith("create z: Failed after ")
