from datetime import timedelta

import pytest

from helpers.cleanup.__main__ import duration, main


def test_durations():
    assert duration("90m") == timedelta(minutes=90)
    assert duration("2h") == timedelta(hours=2)
    assert duration("1.5d") == timedelta(days=1.5)
    with pytest.raises(Exception, match="not a duration"):
        duration("2 hours")


def test_sweep_against_a_fresh_emulator_finds_nothing(monkeypatch, capsys):
    monkeypatch.setenv("ACI_TUTORIAL_TARGET", "emulator")
    assert main(["--older-than", "1h"]) == 0
    out = capsys.readouterr().out
    assert (
        "local emulator" in out
        and "Leftovers of earlier runs (older than 1:00:00): nothing to do" in out
    )


def test_bad_configuration_is_reported_not_raised(monkeypatch, capsys):
    monkeypatch.setenv("ACI_TUTORIAL_TARGET", "cloud")
    assert main([]) == 1
    assert "ACI_TUTORIAL_TARGET" in capsys.readouterr().err
