"""nbval runs these notebooks against the local emulator, never against a live subscription.

The kernel inherits this environment; a variable set in the environment wins over .env.
"""

import os

os.environ["ACI_TUTORIAL_TARGET"] = "emulator"
