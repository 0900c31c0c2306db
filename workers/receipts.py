"""The job that files a payment's PDF receipt, in the tenant's language."""

from __future__ import annotations

from functools import partial
from typing import Any
from uuid import UUID

import dramatiq

from app.i18n import DEFAULT_LOCALE, translate
from schemes.contributions import receipt_pdf, receipts
from schemes.contributions.receipts import ReceiptData
from schemes.documents.storage import DocumentStore
from tenants.context import SYSTEM
from tenants.registry import service as tenant_service
from tenants.tx import platform_tx

_store: DocumentStore | None = None


def configure(store: DocumentStore) -> None:
    """Give this process's jobs the storage receipts are kept in."""
    global _store
    _store = store


def _text(locale: str, code: str, /, **params: Any) -> str:
    return translate(code, locale, **params)


def render(data: ReceiptData, locale: str = DEFAULT_LOCALE) -> bytes:
    """The receipt's PDF, its words from the catalogue the pages use."""
    return receipt_pdf.render(data, partial(_text, locale), locale)


@dramatiq.actor(actor_name=receipts.RECEIPT_ACTOR, max_retries=10)
async def file_receipt(tenant_id: str, payment_id: str) -> None:
    """File the receipt of a payment; a retry, or a second delivery, files nothing twice."""
    if _store is None:
        raise RuntimeError("receipt storage is not configured: build the runtime first")
    async with platform_tx() as tx:
        ctx = await tenant_service.context_for(tx, SYSTEM, UUID(tenant_id))
    await receipts.file_receipt(ctx, UUID(payment_id), _store, render)
