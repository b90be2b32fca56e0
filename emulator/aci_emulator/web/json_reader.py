"""JSON as ARM's deserializer (Json.NET's JsonTextReader) reads it: what it accepts beyond
strict JSON, and its words for what it cannot read.

Json.NET is lenient: a trailing comma in an object or an array, property names without
quotes (letters, digits, '_' and '$'), strings in single quotes, comments, an empty slot in an
array (read as null). Everything else it refuses with a message, the path of the last value it
read, and the line and position where it stopped ("Invalid JavaScript property identifier
character: ,. Path 'properties.containers[0].properties.resources.requests.memoryInGB', line
18, position 31.": Azure/azure-powershell#16082, a decimal comma). The messages are Json.NET's
(JsonTextReader.cs, JsonSerializerInternalReader.cs in JamesNK/Newtonsoft.Json); the path and
position follow its rules: an array's index counts the values read so far, a property is named
once its colon is read, the position counts the characters before the one it stopped at.

body.py reads strict JSON with Python's parser and comes here only for text that parser
refused, so the usual body costs nothing extra. Every character is read a bounded number of
times: a run of values Python's parser refuses is read item by item once, never matched again,
and nesting is measured from the text before reading (json_census.py), so no subtree is scanned
again at each level to learn its depth.
"""

from __future__ import annotations

import json
import json.scanner
import math
import re
import sys
from collections.abc import Callable
from typing import Any

from aci_emulator.web import json_census, request_types

MAX_DEPTH = 64  # Json.NET's default MaxDepth
# Json.NET reads a hex or octal integer with Convert.ToInt64: beyond it, "not a valid number".
INT64 = (-(2**63), 2**63 - 1)
_SHOWN = 100  # characters of a value a message quotes, at most
HIDDEN = "***"  # what a message quotes of a secret (as the CLI's logs mask one)
WASTE_BUDGET = 4  # times the text's length scanned in vain, at most
_SEPARATORS = frozenset(",}])/")
_AFTER_VALUE = frozenset(",}])/ \t\r\n")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "\\": "\\", '"': '"', "'": "'"}
_ESCAPES["/"] = "/"
_NUMBER = re.compile(r"[-+a-fA-FxX.0-9]*")  # what Json.NET reads into a number's text
_SPACE = re.compile(r"\s*")
_STRICT_SCALAR = (
    r'(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|"(?:[^"\\]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"'
    r"|true|false|null)"
)
_ITEM_RUN = re.compile(rf"(?:[ \t\r\n]*{_STRICT_SCALAR}[ \t\r\n]*,)+")
_MEMBER_RUN = re.compile(
    rf'(?:[ \t\r\n]*"(?:[^"\\]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{{4}})*"[ \t\r\n]*:[ \t\r\n]*'
    rf"{_STRICT_SCALAR}[ \t\r\n]*,)+"
)
# An integer Python's parser refuses to convert (its default limit on digits).
_LONG_INTEGER = re.compile(f"[0-9]{{{sys.int_info.default_max_str_digits + 1}}}")
_EMPTY_SLOTS = re.compile(r"(?:,[ \t\r\n]*)+")
_PLAIN = {q: re.compile(f"[^{q}\\\\]*") for q in "\"'"}  # a string's run up to a quote or escape


class JsonNetError(ValueError):
    """Text Json.NET cannot read; str() is its message with path, line and position."""


