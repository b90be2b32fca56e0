"""A local Azure subscription over HTTPS: Entra ID tokens, resource groups, Container Instances.

from aci_emulator import Emulator
with Emulator() as emu:
    print(emu.info.arm_endpoint)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aci_emulator.config import EmulatorConfig

if TYPE_CHECKING:
    from aci_emulator.server import Emulator, EmulatorInfo

__all__ = ["Emulator", "EmulatorConfig", "EmulatorInfo"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the pytest plugin, loaded by every pytest run of a project that
    # installs this package, must not pull in the server (werkzeug, cryptography) for nothing.
    if name in ("Emulator", "EmulatorInfo"):
        if name == "Emulator":
            from aci_emulator.identity import prepare_signing_key

            prepare_signing_key()  # its key is made while the server's modules load
        from aci_emulator import server

        value = getattr(server, name)
        globals()[name] = value  # later uses find it without coming back here
        return value
    raise AttributeError(f"module 'aci_emulator' has no attribute '{name}'")
