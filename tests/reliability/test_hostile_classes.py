"""The server's limits, and every class of hostile client with the tests that cover it.

Both tables of docs/reliability.md come from here: the limits from `Limits` itself (the one
place they are set), the classes from CLASSES below. The test fails when a class names a test
that does not exist, or when a limit is covered by no class: a bound nobody tries is a bound
nobody knows holds.
"""

from __future__ import annotations

import ast
import inspect
import re
from dataclasses import fields
from pathlib import Path

from reliability_kit import REPORT, cell

from aci_emulator.config import Limits

TESTS = Path(__file__).resolve().parents[1]

# Requests generated with Hypothesis: URL length, header count, body size, chunking.
GENERATED = (
    "reliability/test_door.py::test_any_request_is_answered_by_the_first_bound_it_breaks_or_served"
)
# (class of hostile client, the Limits fields or mechanism that bound it, what it gets, tests)
CLASSES = [
    (
        "a TCP connection that never starts TLS",
        ["handshake_seconds"],
        "closed",
        ["reliability/test_connections.py::test_a_client_that_never_starts_tls_is_disconnected"],
    ),
    (
        "a TLS connection that sends no request, or nothing more on keep-alive",
        ["idle_seconds"],
        "closed",
        ["reliability/test_connections.py::test_a_client_that_sends_no_request_is_disconnected"],
    ),
    (
        "a request head sent slowly (slowloris)",
        ["idle_seconds", "read_seconds"],
        "closed without an answer",
        [
            "reliability/test_connections.py::"
            "test_a_client_that_trickles_its_headers_is_disconnected"
        ],
    ),
    (
        "request bodies trickled by more clients than there are workers",
        ["body_seconds", "workers"],
        "others still served; 408 at the deadline",
        ["reliability/test_door.py::test_clients_trickling_bodies_hold_no_worker"],
    ),
    (
        "a Content-Length and no body",
        ["body_seconds"],
        "408 in ARM's or Entra ID's envelope",
        ["reliability/test_door.py::test_withheld_bodies_hold_no_worker_and_end_in_408"],
    ),
    (
        "a body over the limit, declared or chunked, on any route",
        ["max_body_bytes"],
        "413 `RequestContentTooLarge` (ARM) or `invalid_request` (token endpoint)",
        [
            "reliability/test_door.py::test_a_200_mb_token_body_is_413_before_it_is_read",
            "reliability/test_door.py::test_a_chunked_token_body_past_the_limit_is_413",
            "reliability/test_hostile_bodies.py::test_a_chunked_20_mb_body_is_refused",
            GENERATED,
        ],
    ),
    (
        "a body of many small JSON values (4 MB of `{},` is 1.3 million objects)",
        ["max_json_values"],
        "413 `RequestContentTooLarge` before any object is built (MaxDepth's 400 if a reader "
        "meets it first)",
        [
            "emulator/test_body_limits.py::"
            "test_a_body_over_the_values_limit_is_refused_before_anything_is_stored",
            "emulator/test_body_limits.py::test_the_sdk_meets_the_values_limit_as_a_413",
            "emulator/test_body_limits.py::test_the_first_limit_a_reader_meets_is_the_one_named",
        ],
    ),
    (
        "JSON shaped to be read slowly: a run of numbers holding one too long for Python, "
        "nesting past MaxDepth, an error's position past a deep, wide value",
        ["one pass over the text (aci_emulator.web.json_census, json_reader, json_positions)"],
        "Json.NET's 400 at a cost bounded by the body's length",
        [
            "emulator/test_body_reading_work.py::test_reading_costs_a_bounded_multiple_of_the_text",
            "emulator/test_body_reading_work.py::"
            "test_every_value_is_placed_where_json_net_reports_it",
        ],
    ),
    (
        "a body sent without a token to a route that names the body's location",
        ["the token is checked before any body is read (aci_emulator.web.app)"],
        "400 `NoRegisteredProviderFound` naming the path's location; the body unread",
        ["emulator/test_body_limits.py::test_a_body_is_not_read_before_its_token_is_checked"],
    ),
    (
        "many large bodies at once, held unfinished",
        ["max_buffered_bytes", "free_body_bytes"],
        "503 `ServerBusy` with Retry-After past the shared budget; small requests still served",
        [
            "reliability/test_door.py::"
            "test_large_bodies_held_at_once_are_bounded_and_small_requests_still_pass"
        ],
    ),
    (
        "a URL over the limit",
        ["max_url_bytes"],
        "414 `RequestUrlTooLong`",
        ["reliability/test_door.py::test_a_url_past_the_limit_is_414", GENERATED],
    ),
    (
        "too many headers, or headers too long",
        ["max_header_count", "max_header_bytes"],
        "431",
        ["reliability/test_door.py::test_headers_past_the_limits_are_431", GENERATED],
    ),
    (
        "a form with too many fields or a field too long (generated forms included)",
        ["max_form_fields", "max_form_field_bytes"],
        "400 `invalid_request` naming the bound",
        [
            "reliability/test_door.py::test_forms_past_the_limits_are_400_naming_the_bound",
            "reliability/test_door.py::test_any_token_form_gets_a_token_or_a_400_naming_its_bound",
        ],
    ),
    (
        "a multipart upload to the token endpoint",
        ["max_body_bytes"],
        "never parsed nor spooled to disk; 400 AADSTS900144",
        ["reliability/test_door.py::test_a_multipart_token_request_is_never_parsed_or_spooled"],
    ),
    (
        "a malformed head: folded or bare-LF lines, NUL bytes; a broken chunk size",
        ["strict HTTP/1.1 parsing (aci_emulator.web.strict_h11)"],
        "400 in ARM's envelope, nothing stored",
        [
            "reliability/test_connections.py::test_a_malformed_head_is_400_and_nothing_is_stored",
            "reliability/test_hostile_bodies.py::test_an_invalid_chunk_size_is_400",
        ],
    ),
    (
        "thousands of silent connections",
        ["max_connections", "backlog"],
        "a new client is still served",
        [
            "reliability/test_connections.py::test_many_silent_clients_do_not_delay_another",
            "reliability/test_connections.py::"
            "test_past_the_connection_budget_the_oldest_silent_client_makes_room",
        ],
    ),
    (
        "keep-alive clients, each served once, filling the connection budget",
        ["max_connections"],
        "the longest-idle connection is closed; the new client is served",
        [
            "reliability/test_door.py::"
            "test_a_full_budget_of_keep_alive_clients_evicts_the_longest_idle",
            "reliability/test_door.py::"
            "test_the_budget_evicts_the_longest_idle_and_never_one_being_answered",
        ],
    ),
    (
        "plain HTTP on the HTTPS port",
        ["TLS"],
        "closed",
        [
            "reliability/test_connections.py::"
            "test_plain_http_on_the_tls_port_is_closed_and_the_server_goes_on"
        ],
    ),
    (
        "JSON nested too deep, NaN, huge integers, values of any type anywhere",
        ["ARM's JSON bounds (aci_emulator.web.body)"],
        "400 `InvalidRequestContent`, never 500",
        [
            "reliability/test_hostile_bodies.py::"
            "test_a_hostile_body_is_refused_and_nothing_is_stored",
            "reliability/test_hostile_bodies.py::test_values_of_any_type_anywhere_never_answer_500",
        ],
    ),
    (
        "one property twice in a JSON object, in any casing, at any depth (a secret under a "
        "twin spelling of its parent)",
        ["one spelling per property (aci_emulator.web.body)"],
        "400 `InvalidRequestContent` naming the property; nothing stored; no secret in any "
        "answer or log",
        [
            "reliability/test_duplicate_properties.py::"
            "test_a_secret_under_a_twin_parent_is_refused_and_never_shown",
            "reliability/test_duplicate_properties.py::"
            "test_a_property_twice_at_any_depth_in_any_casing_is_refused_and_no_secret_shows",
        ],
    ),
    (
        "a secret of any JSON type at any of the six secret places",
        ["secrets named, never quoted (aci_emulator.web.request_types)"],
        "a 4xx naming the property, or stored hidden; never in an answer, a GET or a list",
        ["reliability/test_typed_secrets.py::test_a_secret_of_any_json_type_is_never_shown"],
    ),
    (
        "another protocol on the TLS connection: HTTP/2 prior knowledge, `Upgrade: h2c`, a "
        "WebSocket handshake (valid or not)",
        ["HTTP/1.1 only (aci_emulator.web.strict_h11, web/door.py)"],
        "505 `HttpVersionNotSupported` for the h2 preface; an upgrade is ignored and the "
        "request answered in HTTP/1.1; never a 101 or a 500",
        [
            "reliability/test_protocols.py::test_http2_prior_knowledge_is_505_in_arms_envelope",
            "reliability/test_protocols.py::"
            "test_an_h2c_upgrade_is_ignored_and_answered_in_http_1_1",
            "reliability/test_protocols.py::test_a_websocket_handshake_is_answered_as_the_get_it_is",
            "reliability/test_protocols.py::"
            "test_the_door_answers_a_websocket_scope_it_is_handed_as_a_get",
        ],
    ),
    (
        "credentials and tokens sent to a server run with `--verbose`",
        ["only the emulator's own loggers log (aci_emulator.__main__)"],
        "no library's debug lines (hpack's decoded headers); no credential in the log",
        [
            "reliability/test_protocols.py::"
            "test_the_verbose_log_holds_no_credential_and_no_library_line",
            "reliability/test_security_boundaries.py::"
            "test_the_verbose_request_log_holds_no_secret_or_token",
        ],
    ),
    (
        "a FIFO, a Unix socket or a device at `--info-file` or `--env-file`",
        ["regular files only (aci_emulator.owned_files)"],
        "refused before it is opened: one line, exit 2",
        [
            "reliability/test_special_files.py::"
            "test_what_is_not_a_regular_file_is_refused_before_it_is_opened"
        ],
    ),
    (
        "a forged Host header (generated values)",
        ["URLs from the server's own address (aci_emulator.web.app)"],
        "ignored: every absolute URL sent is the server's own",
        ["reliability/test_host_header.py::test_no_absolute_url_is_built_from_the_host_header"],
    ),
    (
        "framing leniency: Content-Length beside Transfer-Encoding; a coding other than "
        "`chunked` alone (generated)",
        ["strict HTTP/1.1 parsing (aci_emulator.web.strict_h11, web/door.py)"],
        "400 `BadRequest` then closed (RFC 9112 §6.1); 501 `NotImplemented`, closed",
        [
            "reliability/test_framing.py::"
            "test_content_length_beside_transfer_encoding_is_refused_and_closed",
            "reliability/test_framing.py::"
            "test_a_transfer_coding_other_than_chunked_alone_is_501_not_implemented",
        ],
    ),
    (
        "empty or malformed Basic credentials (Authorization header) at the token endpoint",
        ["Basic credentials parsed whole (aci_emulator.web.routes_identity)"],
        "400 `invalid_request` AADSTS9002313",
        ["reliability/test_framing.py::test_empty_basic_credentials_are_a_malformed_request"],
    ),
    (
        "CPU below its step, or a negative limit (`cpu: 1e-300`, `limits.cpu: -1`)",
        ["Azure's documented steps (aci_emulator.backend.aci.bounds)"],
        "400 naming the requirement; nothing stored",
        [
            "reliability/test_framing.py::test_cpu_off_its_step_or_a_negative_limit_is_refused",
            "reliability/test_generated_requests.py::"
            "test_each_documented_bound_holds_in_generated_bodies",
        ],
    ),
    (
        "a request held by an injected 300 s latency when the server stops",
        ["stop ends injected waits"],
        "stop returns at once; the process exits with no warning",
        [
            "reliability/test_door.py::test_stop_does_not_wait_for_a_300_s_latency_fault",
            "reliability/test_door.py::"
            "test_a_process_with_a_300_s_latency_in_flight_exits_at_stop_without_a_warning",
            "emulator/test_server_cli.py::test_sigterm_does_not_wait_for_an_injected_300_s_latency",
        ],
    ),
]


