"""What a delivery says: the e-mail (plain text and HTML, the recipient's language first and
the other below it) and the webhook's JSON body, for an item, a bulletin or a digest.

Texts are written in Markdown with raw HTML off, so nothing an editor types becomes markup in
someone's mail client. Demonstration items say so in every message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from html import escape
from typing import Any

from silkhub.alerts.bulletins import markdown_html, to_html
from silkhub.alerts.cap import Severity
from silkhub.alerts.models import AlertItem, AlertVersion, Bulletin

DEMO = {
    "zh": "【演示数据】本消息内容为虚构。",
    "en": "[Demonstration data] The content of this message is synthetic.",
}
FOOTER = {
    "zh": "您收到此邮件是因为订阅了丝路枢纽的风险提示。退订：{url}",
    "en": "You receive this because you subscribed to silkhub's alerts. Unsubscribe: {url}",
}


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


def _other(lang: str) -> str:
    return "zh" if lang == "en" else "en"


def _pick(texts: dict[str, Any] | None, lang: str) -> str:
    texts = texts or {}
    return str(texts.get(lang) or "")


def _item_parts(
    item: AlertItem, version: AlertVersion, lang: str, base: str
) -> tuple[str, str, str]:
    """(title, text, html) of one item in one language ("" when it has no text in it)."""
    c = version.content
    title = _pick(c.get("title"), lang)
    if not title:
        return "", "", ""
    body, advice = _pick(c.get("body"), lang), _pick(c.get("advice"), lang)
    label = ""
    if item.severity:
        label = Severity(item.severity).label.in_(lang)
        label = f"[{label}] " if lang == "en" else f"【{label}】"
    if version.msg_type == "Update":
        label += "(Update) " if lang == "en" else "（更新）"
    if version.msg_type == "Cancel":
        label += "(Cancelled) " if lang == "en" else "（已撤销）"
    link = f"{base}/{lang}/alerts/{item.uid}"
    advice_head = "Advice" if lang == "en" else "建议"
    text = f"{label}{title}\n\n{body}\n"
    if advice:
        text += f"\n{advice_head}: {advice}\n"
    if version.msg_type == "Cancel" and version.note:
        text += f"\n{version.note}\n"
    text += f"\n{link}\n"
    html = f"<h2>{escape(label + title)}</h2>{markdown_html(body)}"
    if advice:
        html += f"<h3>{advice_head}</h3>{markdown_html(advice)}"
    html += f'<p><a href="{escape(link)}">{escape(link)}</a></p>'
    return label + title, text, html


def _wrap(
    lang: str,
    sections: list[tuple[str, str]],
    demo: bool,
    unsubscribe: str | None,
    receipt: str | None = None,
) -> tuple[str, str]:
    texts = [t for t, _ in sections if t]
    htmls = [h for _, h in sections if h]
    text = "\n----\n\n".join(texts)
    html = "<hr>".join(htmls)
    if demo:
        text = DEMO[lang] + "\n\n" + text
        html = f'<p style="color:#b00000">{escape(DEMO[lang])}</p>' + html
    if unsubscribe:
        text += "\n\n" + FOOTER[lang].format(url=unsubscribe)
        footer = escape(FOOTER[lang].format(url=unsubscribe))
        html += f'<p style="color:#555;font-size:small">{footer}</p>'
    if receipt:
        # The read receipt: a 1x1 image whose address names this delivery.
        html += f'<img src="{receipt}" alt="" width="1" height="1">'
    html_lang = "en" if lang == "en" else "zh-CN"
    document = f'<!doctype html><html lang="{html_lang}"><body>{html}</body></html>'
    return text, document


def item_message(
    item: AlertItem,
    version: AlertVersion,
    lang: str,
    base: str,
    unsubscribe: str | None = None,
    receipt: str | None = None,
) -> Rendered:
    first = _item_parts(item, version, lang, base)
    second = _item_parts(item, version, _other(lang), base)
    subject = first[0] or second[0]
    text, html = _wrap(lang, [first[1:], second[1:]], item.demo, unsubscribe, receipt)
    return Rendered(subject, text, html)


def bulletin_message(
    bulletin: Bulletin,
    lang: str,
    base: str,
    unsubscribe: str | None = None,
    receipt: str | None = None,
) -> Rendered:
    title = bulletin.title_en if lang == "en" else bulletin.title_zh
    link = f"{base}/{lang}/alerts/bulletins/{bulletin.series.code}/{bulletin.number}"
    where = f"{bulletin.series.code}/{bulletin.number}"
    pdf = f"{base}/api/alerts/bulletins/{where}?format=pdf&lang={lang}"
    lines = [title, ""]
    for entry in bulletin.entries:
        item = entry.item
        lines.append(f"{entry.position}. {item.title_en if lang == 'en' else item.title_zh}")
    lines += ["", link, pdf]
    html = (
        to_html(bulletin, lang)
        + f'<p><a href="{escape(link)}">{escape(link)}</a> · <a href="{escape(pdf)}">PDF</a></p>'
    )
    text, document = _wrap(
        lang, [("\n".join(lines), html)], bulletin.series.demo, unsubscribe, receipt
    )
    return Rendered(title, text, document)


def digest_message(
    items: list[tuple[AlertItem, AlertVersion]],
    period: str,
    lang: str,
    base: str,
    unsubscribe: str | None = None,
    receipt: str | None = None,
) -> Rendered:
    subject = (
        f"Alerts digest {period} ({len(items)})"
        if lang == "en"
        else f"风险提示摘要 {period}（{len(items)}条）"
    )
    sections = []
    for item, version in items:
        _, text, html = _item_parts(item, version, lang, base)
        if not text:
            _, text, html = _item_parts(item, version, _other(lang), base)
        sections.append((text, html))
    demo = any(item.demo for item, _ in items)
    text, html = _wrap(lang, sections, demo, unsubscribe, receipt)
    return Rendered(subject, text, html)


def payload_json(payload: dict[str, Any]) -> bytes:
    """A payload serialised once for every recipient: compact, keys sorted, UTF-8."""
    return json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str
    ).encode()


def webhook_body(event: str, key: str, payload: bytes) -> bytes:
    """The JSON a webhook receives: ``event`` and ``idempotency_key`` first, then the members
    of ``payload`` (from ``payload_json``). The same delivery gives the same bytes on every
    retry, so its signature is the same too."""
    head = json.dumps(
        {"event": event, "idempotency_key": key}, ensure_ascii=False, separators=(",", ":")
    )
    return head[:-1].encode() + b"," + payload[1:]


def item_payload(item: AlertItem, version: AlertVersion, base: str) -> dict[str, Any]:
    links = {"page": f"{base}/zh/alerts/{item.uid}"}
    if item.kind == "alert":
        links["cap"] = f"{base}/api/alerts/items/{item.uid}/cap.xml?version={version.number}"
    return {
        "item": {
            "uid": item.uid,
            "kind": item.kind,
            "version": version.number,
            "msg_type": version.msg_type,
            "confidentiality": item.confidentiality,
            "countries": item.countries.split(),
            "category": item.category,
            "severity": item.severity,
            "published_at": version.published_at,
            "content": version.content,
            "links": links,
            "demo": item.demo,
        }
    }
