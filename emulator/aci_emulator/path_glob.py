"""Path globs for fault injection, matched in time linear in the path, whatever the pattern.

`*` is any run of characters but `/`, `**` any run of characters, `?` one character but `/`;
every other character stands for itself, in any case. The whole path must match.

A glob is not turned into a regular expression: Python's engine backtracks, and a pattern such
as `**a**a**a**a!` would hold a worker for minutes. Instead every position of the pattern is a bit
of one integer, and each character of the path moves all of them at once (a bit-parallel
automaton): a few integer operations per character.
"""

from __future__ import annotations

MAX_PATTERN = 1024
# Characters of regular expressions that no ARM path holds: a pattern with one was written
# for the regex matching faults used to have, and would silently match nothing.
REGEX_ONLY = frozenset("^$\\|[]{}+")


class PathGlob:
    """A compiled glob; `matches(path)` says whether the whole path matches it."""

    def __init__(self, pattern: str) -> None:
        if not isinstance(pattern, str) or len(pattern) > MAX_PATTERN:
            raise ValueError(f"'path' must be a string of at most {MAX_PATTERN} characters.")
        regex = sorted(REGEX_ONLY.intersection(pattern))
        if regex:
            raise ValueError(
                f"'path' is a glob matched against the whole path ('*' within a segment, '**' "
                f"across segments, '?' one character), not a regular expression: "
                f"'{regex[0]}' has no meaning in it."
            )
        tokens = _tokens(pattern.lower())
        self._size = len(tokens)
        self._stars = 0  # bits of the stars: each may match nothing
        self._loop_any = 0  # bits just after a star: they stay on for a character but '/'
        self._loop_slash = 0  # ... and after a '**': they stay on for '/' too
        self._any_one = 0  # bits of the '?'s
        self._literal: dict[str, int] = {}
        for i, token in enumerate(tokens):
            bit = 1 << i
            if token in ("*", "**"):
                self._stars |= bit
                self._loop_any |= bit << 1
                if token == "**":
                    self._loop_slash |= bit << 1
            elif token == "?":
                self._any_one |= bit
            else:
                self._literal[token] = self._literal.get(token, 0) | bit

    def matches(self, path: str) -> bool:
        state = self._closure(1)
        for char in path.lower():
            slash = char == "/"
            advance = self._literal.get(char, 0) | (0 if slash else self._any_one)
            loop = self._loop_slash if slash else self._loop_any
            state = self._closure(((state & advance) << 1) | (state & loop))
            if not state:
                return False
        return bool(state >> self._size & 1)

    def _closure(self, state: int) -> int:
        # A star may match nothing. Stars never follow each other (_tokens merges them), so
        # one step reaches every position.
        return state | ((state & self._stars) << 1)


def _tokens(pattern: str) -> list[str]:
    """The pattern's characters, with each run of stars as one '*' or '**'."""
    tokens: list[str] = []
    i = 0
    while i < len(pattern):
        if pattern[i] == "*":
            end = i
            while end < len(pattern) and pattern[end] == "*":
                end += 1
            tokens.append("**" if end - i > 1 else "*")
            i = end
        else:
            tokens.append(pattern[i])
            i += 1
    return tokens
