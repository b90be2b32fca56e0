"""What the newcomer tests share: the project's root, this run's venv, a clean environment."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENV = Path(sys.prefix)


def newcomer_env(**extra: str) -> dict[str, str]:
    """The environment of someone who has configured nothing: no Azure or tutorial variable."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AZURE_", "ACI_TUTORIAL_", "JUPYTER", "IPYTHON", "PYTEST"))
        and k not in {"REQUESTS_CA_BUNDLE", "MAKEFLAGS", "MAKELEVEL", "MFLAGS"}
    }
    env.update(extra)
    return env
