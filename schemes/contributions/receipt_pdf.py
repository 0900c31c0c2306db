"""A receipt laid out as a PDF page (A5, the size of a receipt book's
leaf): who issues it, its number, who paid, the amount in figures and in
words, what it settles, who took it. The same receipt gives the same bytes
(reportlab's invariant mode leaves the clock and random ids out)."""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import cache
from pathlib import Path

import reportlab
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from schemes.contributions.receipts import ReceiptData
from tenants.formats import in_words, money

Texts = Callable[..., str]
"""The text of a code in the receipt's language, with its parameters."""

FONTS = Path(reportlab.__file__).parent / "fonts"
REGULAR, BOLD = "SocleVera", "SocleVera-Bold"
MARGIN = 12 * mm
LINE = 5.2 * mm


@cache
def _fonts() -> None:
    # Bitstream Vera, shipped with reportlab: embedded, so accents print the same on any printer.
    pdfmetrics.registerFont(TTFont(REGULAR, str(FONTS / "Vera.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "VeraBd.ttf")))


def _printable(text: str) -> str:
    # The narrow no-break space that groups thousands in French has no glyph in Vera.
    return text.replace("\u202f", "\u00a0")


def _when(moment: object) -> str:
    return f"{moment:%d/%m/%Y %H:%M} UTC"


class _Page:
    """A column of text going down the page."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.width, height = A5
        self.y = height - MARGIN

    def text(self, value: str, *, size: float = 10, bold: bool = False, right: str | None = None) -> None:
        self.canvas.setFont(BOLD if bold else REGULAR, size)
        self.canvas.drawString(MARGIN, self.y, _printable(value))
        if right is not None:
            self.canvas.drawRightString(self.width - MARGIN, self.y, _printable(right))
        self.y -= LINE * size / 10

    def wrapped(self, value: str, *, size: float = 10) -> None:
        """A paragraph broken into lines that fit the page's width."""
        words, line = _printable(value).split(" "), ""
        room = self.width - 2 * MARGIN
        for word in words:
            candidate = f"{line} {word}".strip()
            if line and pdfmetrics.stringWidth(candidate, REGULAR, size) > room:
                self.text(line, size=size)
                candidate = word
            line = candidate
        if line:
            self.text(line, size=size)

    def rule(self) -> None:
        self.canvas.setLineWidth(0.5)
        self.canvas.line(MARGIN, self.y + LINE / 2, self.width - MARGIN, self.y + LINE / 2)
        self.y -= LINE / 2


def render(data: ReceiptData, t: Texts, locale: str) -> bytes:
    """The receipt's PDF file, its words in ``locale`` through ``t``."""
    _fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A5, invariant=1, lang=locale)
    title = t("page.REVERSAL_RECEIPT" if data.reverses_number else "page.RECEIPT")
    canvas.setTitle(f"{title} {data.receipt_number}")
    canvas.setAuthor(data.tenant_name)
    page = _Page(canvas)
    page.text(data.tenant_name, size=12, bold=True)
    page.y -= LINE / 2
    page.text(f"{title} {data.receipt_number}", size=14, bold=True)
    page.rule()
    facts = [
        (
            t("page.RECEIVED_FROM"),
            " · ".join(part for part in (data.payer_name, data.member_number) if part)
            or t(f"enum.Payer.{data.payer.upper()}"),
        ),
        (t("page.SCHEME"), data.scheme_name or ""),
        (t("page.RECEIVED_AT"), _when(data.received_at)),
        (t("page.PAYMENT_AMOUNT_SHORT"), money(data.amount, data.currency, locale)),
        (
            t("page.PAYMENT_CHANNEL"),
            " · ".join(
                part
                for part in (
                    t(f"enum.Channel.{data.channel.upper()}"),
                    t(f"enum.Provider.{data.provider.upper()}") if data.provider else "",
                    data.reference or "",
                )
                if part
            ),
        ),
        (t("page.REVERSES"), data.reverses_number or ""),
        (t("page.NOTE"), data.note),
    ]
    for label, value in facts:
        if value:
            page.text(label, size=9, right=value)
    page.y -= LINE / 2
    page.wrapped(t("page.AMOUNT_IN_WORDS", words=in_words(data.amount, data.currency, locale)))
    if data.lines:
        page.y -= LINE / 2
        page.text(t("page.SETTLES"), size=9, bold=True, right=t("page.PAYMENT_AMOUNT_SHORT"))
        page.rule()
        for line in data.lines:
            label = (
                line.period
                if line.kind == "contribution"
                else f"{line.period} · {t('enum.CallKind.' + line.kind.upper())}"
            )
            page.text(label, size=9, right=money(line.amount, data.currency, locale))
    page.y -= LINE
    page.text(t("page.RECORDED_BY_ON", name=data.recorded_by_name, date=_when(data.recorded_at)), size=8)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
