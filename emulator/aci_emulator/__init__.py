"""A local Azure subscription over HTTPS: Entra ID tokens, resource groups, Container Instances.

from aci_emulator import Emulator
with Emulator() as emu:
    print(emu.info.arm_endpoint)
"""

from aci_emulator.config import EmulatorConfig
from aci_emulator.server import Emulator, EmulatorInfo

__all__ = ["Emulator", "EmulatorConfig", "EmulatorInfo"]