class Reader:
    def __init__(
        self, text: str, make_object: Callable[[list[tuple[str, Any]]], Any], depth: int
    ) -> None:
        self.text = text
        self.i = 0
        self.make_object = make_object
        # One frame per open container: [is_object, property name or array index].
        self.frames: list[list[Any]] = []
        # Python's C scanner reads any strict JSON value fast; the reader takes over only where
        # the text leaves strict JSON (so a 4 MB body costs what Python's parser costs, plus the
        # places Json.NET's leniencies are used).
        decoder = json.JSONDecoder(
            object_pairs_hook=make_object, parse_constant=_not_json, strict=False
        )
        self.scan = json.scanner.make_scanner(decoder)
        self.pairs_decoder = json.JSONDecoder(object_pairs_hook=list, strict=False)
        self.wasted = 0
        # A text nested deeper than MaxDepth has its containers read here, one level at a
        # time, so the error names where the limit is passed; scalars still go to Python.
        self.containers_fast = depth <= MAX_DEPTH
        self.runs_from = 0  # no run of scalars is tried before here (one was refused)

    # -- positions and errors ------------------------------------------------------------------
    def path(self) -> str:
        parts = []
        for is_object, key in self.frames:
            if is_object and key is not None:
                parts.append(f".{key}")
            elif not is_object and key >= 0:
                parts.append(f"[{key}]")
        return "".join(parts).lstrip(".")

    def error(self, message: str, at: int | None = None) -> JsonNetError:
        index = self.i if at is None else at
        head = self.text[:index]
        line_start = max(head.rfind("\n"), head.rfind("\r")) + 1
        line = head.count("\n") + head.count("\r") - head.count("\r\n") + 1
        return JsonNetError(
            f"{message} Path '{self.path()}', line {line}, position {index - line_start}."
        )

    def peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    def skip_space(self) -> None:
        """Whitespace and comments, which Json.NET reads and the deserializer ignores."""
        text = self.text
        if self.i < len(text) and text[self.i] != "/" and not text[self.i].isspace():
            return  # the usual case: a token starts here
        while True:
            self.i = _SPACE.match(text, self.i).end()
            if not text.startswith("/", self.i):
                return
            self.comment()

    def comment(self) -> None:
        nxt = self.text[self.i + 1 : self.i + 2]
        if nxt == "*":
            end = self.text.find("*/", self.i + 2)
            if end < 0:
                self.i = len(self.text)
                raise self.error("Unexpected end while parsing comment.")
            self.i = end + 2
        elif nxt == "/":
            end = self.text.find("\n", self.i)
            self.i = len(self.text) if end < 0 else end
        else:
            self.i += 1
            if not nxt:
                raise self.error("Unexpected end while parsing comment.")
            raise self.error(f"Error parsing comment. Expected: *, got {nxt}.")

    # -- values --------------------------------------------------------------------------------
    def document(self) -> Any:
        self.skip_space()
        value = self.value()
        self.skip_space()
        if self.i < len(self.text):
            raise self.error(
                f"Additional text encountered after finished reading JSON content: {self.peek()}."
            )
        return value

    def value(self) -> Any:
        self.skip_space()
        c = self.peek()
        if not c:
            raise self.end()
        strict = self.strict_value()
        if strict is not _NONE:
            return strict
        if c in "{[":
            return self.container(c == "{")
        if c == "," and self.frames:  # no value before the comma: Json.NET reads it as undefined
            self.finished_value()
            return None
        if c in "\"'":
            result: Any = self.string(c)
        elif c == "-" or c.isdigit() or c == ".":
            result = self.number()
        else:
            result = self.literal(c)
        self.finished_value()
        return result

    def strict_value(self) -> Any:
        """The value here if it is strict JSON ending where Json.NET's would, else _NONE."""
        if self.wasted > WASTE_BUDGET * len(self.text):
            return _NONE
        if not self.containers_fast and self.peek() in "[{":
            return _NONE
        try:
            result, end = self.scan(self.text, self.i)
        except StopIteration as stop:  # scanned up to where Python stopped
            self.wasted += max(0, (stop.value or 0) - self.i)
            return _NONE
        except (ValueError, RecursionError) as err:
            # A value that is not strict JSON costs a scan up to where it stops, and Python's
            # error counts the lines up to there; the text so read in vain is bounded, so
            # neither nesting nor many small values can multiply it.
            stopped = getattr(err, "pos", len(self.text))
            self.wasted += 2 * stopped - self.i
            return _NONE
        after = self.text[end : end + 1]
        if after and after not in _AFTER_VALUE and not after.isspace():
            return _NONE  # '1x', '0x1F', '01': Json.NET reads such a number its own way
        self.finished_value()
        self.i = end
        return result

    def end(self) -> JsonNetError:
        kind = "object" if not self.frames or self.frames[-1][0] else "array"
        return self.error(f"Unexpected end when deserializing {kind}.")

    def finished_value(self) -> None:
        if self.frames and not self.frames[-1][0]:
            self.frames[-1][1] += 1

    def container(self, is_object: bool) -> Any:
        self.finished_value()  # a container counts in its array once it starts
        if len(self.frames) >= MAX_DEPTH:
            raise self.error(f"The reader's MaxDepth of {MAX_DEPTH} has been exceeded.")
        self.i += 1
        self.frames.append([is_object, None if is_object else -1])
        result = self.members() if is_object else self.items()
        self.frames.pop()
        return result

    def members(self) -> Any:
        pairs: list[tuple[str, Any]] = []
        while True:
            self.skip_space()
            c = self.peek()
            if not c:
                raise self.end()
            if c == "}":
                self.i += 1
                return self.make_object(pairs)
            run = self.strict_run(_MEMBER_RUN, "{", "}")
            if run is not None:
                pairs.extend(run)
                self.frames[-1][1] = run[-1][0]
                continue
            name = self.property_name(c)
            self.frames[-1][1] = name
            pairs.append((name, self.value()))
            if self.after_value("}"):
                return self.make_object(pairs)

    def items(self) -> list[Any]:
        values: list[Any] = []
        while True:
            self.skip_space()
            c = self.peek()
            if not c:
                raise self.end()
            if c == "]":
                self.i += 1
                return values
            run = self.strict_run(_ITEM_RUN, "[", "]")
            if run is not None:
                values.extend(run)
                self.frames[-1][1] += len(run)
                continue
            if c == ",":  # empty slots: Json.NET reads an undefined value for each comma
                commas = _EMPTY_SLOTS.match(self.text, self.i)
                slots = commas.group().count(",")
                values.extend([None] * slots)
                self.frames[-1][1] += slots
                self.i = commas.end()
                continue
            values.append(self.value())
            if self.after_value("]"):
                return values

    def strict_run(self, pattern: re.Pattern[str], opening: str, closing: str) -> list | None:
        """A run of strict scalar items (or members) each followed by a comma, read at once by
        Python's parser: a huge array with a trailing comma costs what strict JSON costs."""
        if self.i < self.runs_from:
            return None
        found = pattern.match(self.text, self.i)
        if found is None:
            return None
        try:
            run = self.pairs_decoder.decode(opening + found.group()[:-1].rstrip() + closing)
        except ValueError:
            # An integer of over 4300 digits: the items before it are read at once, the rest
            # item by item, and no later part of the run is matched again (which would cost
            # the run's length per item).
            self.runs_from = found.end()
            long = _LONG_INTEGER.search(self.text, self.i, found.end())
            found = pattern.match(self.text, self.i, long.start()) if long else None
            if found is None:
                return None
            try:
                run = self.pairs_decoder.decode(opening + found.group()[:-1].rstrip() + closing)
            except ValueError:
                return None
        self.i = found.end()
        return run

    def after_value(self, closing: str) -> bool:
        """After a value: True at the container's end, False after a comma."""
        self.skip_space()
        c = self.peek()
        if not c:
            raise self.end()
        if c == ",":
            self.i += 1
            return False
        if c in "}])":
            self.i += 1
            if c != closing:
                token = {"}": "EndObject", "]": "EndArray", ")": "EndConstructor"}[c]
                kind = "Object" if closing == "}" else "Array"
                raise self.error(f"JsonToken {token} is not valid for closing JsonType {kind}.")
            return True
        shown = self.quoted(c)
        raise self.error(f"After parsing a value an unexpected character was encountered: {shown}.")

    def property_name(self, c: str) -> str:
        if c in "\"'":
            name = self.string(c)
        elif _identifier(c):
            start = self.i
            while True:
                ch = self.peek()
                if not ch:
                    raise self.error("Unexpected end while parsing unquoted property name.")
                if _identifier(ch):
                    self.i += 1
                elif ch.isspace() or ch == ":":
                    break
                else:
                    raise self.error(f"Invalid JavaScript property identifier character: {ch}.")
            name = self.text[start : self.i]
        else:
            raise self.error(f"Invalid property identifier character: {c}.")
        while self.peek().isspace():
            self.i += 1
        ch = self.peek()
        if ch != ":":
            if not ch:
                raise self.end()
            raise self.error(
                f"Invalid character after parsing property name. Expected ':' but got: {ch}."
            )
        self.i += 1
        return name

    def string(self, quote: str) -> str:
        text, out = self.text, []
        self.i += 1
        start = self.i
        plain = _PLAIN[quote]
        while True:
            j = plain.match(text, self.i).end()
            out.append(text[self.i : j])
            self.i = j
            if j >= len(text):
                raise self.error(f"Unterminated string. Expected delimiter: {quote}.")
            if text[j] == quote:
                self.i += 1
                return _paired("".join(out)) if len(out) > 1 else text[start:j]
            escape = text[j + 1 : j + 2]
            if escape == "u":
                digits = text[j + 2 : j + 6]
                if len(digits) < 4:
                    self.i = len(text)
                    raise self.error("Unexpected end while parsing Unicode escape sequence.")
                try:
                    out.append(chr(int(digits, 16)))
                except ValueError:
                    self.i = j + 6
                    shown = self.quoted(f"\\u{digits}")
                    raise self.error(f"Invalid Unicode escape sequence: {shown}.") from None
                self.i = j + 6
            elif escape in _ESCAPES:
                out.append(_ESCAPES[escape])
                self.i = j + 2
            else:
                self.i = j + 2
                if not escape:
                    raise self.error(f"Unterminated string. Expected delimiter: {quote}.")
                shown = self.quoted("\\" + escape)
                raise self.error(f"Bad JSON escape sequence: {shown}.")

    def number(self) -> int | float:
        text, start = self.text, self.i
        self.i = _NUMBER.match(text, self.i).end()
        c = self.peek()
        if c and not (c.isspace() or c in _SEPARATORS or c == ")"):
            shown = self.quoted(c)
            raise self.error(f"Unexpected character encountered while parsing number: {shown}.")
        token = text[start : self.i]
        value = _number(token)
        if value is None:
            raise self.error(f"Input string '{self.quoted(token)}' is not a valid number.")
        return value

    def quoted(self, text: str) -> str:
        """Text of the value being read as a message quotes it: bounded, and never a secret's
        (request_types.is_secret knows which paths are)."""
        if request_types.is_secret(self.path()):
            return HIDDEN
        return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"

    def literal(self, c: str) -> Any:
        for word, value in (("true", True), ("false", False), ("null", None), ("undefined", None)):
            if c == word[0]:
                end = self.i + len(word)
                after = self.text[end : end + 1]
                if self.text[self.i : end] != word or (
                    after and not (after.isspace() or after in _SEPARATORS or after == ")")
                ):
                    kind = "boolean" if isinstance(value, bool) else word
                    raise self.error(f"Error parsing {kind} value.")
                self.i = end
                return value
        if c in "NI":
            word = "NaN" if c == "N" else "Infinity"
            raise JsonNetError(f"Unexpected token '{word}': not a JSON value")
        shown = self.quoted(c)
        raise self.error(f"Unexpected character encountered while parsing value: {shown}.")


