"""Numbers a container's command gives its shell, read within the shell's own bounds.

No container runs, so the emulator reads what a command would do from its text (an `exit N`).
That text is the user's and unbounded: a number is parsed only as far as a shell would take it,
never with int() on an unbounded digit string (Python refuses more than 4,300 digits).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# ASCII digits only: a shell reads '١٢٣' (Arabic-Indic digits) as a word, not a number.
_EXIT = re.compile(r"\bexit[ \t]+([0-9]+)\b")
# dash and busybox ash (the shells of the images users run) take exit statuses as C ints.
_SHELL_INT_MAX = 2**31 - 1
# What those shells answer to `exit` with a number they cannot read ("Illegal number").
ILLEGAL_NUMBER_STATUS = 2


def exit_status(command: Sequence[str]) -> int:
    """The status, 0–255, a command's first `exit N` ends with (0 without one)."""
    match = _EXIT.search(" ".join(command))
    if match is None:
        return 0
    digits = match.group(1).lstrip("0") or "0"
    if len(digits) > len(str(_SHELL_INT_MAX)) or int(digits) > _SHELL_INT_MAX:
        return ILLEGAL_NUMBER_STATUS
    return int(digits) % 256  # a process's exit status is its low 8 bits
