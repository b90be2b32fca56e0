"""nbval runs these notebooks on the default path a new reader takes, never live.

Every setting is removed from the environment the kernels inherit, and a .env from this folder
upward stops the run: `connect()` then picks the local emulator by itself (auto, no
subscription), as the committed outputs show.
"""

import os
from pathlib import Path

import pytest

from helpers.machinery.errors import ConfigurationError
from helpers.machinery.settings import default_path_environment

try:
    _environment = default_path_environment(os.environ, Path(__file__).parent)
except ConfigurationError as err:
    raise pytest.UsageError(f"{err.message} {err.advice}") from err
os.environ.clear()
os.environ.update(_environment)