_NONE = object()


def _not_json(name: str) -> Any:
    raise ValueError(name)  # NaN and Infinity: the reader refuses them in its words


def _paired(text: str) -> str:
    """Escaped surrogates joined into their character; a lone one is U+FFFD, as Json.NET has it."""
    if not any("\ud800" <= c <= "\udfff" for c in text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def _identifier(c: str) -> bool:
    return c.isalnum() or c in "_$"


def _number(token: str) -> int | float | None:
    """A number as Json.NET reads one: decimal, or an integer in hex (0x1F) or octal (017)
    within Int64 (Convert.ToInt64); None where Json.NET finds no valid number."""
    negative = token.startswith("-")
    digits = token[1:] if negative else token
    try:
        if len(digits) > 1 and digits[0] == "0" and digits[1] not in ".eE":
            base = 16 if digits[1] in "xX" else 8
            significant = (digits[2:] if base == 16 else digits[1:]).lstrip("0")
            if len(significant) > (16 if base == 16 else 22):  # past Int64 whatever follows
                return None
            value: int | float = int(significant or "0", base)
            value = -value if negative else value
            return value if INT64[0] <= value <= INT64[1] else None
        if not digits or not (digits[0].isdigit() or digits[0] == "."):
            return None
        if all(ch.isdigit() for ch in digits):
            value = int(digits)
            return -value if negative else value
        value = float(token)
    except ValueError:
        return None
    return value


def read(
    text: str,
    make_object: Callable[[list[tuple[str, Any]]], Any] = dict,
    *,
    depth: int | None = None,
) -> Any:
    """The value the text holds, read as Json.NET reads it, or JsonNetError in its words.
    `depth`: the text's nesting as json_census measures it, when the caller has it already.

    Text within MaxDepth is first rewritten as strict JSON in one pass (strict_text) and read
    by Python's parser: a body of Json.NET's leniencies costs what strict JSON costs. Only text
    that cannot be so read (an error to word, or a leniency too rare to rewrite) is read here
    value by value."""
    if depth is None:
        depth = json_census.measure(text).depth or 0
    if depth <= MAX_DEPTH:
        strict = strict_text(text)
        if strict is not None:
            try:
                return json.loads(
                    strict, object_pairs_hook=make_object, parse_constant=_not_json, strict=False
                )
            except ValueError as err:
                if type(err) not in (ValueError, json.JSONDecodeError):
                    raise  # the caller's own refusal (a property named twice)
    return Reader(text, make_object, depth).document()


# One token of Json.NET's lenient JSON a pass rewrites as strict JSON. `run`: strict JSON as it
# stands (strings, numbers, literals, punctuation and space, but no comma a bracket closes),
# matched whole so that strict text costs one step per run, not per token.
_STRICT_STRING = r'"(?:[^"\\]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"'
# Space and comments; a comment cannot reach past its first '*/' (a lazy match could, on
# backtracking, to the text's end at every comma).
# Each piece matches one way only (one space character; a comment to its own end), so a
# failed lookahead backtracks in time linear in the gap, never exponential.
_GAP = r"(?:[ \t\r\n]|/\*(?:[^*]|\*(?!/))*\*/|//[^\n]*(?:\n|\Z))*"
_NOT_NAME = r"(?![ \t\r\n]*:)"  # a literal or number before a colon is a bare name
_STRICT_NUMBER = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?(?![\w.$+-])" + _NOT_NAME
_LENIENT = re.compile(
    rf"(?P<run>(?:{_STRICT_STRING}|{_STRICT_NUMBER}|(?:true|false|null)(?![\w$]){_NOT_NAME}"
    rf"|[ \t\r\n{{}}\[\]:]+|,(?!{_GAP}[,}}\]]))+)"
    # The same with simple single-quoted strings (no quote of either kind, no escape) and no
    # double-quoted one: every quote in it is a delimiter, swapped at C speed.
    rf"|(?P<swap>(?:'[^'\"\\]*'|{_STRICT_NUMBER}|(?:true|false|null)(?![\w$]){_NOT_NAME}"
    rf"|[ \t\r\n{{}}\[\]:]+|,(?!{_GAP}[,}}\]]))+)"
    rf"|(?P<trailing>,(?={_GAP}[}}\]]))"
    r"|(?P<name>[A-Za-z0-9_$]+(?=[ \t\r\n]*:))"
    r"|(?P<single>'(?:[^'\\]|\\[\s\S])*')"
    r'|(?P<double>"(?:[^"\\]|\\[\s\S])*")'
    r"|(?P<comment>/\*[\s\S]*?\*/|//[^\n]*)"
    r"|(?P<number>[-+a-fA-FxX.0-9]+(?![\w$]))"
    r"|(?P<undefined>undefined(?![\w$]))"
    r"|(?P<other>[\s\S])"
)
_QUOTE_ESCAPES = re.compile(r"\\'|\\[\s\S]|\"")


def strict_text(text: str) -> str | None:
    """The text as strict JSON that Python's parser reads to the same value, or None where it
    holds something this pass does not rewrite (then the Reader reads it, and words any error).

    Rewritten: single-quoted strings and `\\'` escapes, bare property names, comments, trailing
    commas, hex and octal integers (within Int64) and other numbers Json.NET reads, `undefined`."""
    out: list[str] = []
    for token in _LENIENT.finditer(text):
        kind = token.lastgroup
        value = token.group()
        if kind == "run":
            out.append(value)
        elif kind == "swap":
            out.append(value.replace("'", '"'))
        elif kind == "trailing":
            before = next((p.rstrip(" \t\r\n")[-1:] for p in reversed(out) if p.strip()), "")
            if not before or before in "{[,:":
                return None  # no value just before it: an empty slot, an error, a comment
        elif kind == "name":
            out.append(f'"{value}"')
        elif kind in ("single", "double"):
            out.append('"' + _QUOTE_ESCAPES.sub(_unquote, value[1:-1]) + '"')
        elif kind == "comment":
            out.append(" ")
        elif kind == "number":
            number = _number(value)
            if number is None or isinstance(number, float) and not math.isfinite(number):
                return None
            out.append(repr(number) if isinstance(number, float) else str(number))
        elif kind == "undefined":
            out.append("null")
        else:
            return None
    return "".join(out)


def _unquote(escape: re.Match[str]) -> str:
    """Within a string rewritten in double quotes: `\\'` is a quote, a bare `"` is escaped."""
    found = escape.group()
    return "'" if found == "\\'" else '\\"' if found == '"' else found
