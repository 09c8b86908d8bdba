"""Webhook endpoints: one registered source per platform, one code path for all of them.

Each source names its connector module, which provides ``verify_signature(secret, body,
header)``, ``map_event(event, payload)`` and ``IGNORED_EVENTS``. A delivery with a bad or
missing signature is answered 401 and leaves nothing but a log line. Everything else is parsed
and mapped on the event loop (:func:`hearth.actions.webhooks.prepare_delivery`, no I/O) and
handed to the process's :class:`~hearth.actions.webhooks.DeliveryWriter`, which commits the
deliveries waiting at one moment together; each request is answered once its own delivery is
committed. The writer stops with the app (the router's lifespan).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from hearth.actions.group_commit import AfterCommit
from hearth.actions.webhooks import (
    DeliveryOutcome,
    DeliveryWriter,
    PreparedDelivery,
    prepare_delivery,
)
from hearth.settings import Settings

log = logging.getLogger("hearth.hooks")


@dataclass(frozen=True, slots=True)
class WebhookSource:
    platform: str
    signature_header: str
    delivery_header: str
    event_header: str
    secret_setting: str
    module: str


SOURCES = [
    WebhookSource(
        "github",
        "X-Hub-Signature-256",
        "X-GitHub-Delivery",
        "X-GitHub-Event",
        "github_webhook_secret",
        "hearth.connectors.github.webhook",
    ),
    WebhookSource(
        "discourse",
        "X-Discourse-Event-Signature",
        "X-Discourse-Event-Id",
        "X-Discourse-Event",
        "discourse_webhook_secret",
        "hearth.connectors.discourse.webhook",
    ),
]


def hooks_router(
    settings: Settings,
    engine: Engine,
    *,
    after_commit: AfterCommit[PreparedDelivery, DeliveryOutcome] | None = None,
) -> APIRouter:
    """The webhook routes, sharing one group-commit writer.

    ``after_commit(engine, deliveries, outcomes)`` runs after each batch of deliveries commits
    and before any of them is answered (see :mod:`hearth.actions.group_commit`).
    """
    writer = DeliveryWriter(engine, after_commit=after_commit)

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await asyncio.to_thread(writer.close)

    router = APIRouter(lifespan=lifespan)
    router.delivery_writer = writer  # type: ignore[attr-defined]
    for source in SOURCES:
        router.add_api_route(
            f"/hooks/{source.platform}",
            _endpoint(source, settings, writer),
            methods=["POST"],
            name=f"hook_{source.platform}",
            include_in_schema=True,
            summary=f"Receive a {source.platform} webhook delivery",
        )
    return router


def _endpoint(source: WebhookSource, settings: Settings, writer: DeliveryWriter):  # type: ignore[no-untyped-def]
    connector = importlib.import_module(source.module)
    secret = getattr(settings, source.secret_setting)

    async def receive(request: Request) -> JSONResponse:
        if secret is None:
            return JSONResponse(
                {
                    "error": {
                        "code": "config",
                        "message": f"{source.platform} webhooks are not "
                        f"configured (set HEARTH_{source.secret_setting.upper()})",
                    }
                },
                status_code=503,
            )
        body = await request.body()
        delivery = request.headers.get(source.delivery_header)
        if not connector.verify_signature(
            secret.get_secret_value().encode(), body, request.headers.get(source.signature_header)
        ):
            log.warning(
                "rejected %s delivery %s: bad or missing signature", source.platform, delivery
            )
            return JSONResponse(
                {"error": {"code": "signature", "message": "bad or missing signature"}},
                status_code=401,
            )
        prepared = prepare_delivery(
            platform=source.platform,
            delivery_id=delivery,
            event=request.headers.get(source.event_header),
            body=body,
            map_event=connector.map_event,
            ignored=connector.IGNORED_EVENTS,
        )
        outcome = await asyncio.wrap_future(writer.submit(prepared))
        content: dict[str, object] = {"outcome": outcome.outcome, "activities": outcome.activities}
        if outcome.error:
            content["error"] = outcome.error
        return JSONResponse(content, status_code=outcome.http_status)

    receive.__name__ = f"receive_{source.platform}"
    return receive
