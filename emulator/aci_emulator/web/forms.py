"""An urlencoded form (the token endpoint's body), parsed in memory within the door's limits.

werkzeug's form parser is not used: it spools multipart uploads to temporary files and
raises on a large field deep inside a handler. Here a form is bytes already read (the door
bounds their size and time), split once, and refused as a whole when it has too many fields
or one too long; multipart bodies are refused at the door (see aci_emulator.web.door).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from aci_emulator.config import Limits

URLENCODED = "application/x-www-form-urlencoded"


class FormError(ValueError):
    """A form that breaks one of the limits; the message names it."""


def check_form(body: bytes, limits: Limits) -> None:
    """Raise FormError when ``body`` has more fields, or a longer one, than ``limits`` allow."""
    fields = [pair for pair in body.split(b"&") if pair]
    if len(fields) > limits.max_form_fields:
        raise FormError(f"The form has more than {limits.max_form_fields} fields.")
    longest = max((len(part) for pair in fields for part in pair.split(b"=", 1)), default=0)
    if longest > limits.max_form_field_bytes:
        raise FormError(
            f"A form field's name or value is longer than {limits.max_form_field_bytes} bytes."
        )


def parse_form(body: bytes, limits: Limits) -> dict[str, str]:
    """The first value of each field of an urlencoded ``body`` (FormError past the limits)."""
    check_form(body, limits)
    form: dict[str, str] = {}
    pairs = parse_qsl(
        body.decode("ascii", errors="replace"),
        keep_blank_values=True,
        encoding="utf-8",
        errors="replace",
    )
    for name, value in pairs:
        form.setdefault(name, value)
    return form
