"""What the setup cell shows of an AzureContext: the target, its credential, every setting."""

from __future__ import annotations

import html
from typing import Any
from urllib.parse import urlsplit

from .settings import PUBLIC_ARM_ENDPOINT, mask
from .waiting import LOOPBACK


def target_text(ctx: Any) -> str:
    if ctx.emulated:
        return "local emulator (in this process; nothing is created in Azure)"
    if ctx.arm_endpoint == PUBLIC_ARM_ENDPOINT:
        return "Azure (live: resources cost money until deleted)"
    if ctx.settings.written_by_server or urlsplit(ctx.arm_endpoint).hostname in LOOPBACK:
        return "local emulator server (nothing is created in Azure)"
    return f"Azure at a custom endpoint (live, {ctx.arm_endpoint})"


def credential_text(ctx: Any) -> str:
    name = type(ctx.credential).__name__
    if ctx.emulated:
        return f"{name}: a service principal the emulator issued for this run"
    s = ctx.settings
    how = (
        "tries in turn a service principal in AZURE_TENANT_ID, AZURE_CLIENT_ID and "
        "AZURE_CLIENT_SECRET, workload and managed identity, the Azure CLI login (az login), "
        "Azure PowerShell and the Azure Developer CLI; the first that answers signs in"
    )
    if s.tenant_id and s.client_id and s.client_secret:
        how += (
            f" (here the service principal {mask(s.client_id)}, from {s.source('AZURE_CLIENT_ID')})"
        )
    return f"{name}: {how}"


def ca_text(ctx: Any) -> str:
    if ctx.emulated:
        return "the emulator's own CA, created for this run"
    s = ctx.settings
    if s.ca_bundle:
        return f"{s.ca_bundle} (REQUESTS_CA_BUNDLE from {s.source('REQUESTS_CA_BUNDLE')})"
    return "the public CAs of the certifi package (REQUESTS_CA_BUNDLE not set)"


def rows(ctx: Any) -> list[tuple[str, str]]:
    return [
        ("target", target_text(ctx)),
        ("Resource Manager endpoint", ctx.arm_endpoint),
        ("subscription", mask(ctx.subscription_id)),
        ("location", ctx.location),
        ("resource group", ctx.resource_group),
        ("credential", credential_text(ctx)),
        ("CA bundle", ca_text(ctx)),
    ]


def where(ctx: Any) -> str:
    """One line: the target, its endpoint, the subscription and the credential class."""
    return (
        f"{target_text(ctx)}, {ctx.arm_endpoint}, subscription {mask(ctx.subscription_id)}, "
        f"credential {type(ctx.credential).__name__}"
    )


def settings_caption(ctx: Any) -> str:
    found = f".env: {ctx.settings.env_file}" if ctx.settings.env_file else "no .env found"
    caption = f"Settings (the environment wins over .env, then the default; {found})"
    if ctx.emulated:
        caption += "; credentials and endpoints are the emulator's own"
    return caption


def as_text(ctx: Any) -> str:
    context = rows(ctx)
    width = max(len(k) for k, _ in context)
    lines = ["Azure context"] + [f"  {key:<{width}}  {value}" for key, value in context]
    settings = ctx.settings.rows()
    name_width = max(len(n) for n, _, _ in settings)
    value_width = max(len(v) for _, v, _ in settings)
    lines.append(settings_caption(ctx))
    lines += [
        f"  {name:<{name_width}}  {value:<{value_width}}  {source}"
        for name, value, source in settings
    ]
    lines += [f"Warning: {warning}" for warning in ctx.settings.warnings()]
    return "\n".join(lines)


def as_html(ctx: Any) -> str:
    def row(*cells: str) -> str:
        return (
            "<tr>"
            + "".join(f"<td style='text-align:left'>{html.escape(c)}</td>" for c in cells)
            + "</tr>"
        )

    context = "".join(row(k, v) for k, v in rows(ctx))
    settings = "".join(row(*r) for r in ctx.settings.rows())
    warnings = "".join(
        f"<p style='color:#a00'><b>Warning:</b> {html.escape(w)}</p>"
        for w in ctx.settings.warnings()
    )
    return (
        f"<table><caption style='text-align:left'><b>Azure context</b></caption>{context}"
        "</table><table><caption style='text-align:left'>"
        f"<b>{html.escape(settings_caption(ctx))}</b></caption>{settings}</table>{warnings}"
    )
