"""Bulletins: numbered issues of a series (《境外疫情防控热点动态》第61期), compiled by an
editor from items published over a period, rendered as HTML and PDF in either language, and
delivered to the series' subscribers when published.

Only items the series' readers may read go in: a public series carries only public items (an
editor cannot leak a restricted item by putting it into a bulletin).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from markdown_it import MarkdownIt
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from silkhub.accounts.models import Role
from silkhub.accounts.service import Principal
from silkhub.alerts import deliveries
from silkhub.alerts.models import (
    AlertItem,
    Bulletin,
    BulletinEntry,
    BulletinSeries,
    Confidentiality,
    ItemStatus,
)
from silkhub.alerts.readers import Reader
from silkhub.core.errors import Conflict, InvalidInput, Message, NotFound, PermissionDenied
from silkhub.stores.operational import utcnow

__all__ = [
    "compile_bulletin",
    "create_series",
    "get_bulletin",
    "list_bulletins",
    "publish_bulletin",
    "to_html",
    "to_pdf",
]

#: Markdown without raw HTML: an item's text can never inject markup into a bulletin.
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).disable("image")


def markdown_html(text: str) -> str:
    html: str = _MARKDOWN.render(text or "")
    return html


def create_series(
    session: Session,
    code: str,
    name_zh: str,
    name_en: str,
    *,
    confidentiality: str = Confidentiality.PUBLIC.value,
    target_lists: Sequence[str] = (),
    demo: bool = False,
) -> BulletinSeries:
    if session.scalar(select(BulletinSeries.id).where(BulletinSeries.code == code)) is not None:
        raise Conflict(Message(f"简报系列 {code} 已存在。", f"Series {code} exists already."))
    series = BulletinSeries(
        code=code,
        name_zh=name_zh,
        name_en=name_en,
        confidentiality=Confidentiality(confidentiality).value,
        target_lists=" ".join(target_lists),
        demo=demo,
    )
    session.add(series)
    session.flush()
    return series


def series_by_code(session: Session, code: str) -> BulletinSeries:
    found = session.scalar(select(BulletinSeries).where(BulletinSeries.code == code))
    if found is None:
        raise NotFound(
            Message(f"没有简报系列 {code}。", f"No bulletin series {code}."), code="no_series"
        )
    return found


def compile_bulletin(
    session: Session,
    user: Principal,
    series_code: str,
    *,
    period_from: datetime,
    period_to: datetime,
    item_uids: Sequence[str] | None = None,
    intro_zh: str = "",
    intro_en: str = "",
) -> Bulletin:
    """The next issue of a series, from the items published in [period_from, period_to) (or
    those named), in publication order."""
    if not user.has(Role.EDITOR):
        raise PermissionDenied(
            Message("编辑简报需要编辑角色。", "Compiling a bulletin needs the editor role.")
        )
    if period_to <= period_from:
        raise InvalidInput(
            Message("期间的结束须晚于开始。", "The period must end after it starts."),
            code="bad_period",
        )
    series = series_by_code(session, series_code)
    allowed = [
        c.value
        for c in Confidentiality
        if Confidentiality(c).rank <= Confidentiality(series.confidentiality).rank
    ]
    query = select(AlertItem).where(
        AlertItem.status == ItemStatus.PUBLISHED.value,
        AlertItem.confidentiality.in_(allowed),
    )
    if item_uids:
        query = query.where(AlertItem.uid.in_(list(item_uids)))
    else:
        query = query.where(
            AlertItem.published_at >= period_from, AlertItem.published_at < period_to
        )
    items = list(session.scalars(query.order_by(AlertItem.published_at, AlertItem.id)))
    if item_uids:
        missing = sorted(set(item_uids) - {i.uid for i in items})
        if missing:
            raise InvalidInput(
                Message(
                    "以下条目未发布或其保密级别高于本系列：" + "、".join(missing),
                    "These items are not published or more restricted than the series: "
                    + ", ".join(missing),
                ),
                code="items_not_allowed",
            )
    if not items:
        raise InvalidInput(
            Message(
                "该期间没有可收录的已发布条目。", "No published items to include in that period."
            ),
            code="empty_bulletin",
        )
    number = (
        session.scalar(select(func.max(Bulletin.number)).where(Bulletin.series_id == series.id))
        or 0
    ) + 1
    bulletin = Bulletin(
        series_id=series.id,
        number=number,
        period_from=period_from,
        period_to=period_to,
        title_zh=f"{series.name_zh}（第{number}期）",
        title_en=f"{series.name_en}, issue {number}",
        intro_zh=intro_zh,
        intro_en=intro_en,
        compiled_by=user.user_id,
    )
    bulletin.entries = [
        BulletinEntry(item_id=i.id, position=n) for n, i in enumerate(items, start=1)
    ]
    session.add(bulletin)
    session.flush()
    return bulletin


def publish_bulletin(
    session: Session, user: Principal, bulletin_id: int, *, now: datetime | None = None
) -> Bulletin:
    if not user.has(Role.EDITOR, Role.APPROVER):
        raise PermissionDenied(
            Message("发布简报需要编辑或审核角色。", "Publishing needs the editor or approver role.")
        )
    bulletin = session.get(Bulletin, bulletin_id)
    if bulletin is None:
        raise NotFound(Message("没有这期简报。", "No such bulletin."), code="no_bulletin")
    if bulletin.status == ItemStatus.PUBLISHED.value:
        raise Conflict(
            Message("这期简报已发布。", "This bulletin is published already."), code="bad_status"
        )
    now = now or utcnow()
    bulletin.status = ItemStatus.PUBLISHED.value
    bulletin.published_at = now
    session.flush()
    deliveries.queue_bulletin(session, bulletin, now=now)
    return bulletin


def list_bulletins(
    session: Session, reader: Reader, series_code: str | None = None
) -> list[Bulletin]:
    query = select(Bulletin).join(BulletinSeries)
    if not reader.staff:
        allowed = [c.value for c in Confidentiality if reader.may_read(c.value)]
        query = query.where(
            Bulletin.status == ItemStatus.PUBLISHED.value,
            BulletinSeries.confidentiality.in_(allowed),
        )
    if series_code:
        query = query.where(BulletinSeries.code == series_code)
    return list(
        session.scalars(
            query.order_by(Bulletin.published_at.desc().nulls_first(), Bulletin.number.desc())
        )
    )


def get_bulletin(session: Session, series_code: str, number: int, reader: Reader) -> Bulletin:
    bulletin = session.scalar(
        select(Bulletin)
        .join(BulletinSeries)
        .where(BulletinSeries.code == series_code, Bulletin.number == number)
    )
    if bulletin is None or not (
        reader.staff
        or (
            bulletin.status == ItemStatus.PUBLISHED.value
            and reader.may_read(bulletin.series.confidentiality)
        )
    ):
        raise NotFound(Message("没有这期简报。", "No such bulletin."), code="no_bulletin")
    return bulletin


# --- rendering -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    number: int
    title: str
    countries: str
    body: str
    advice: str
    demo: bool


def _entries(bulletin: Bulletin, lang: str) -> list[_Entry]:
    found = []
    for entry in bulletin.entries:
        item = entry.item
        version = next(v for v in item.versions if v.number == item.published_version)
        content = version.content

        def pick(key: str, c: dict[str, object] = content) -> str:
            text = c.get(key) or {}
            assert isinstance(text, dict)
            return str(text.get(lang) or text.get("zh") or "")

        found.append(
            _Entry(
                entry.position,
                pick("title"),
                item.countries,
                pick("body"),
                pick("advice"),
                item.demo,
            )
        )
    return found


def _demo_note(lang: str) -> str:
    return (
        "Demonstration data: every organisation, item and figure here is synthetic."
        if lang == "en"
        else "演示数据：本页的机构、条目与数字均为虚构。"
    )


def to_html(bulletin: Bulletin, lang: str) -> str:
    """The bulletin as an HTML fragment (the portal wraps it; e-mails embed it)."""
    title = bulletin.title_en if lang == "en" else bulletin.title_zh
    intro = bulletin.intro_en if lang == "en" else bulletin.intro_zh
    parts = [
        f'<article class="bulletin" lang="{"en" if lang == "en" else "zh-CN"}">',
        f"<h1>{escape(title)}</h1>",
    ]
    if bulletin.series.demo:
        parts.append(f'<p class="demo-label">{escape(_demo_note(lang))}</p>')
    period = f"{bulletin.period_from:%Y-%m-%d} – {bulletin.period_to:%Y-%m-%d}"
    parts.append(f'<p class="bulletin-period">{escape(period)}</p>')
    if intro:
        parts.append(markdown_html(intro))
    for e in _entries(bulletin, lang):
        parts.append(f"<section><h2>{e.number}. {escape(e.title)}</h2>")
        if e.countries:
            parts.append(f'<p class="countries">{escape(e.countries)}</p>')
        parts.append(markdown_html(e.body))
        if e.advice:
            label = "Advice" if lang == "en" else "建议"
            parts.append(f"<h3>{label}</h3>" + markdown_html(e.advice))
        parts.append("</section>")
    parts.append("</article>")
    return "\n".join(parts)


def _font(lang: str) -> str:
    if lang == "en":
        return "Helvetica"
    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def to_pdf(bulletin: Bulletin, lang: str) -> bytes:
    """A4 PDF; Chinese in the built-in CID font (nothing embedded), the same bytes each time."""
    font = _font(lang)
    wrap = None if lang == "en" else "CJK"
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap=wrap)
    head = ParagraphStyle("head", parent=body, fontSize=13, leading=18, spaceBefore=10)
    title_style = ParagraphStyle("title", parent=body, fontSize=17, leading=24)
    demo = ParagraphStyle("demo", parent=body, textColor=colors.HexColor("#b00000"))
    title = bulletin.title_en if lang == "en" else bulletin.title_zh
    story: list[object] = [Paragraph(escape(title), title_style)]
    if bulletin.series.demo:
        story.append(Paragraph(escape(_demo_note(lang)), demo))
    story.append(
        Paragraph(f"{bulletin.period_from:%Y-%m-%d} – {bulletin.period_to:%Y-%m-%d}", body)
    )
    intro = bulletin.intro_en if lang == "en" else bulletin.intro_zh
    if intro:
        story.append(Paragraph(escape(intro), body))
    for e in _entries(bulletin, lang):
        story.append(Paragraph(f"{e.number}. {escape(e.title)}", head))
        for para in (e.body, e.advice):
            for line in (para or "").split("\n\n"):
                if line.strip():
                    story.append(Paragraph(escape(line.strip()), body))
        story.append(Spacer(1, 4))
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        topMargin=2 * cm,
        bottomMargin=2 * cm,
        title=title,
        author="silkhub",
        invariant=True,
    )
    doc.build(story)
    return out.getvalue()
