"""Files `serve` writes (its info file, its .env, a shared CA certificate): created safely, and
removed only if they are still the ones it wrote.

A file is written in full under a temporary name in the same folder, with its final permissions
from the start, then linked to its name: the link fails if anything is there (a user's file, a
symlink, a file another server just wrote), so nothing is ever overwritten, no symlink is
followed, and no reader sees a half-written file. A stale file a killed `serve` left (its own
format, its own user, a regular file) is the one thing replaced; a FIFO, a socket or a device
is refused before it is ever opened (opening a FIFO would block the server). At stop a file is removed only if
its name still leads to the file written (same device, inode and text).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # not on Windows, where symlinks need privileges


class FileRefused(Exception):
    """A file `serve` will not write; the message is one line that says why and what to do."""


class OwnedFile:
    """One file written by this process, with `mode`, removed by `remove()` if still ours."""

    def __init__(self, path: Path, option: str) -> None:
        self.path = path
        self.option = option  # how the user named it, for messages (e.g. --info-file)
        self._identity: tuple[int, int] | None = None
        self._text_written = ""

    def check(self, is_stale: Callable[[str], bool]) -> None:
        """FileRefused if the path holds something not to be replaced (before anything starts)."""
        if not self.path.parent.is_dir():
            raise FileRefused(
                f"{self.option} {self.path}: the folder {self.path.parent} does not exist."
            )
        try:
            found = os.lstat(self.path)
        except FileNotFoundError:
            return
        if stat.S_ISDIR(found.st_mode):
            raise FileRefused(f"{self.option} {self.path} is a folder; name a file.")
        if stat.S_ISLNK(found.st_mode):
            raise FileRefused(
                f"{self.option} {self.path} is a symbolic link; it is never followed. "
                "Name another file."
            )
        if not stat.S_ISREG(found.st_mode):  # a FIFO, a socket, a device: never opened
            raise FileRefused(
                f"{self.option} {self.path} is not a regular file (a pipe, a socket or a "
                "device); it is never opened. Name another file."
            )
        if not (self._own(found) and is_stale(self._text())):
            raise FileRefused(
                f"{self.option} {self.path} exists and was not written by this command; it would "
                "be overwritten and then deleted. Name another file, or move yours away first."
            )

    def write(self, text: str, mode: int, is_stale: Callable[[str], bool]) -> None:
        """Create the file with `text`; a stale file of ours is replaced, anything else refused."""
        self.check(is_stale)
        try:
            self._write(text, mode)
        except OSError as err:  # a folder that is missing or not writable, a full disk
            raise FileRefused(
                f"{self.option} {self.path} cannot be written: {err.strerror or err}."
            ) from err

    def _write(self, text: str, mode: int) -> None:
        folder = self.path.parent
        temporary = folder / f".{self.path.name}.{secrets.token_hex(6)}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
        descriptor = os.open(temporary, flags, mode)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                if hasattr(os, "fchmod"):
                    os.fchmod(handle.fileno(), mode)  # whatever the umask
                handle.write(text)
            written = os.lstat(temporary)
            if self.path.exists() or self.path.is_symlink():  # stale and ours (checked above)
                os.replace(temporary, self.path)  # replaces the name, never a link's target
            else:
                try:
                    os.link(temporary, self.path)  # fails if anything appeared meanwhile
                except FileExistsError as err:
                    raise FileRefused(
                        f"{self.option} {self.path} appeared while the server started; "
                        "it was left as it is. Name another file."
                    ) from err
                except OSError:  # a file system without hard links: create the name itself
                    written = self._create(text, mode, flags)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        self._identity = (written.st_dev, written.st_ino)
        self._text_written = text

    def remove(self) -> None:
        """Delete the file if its name still leads to what this process wrote (the same inode,
        which a file put in its place may reuse at once, and the same text)."""
        if self._identity is None:
            return
        with contextlib.suppress(FileNotFoundError):
            found = os.lstat(self.path)
            same = (found.st_dev, found.st_ino) == self._identity and stat.S_ISREG(found.st_mode)
            if same and self._text() == self._text_written:
                os.unlink(self.path)
        self._identity = None

    def _create(self, text: str, mode: int, flags: int) -> os.stat_result:
        try:
            descriptor = os.open(self.path, flags, mode)
        except FileExistsError as err:
            raise FileRefused(
                f"{self.option} {self.path} appeared while the server started; "
                "it was left as it is. Name another file."
            ) from err
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            if hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), mode)
            handle.write(text)
            return os.fstat(handle.fileno())

    @staticmethod
    def _own(found: os.stat_result) -> bool:
        return not hasattr(os, "geteuid") or found.st_uid == os.geteuid()

    def _text(self) -> str:
        """The start of the file, or "" if it is not a regular file (read without blocking:
        a FIFO put in its place after the check must not hang the server)."""
        flags = os.O_RDONLY | _O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0)
        try:
            descriptor = os.open(self.path, flags)
        except OSError:
            return ""
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return ""
            return handle.read(64 * 1024).decode("utf-8", errors="replace")