def limit_comments() -> dict[str, str]:
    """Each Limits field's comment in aci_emulator/config.py, where the limits are set."""
    source = inspect.getsource(Limits)
    found = re.findall(r"^\s+(\w+): [^=]+=[^#\n]+#\s*(.+)$", source, re.MULTILINE)
    return dict(found)


def functions_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def test_every_limit_is_tried_by_a_class_and_every_class_by_a_real_test():
    limits = [f.name for f in fields(Limits)]
    comments = limit_comments()
    covered = {name for _, bounds, _, _ in CLASSES for name in bounds}
    missing_tests = [
        test
        for _, _, _, tests in CLASSES
        for test in tests
        if test.split("::")[1] not in functions_in(TESTS / test.split("::")[0])
    ]

    assert missing_tests == []
    # A bound is a field of Limits, or a mechanism described in words (never a misspelt field).
    assert [b for b in covered if re.fullmatch(r"[a-z_]+", b) and b not in limits] == []
    assert [name for name in limits if name not in covered] == []
    assert [name for name in limits if name not in comments] == []

    defaults = Limits()
    limit_rows = [
        f"| `{name}` | {getattr(defaults, name)!r} | {cell(comments[name])} |" for name in limits
    ]
    class_rows = [
        f"| {cell(what)} | {', '.join(f'`{b}`' for b in bounds)} | {cell(answer)} | "
        + "<br>".join(f"`{test}`" for test in tests)
        + " |"
        for what, bounds, answer, tests in CLASSES
    ]
    REPORT.sections.append(
        "\n".join(
            [
                "## Limits: the server's one door",
                "",
                "Every bound on what one client may send or hold is a field of",
                "`aci_emulator.config.Limits`, enforced before a request reaches a worker thread",
                "(aci_emulator/web/door.py, web/serving.py). `Emulator(config, limits)` and",
                "`EmulatorConfig(limits=Limits(...))` set them in process; `serve` takes",
                "`--max-connections` and `--body-seconds`. Defaults:",
                "",
                "| limit | default | what it bounds |",
                "|---|---|---|",
                *limit_rows,
                "",
                "## Hostile-client classes and the tests that cover them",
                "",
                "| class | bounded by | what the client gets | tests (under `tests/`) |",
                "|---|---|---|---|",
                *class_rows,
                "",
            ]
        )
    )
