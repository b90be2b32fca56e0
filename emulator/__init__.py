"""A local Azure subscription over HTTPS: Entra ID tokens, resource groups, Container Instances.

from emulator import Emulator
with Emulator() as emu:
    print(emu.info.arm_endpoint)
"""

from emulator.config import EmulatorConfig
from emulator.server import Emulator, EmulatorInfo

__all__ = ["Emulator", "EmulatorConfig", "EmulatorInfo"]
