"""State and rules of the emulated cloud. Nothing here knows about HTTP."""
