"""Webhook endpoints: one registered source per platform, one code path for all of them.

Each source names its connector module, which provides ``verify_signature(secret, body,
header)``, ``map_event(event, payload)`` and ``IGNORED_EVENTS``. A delivery with a bad or
missing signature is answered 401 and leaves nothing but a log line; everything else goes
through :func:`hearth.actions.webhooks.do_receive_delivery`.
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from hearth.actions.webhooks import do_receive_delivery
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


def hooks_router(settings: Settings, engine: Engine) -> APIRouter:
    router = APIRouter()
    for source in SOURCES:
        router.add_api_route(
            f"/hooks/{source.platform}",
            _endpoint(source, settings, engine),
            methods=["POST"],
            name=f"hook_{source.platform}",
            include_in_schema=True,
            summary=f"Receive a {source.platform} webhook delivery",
        )
    return router


def _endpoint(source: WebhookSource, settings: Settings, engine: Engine):  # type: ignore[no-untyped-def]
    connector = importlib.import_module(source.module)
    secret = getattr(settings, source.secret_setting)

    async def receive(request: Request) -> JSONResponse:
        if secret is None:
            return JSONResponse(
                {"error": {"code": "config", "message": f"{source.platform} webhooks are not "
                           f"configured (set HEARTH_{source.secret_setting.upper()})"}},
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
        outcome = await run_in_threadpool(
            do_receive_delivery,
            engine,
            platform=source.platform,
            delivery_id=delivery,
            event=request.headers.get(source.event_header),
            body=body,
            map_event=connector.map_event,
            ignored=connector.IGNORED_EVENTS,
        )
        content: dict[str, object] = {"outcome": outcome.outcome, "activities": outcome.activities}
        if outcome.error:
            content["error"] = outcome.error
        return JSONResponse(content, status_code=outcome.http_status)

    receive.__name__ = f"receive_{source.platform}"
    return receive
