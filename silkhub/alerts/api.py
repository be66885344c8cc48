"""REST routes of the alerts capability, under ``/api/alerts``, and the feeds under ``/feeds``.

Every read asks ``readers.reader_for`` who is reading: the public sees public items, people of
registered organisations also the registered-only ones, people of government departments all
published items, editors and approvers everything including drafts. A restricted item is "not
found" for someone who may not read it, so its existence does not leak.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request, Response, UploadFile, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.accounts.models import Organisation, Role, User
from silkhub.accounts.service import Principal
from silkhub.alerts import (
    attachments,
    audience,
    bulletins,
    coverage,
    deliveries,
    inbox,
    jobs,
    notices_import,
    publishing,
    service,
)
from silkhub.alerts.models import (
    AlertItem,
    AlertVersion,
    Bulletin,
    BulletinSeries,
    Delivery,
    ItemKind,
)
from silkhub.alerts.readers import Reader, level_of, reader_for
from silkhub.core.errors import Message, NotFound, SilkhubError
from silkhub.delivery import read_token
from silkhub.settings import Settings
from silkhub.stores.database import Database
from silkhub.web.i18n import request_language
from silkhub.web.security import OptionalPrincipal, app_db, app_settings, require_roles

api = APIRouter(prefix="/api/alerts", tags=["alerts"])
feeds = APIRouter(prefix="/feeds", tags=["alerts"])

Db = Annotated[Database, Depends(app_db)]
Config = Annotated[Settings, Depends(app_settings)]
Editor = Annotated[Principal, Depends(require_roles(Role.EDITOR))]
Approver = Annotated[Principal, Depends(require_roles(Role.APPROVER))]
Staff = Annotated[Principal, Depends(require_roles(Role.EDITOR, Role.APPROVER))]
Person = Annotated[Principal, Depends(require_roles())]

CAP_MEDIA_TYPE = "application/cap+xml"
ATOM_MEDIA_TYPE = "application/atom+xml; charset=utf-8"


class ItemBody(BaseModel):
    """An item's content. Texts are ``{"zh": ..., "en": ...}``; codes are lists."""

    kind: Literal["alert", "tbt", "sps", "brief", "news"] = "alert"
    content: dict[str, Any] = Field(
        examples=[
            {
                "title": {"zh": "某国港口罢工", "en": "Port strike"},
                "body": {"zh": "……", "en": "..."},
                "countries": ["DE"],
                "category": "economic",
                "severity": "orange",
                "confidentiality": "public",
            }
        ]
    )


class EditBody(BaseModel):
    content: dict[str, Any]
    note: str | None = None


class PublishBody(BaseModel):
    at: datetime | None = Field(None, description="Publish at this time instead of now.")


class ReasonBody(BaseModel):
    reason: str


class BulletinBody(BaseModel):
    series: str
    period_from: datetime
    period_to: datetime
    items: list[str] | None = None
    intro_zh: str = ""
    intro_en: str = ""


class SeriesBody(BaseModel):
    code: str
    name_zh: str
    name_en: str
    confidentiality: Literal["public", "registered", "government"] = "public"
    target_lists: list[str] = []


class TargetListBody(BaseModel):
    code: str
    name_zh: str
    name_en: str
    rule: dict[str, Any] | None = None
    members: list[int] | None = None


def _reader(session: Session, principal: Principal | None) -> Reader:
    return reader_for(session, principal)


def item_out(item: AlertItem, version: AlertVersion, lang: str, *, staff: bool) -> dict[str, Any]:
    content = version.content
    out: dict[str, Any] = {
        "uid": item.uid,
        "kind": item.kind,
        "status": item.status,
        "confidentiality": item.confidentiality,
        "version": version.number,
        "msg_type": version.msg_type,
        "title": content["title"].get(lang) or content["title"].get("zh"),
        "content": content,
        "countries": item.countries.split(),
        "category": item.category,
        "severity": item.severity,
        "symbol": item.symbol,
        "published_at": item.published_at,
        "version_published_at": version.published_at,
        "demo": item.demo,
        "links": {
            "self": f"/api/alerts/items/{item.uid}",
            "page": f"/{lang}/alerts/{item.uid}",
        },
    }
    if item.kind == ItemKind.ALERT.value and version.published_at is not None:
        out["links"]["cap"] = f"/api/alerts/items/{item.uid}/cap.xml?version={version.number}"
    if staff:
        out["author_id"] = item.author_id
        out["approver_id"] = item.approver_id
        out["publish_at"] = item.publish_at
        out["note"] = version.note
    return out


def _summary(item: AlertItem, lang: str) -> dict[str, Any]:
    return {
        "uid": item.uid,
        "kind": item.kind,
        "status": item.status,
        "title": item.title_en if lang == "en" else item.title_zh,
        "countries": item.countries.split(),
        "category": item.category,
        "severity": item.severity,
        "confidentiality": item.confidentiality,
        "symbol": item.symbol,
        "published_at": item.published_at,
        "demo": item.demo,
    }


# --- items ---------------------------------------------------------------------------------


@api.get("/items", summary="Items you may read, newest first")
def list_items(
    request: Request,
    db: Db,
    principal: OptionalPrincipal,
    kind: str | None = None,
    country: str | None = None,
    category: str | None = None,
    severity: str | None = None,
    status_: Annotated[str | None, Query(alias="status")] = None,
    hs: str | None = None,
    q: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    lang = request_language(request)
    with db.reading() as session:
        reader = _reader(session, principal)
        items, total = service.list_items(
            session,
            reader,
            kind=kind,
            country=country,
            category=category,
            severity=severity,
            status=status_,
            hs=hs,
            q=q,
            limit=limit,
            offset=offset,
        )
        return {"total": total, "items": [_summary(i, lang) for i in items]}


@api.post("/items", status_code=status.HTTP_201_CREATED, summary="Write a draft")
def create_item(request: Request, db: Db, user: Editor, body: ItemBody) -> dict[str, Any]:
    lang = request_language(request)
    with db.transaction(user.actor) as session:
        item = service.create_item(session, user, body.kind, body.content)
        return item_out(item, item.versions[-1], lang, staff=True)


@api.get("/items/{uid}", summary="One item (staff: latest=true for the working version)")
def get_item(
    request: Request, db: Db, principal: OptionalPrincipal, uid: str, latest: bool = False
) -> dict[str, Any]:
    lang = request_language(request)
    with db.reading() as session:
        reader = _reader(session, principal)
        view = service.get_item(session, uid, reader, latest=latest)
        return item_out(view.item, view.version, lang, staff=reader.staff)


@api.put("/items/{uid}", summary="Change an item (a published one gets a new version)")
def edit_item(request: Request, db: Db, user: Editor, uid: str, body: EditBody) -> dict[str, Any]:
    lang = request_language(request)
    with db.transaction(user.actor) as session:
        item = service.edit_item(session, user, uid, body.content, note=body.note)
        return item_out(item, item.versions[-1], lang, staff=True)


@api.get("/items/{uid}/versions", summary="Every version you may see")
def list_versions(
    request: Request, db: Db, principal: OptionalPrincipal, uid: str
) -> list[dict[str, Any]]:
    with db.reading() as session:
        reader = _reader(session, principal)
        return [
            {
                "number": v.number,
                "msg_type": v.msg_type,
                "content": v.content,
                "note": v.note,
                "created_at": v.created_at,
                "published_at": v.published_at,
            }
            for v in service.versions_of(session, uid, reader)
        ]


def _transition(
    db: Database, user: Principal, lang: str, action: Any, uid: str, *args: Any, **kw: Any
) -> dict[str, Any]:
    with db.transaction(user.actor) as session:
        item = action(session, user, uid, *args, **kw)
        return item_out(item, item.versions[-1], lang, staff=True)


@api.post("/items/{uid}/submit", summary="Submit a draft for approval")
def submit(request: Request, db: Db, user: Editor, uid: str) -> dict[str, Any]:
    return _transition(db, user, request_language(request), service.submit, uid)


@api.post("/items/{uid}/approve", summary="Approve (not your own)")
def approve(request: Request, db: Db, user: Approver, uid: str) -> dict[str, Any]:
    return _transition(db, user, request_language(request), service.approve, uid)


@api.post("/items/{uid}/reject", summary="Send back to the author")
def reject(request: Request, db: Db, user: Approver, uid: str, body: ReasonBody) -> dict[str, Any]:
    return _transition(db, user, request_language(request), service.reject, uid, body.reason)


@api.post("/items/{uid}/publish", summary="Publish now, or at a time")
def publish(
    request: Request,
    db: Db,
    user: Staff,
    uid: str,
    body: Annotated[PublishBody | None, Body()] = None,
) -> dict[str, Any]:
    at = body.at if body else None
    return _transition(db, user, request_language(request), service.publish, uid, at=at)


@api.post("/items/{uid}/cancel", summary="Withdraw a published item (CAP Cancel)")
def cancel(request: Request, db: Db, user: Approver, uid: str, body: ReasonBody) -> dict[str, Any]:
    return _transition(db, user, request_language(request), service.cancel, uid, body.reason)


@api.get(
    "/items/{uid}/cap.xml",
    summary="The alert as a CAP 1.2 document",
    response_class=Response,
    responses={200: {"content": {CAP_MEDIA_TYPE: {}}}},
)
def get_cap(
    db: Db, settings: Config, principal: OptionalPrincipal, uid: str, version: int | None = None
) -> Response:
    with db.reading() as session:
        view = service.get_item(session, uid, _reader(session, principal))
        number = version or view.item.published_version
        chosen = next(
            (v for v in view.item.versions if v.number == number and v.published_at is not None),
            None,
        )
        if chosen is None:
            raise NotFound(
                Message("没有这个已发布版本。", "No such published version."), code="no_version"
            )
        document = publishing.cap_xml(view.item, chosen, settings.base_url)
    return Response(document, media_type=CAP_MEDIA_TYPE)


@api.post(
    "/items/{uid}/attachments",
    status_code=status.HTTP_201_CREATED,
    summary="Attach a file to the working version",
)
async def add_attachment(
    db: Db, settings: Config, user: Editor, uid: str, file: UploadFile
) -> dict[str, Any]:
    data = await file.read()
    with db.transaction(user.actor) as session:
        row = attachments.add(session, user, uid, file.filename or "", data, settings.data_dir)
        return {
            "id": row.id,
            "filename": row.filename,
            "media_type": row.media_type,
            "size": row.size,
            "url": f"/api/alerts/items/{uid}/attachments/{row.id}",
        }


@api.get(
    "/items/{uid}/attachments/{attachment_id}",
    summary="An attachment of the version you may see",
    response_class=FileResponse,
)
def get_attachment(
    db: Db, settings: Config, principal: OptionalPrincipal, uid: str, attachment_id: int
) -> FileResponse:
    with db.reading() as session:
        stored = attachments.open_file(
            session, uid, attachment_id, _reader(session, principal), settings.data_dir
        )
    return FileResponse(stored.path, media_type=stored.media_type, filename=stored.filename)


@api.get("/items/{uid}/deliveries", summary="The delivery log of an item")
def item_deliveries(
    db: Db, user: Staff, uid: str, state: str | None = None
) -> list[dict[str, Any]]:
    with db.reading() as session:
        item = service.get_item(session, uid, reader_for(session, user)).item
        return [
            _delivery_out(s) for s in deliveries.delivery_log(session, item_id=item.id, state=state)
        ]


@api.post("/items/{uid}/resend-failed", summary="Try the failed recipients again, only them")
def item_resend(db: Db, user: Staff, uid: str) -> dict[str, int]:
    with db.transaction(user.actor) as session:
        item = service.get_item(session, uid, reader_for(session, user)).item
        return {"requeued": deliveries.resend_failed(session, item_id=item.id)}


@api.get(
    "/items/{uid}/coverage", summary="Who of the target lists was reached", response_model=None
)
def item_coverage(
    request: Request, db: Db, user: Staff, uid: str, format: Literal["json", "csv"] = "json"
) -> dict[str, Any] | Response:
    lang = request_language(request)
    with db.reading() as session:
        item = service.get_item(session, uid, reader_for(session, user)).item
        result = coverage.of_item(session, item)
    return _coverage_out(result, lang, format, f"coverage-{uid}")


def _delivery_out(s: deliveries.DeliveryState) -> dict[str, Any]:
    d: Delivery = s.delivery
    return {
        "id": d.id,
        "user_id": d.user_id,
        "organisation_id": d.organisation_id,
        "channel": d.channel,
        "state": s.state,
        "error": s.error,
        "attempts": s.attempts,
        "queued_at": d.queued_at,
        "sent_at": d.sent_at,
        "read_at": d.read_at,
    }


def _coverage_out(
    result: coverage.Coverage, lang: str, fmt: str, name: str
) -> dict[str, Any] | Response:
    if fmt == "csv":
        return Response(
            coverage.coverage_csv(result, lang),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    return {
        "targeted": result.targeted,
        "reached": result.reached,
        "kinds": [k.__dict__ for k in result.kinds.values()],
        "not_reached": [
            {**n.__dict__, "reason_text": coverage.REASONS[n.reason].in_(lang)}
            for n in result.not_reached
        ],
    }


@api.post(
    "/notices/import",
    status_code=status.HTTP_201_CREATED,
    summary="Import TBT/SPS notifications (CSV or JSON) as drafts",
)
async def import_notices(
    request: Request, db: Db, user: Editor, file: UploadFile
) -> dict[str, Any]:
    data = await file.read()
    name = file.filename or "upload.csv"
    with db.transaction(user.actor) as session:
        items = notices_import.import_notices(session, user, data, name)
        return {"created": [i.uid for i in items]}


# --- bulletins -----------------------------------------------------------------------------


def _bulletin_out(b: Bulletin, lang: str) -> dict[str, Any]:
    base = f"/api/alerts/bulletins/{b.series.code}/{b.number}"
    return {
        "series": b.series.code,
        "number": b.number,
        "title": b.title_en if lang == "en" else b.title_zh,
        "status": b.status,
        "period_from": b.period_from,
        "period_to": b.period_to,
        "published_at": b.published_at,
        "items": [e.item.uid for e in b.entries],
        "links": {"self": base, "html": f"{base}?format=html", "pdf": f"{base}?format=pdf"},
    }


@api.get("/series", summary="Bulletin series")
def list_series(request: Request, db: Db, principal: OptionalPrincipal) -> list[dict[str, Any]]:
    lang = request_language(request)
    with db.reading() as session:
        reader = _reader(session, principal)
        rows = session.scalars(select(BulletinSeries).order_by(BulletinSeries.code)).all()
        return [
            {
                "code": s.code,
                "name": s.name_en if lang == "en" else s.name_zh,
                "confidentiality": s.confidentiality,
            }
            for s in rows
            if reader.may_read(s.confidentiality)
        ]


@api.post("/series", status_code=status.HTTP_201_CREATED, summary="A new bulletin series")
def create_series(db: Db, user: Editor, body: SeriesBody) -> dict[str, str]:
    with db.transaction(user.actor) as session:
        s = bulletins.create_series(
            session,
            body.code,
            body.name_zh,
            body.name_en,
            confidentiality=body.confidentiality,
            target_lists=body.target_lists,
        )
        return {"code": s.code}


@api.get("/bulletins", summary="Published bulletins you may read")
def list_bulletins(
    request: Request, db: Db, principal: OptionalPrincipal, series: str | None = None
) -> list[dict[str, Any]]:
    lang = request_language(request)
    with db.reading() as session:
        reader = _reader(session, principal)
        return [_bulletin_out(b, lang) for b in bulletins.list_bulletins(session, reader, series)]


@api.post(
    "/bulletins", status_code=status.HTTP_201_CREATED, summary="Compile the next issue of a series"
)
def compile_bulletin(request: Request, db: Db, user: Editor, body: BulletinBody) -> dict[str, Any]:
    with db.transaction(user.actor) as session:
        b = bulletins.compile_bulletin(
            session,
            user,
            body.series,
            period_from=body.period_from,
            period_to=body.period_to,
            item_uids=body.items,
            intro_zh=body.intro_zh,
            intro_en=body.intro_en,
        )
        return _bulletin_out(b, request_language(request))


@api.get(
    "/bulletins/{series}/{number}", summary="One bulletin (JSON, HTML or PDF)", response_model=None
)
def get_bulletin(
    request: Request,
    db: Db,
    principal: OptionalPrincipal,
    series: str,
    number: int,
    format: Literal["json", "html", "pdf"] = "json",
) -> dict[str, Any] | Response:
    lang = request_language(request)
    with db.reading() as session:
        b = bulletins.get_bulletin(session, series, number, _reader(session, principal))
        if format == "html":
            return Response(bulletins.to_html(b, lang), media_type="text/html; charset=utf-8")
        if format == "pdf":
            return Response(
                bulletins.to_pdf(b, lang),
                media_type="application/pdf",
                headers={"Content-Disposition": f'inline; filename="{series}-{number}-{lang}.pdf"'},
            )
        return _bulletin_out(b, lang)


def _bulletin_for_staff(session: Session, user: Principal, series: str, number: int) -> Bulletin:
    return bulletins.get_bulletin(session, series, number, reader_for(session, user))


@api.post("/bulletins/{series}/{number}/publish", summary="Publish and deliver a bulletin")
def publish_bulletin(
    request: Request, db: Db, user: Staff, series: str, number: int
) -> dict[str, Any]:
    with db.transaction(user.actor) as session:
        b = _bulletin_for_staff(session, user, series, number)
        bulletins.publish_bulletin(session, user, b.id)
        return _bulletin_out(b, request_language(request))


@api.get(
    "/bulletins/{series}/{number}/coverage",
    summary="Who of the series' target lists was reached",
    response_model=None,
)
def bulletin_coverage(
    request: Request,
    db: Db,
    user: Staff,
    series: str,
    number: int,
    format: Literal["json", "csv"] = "json",
) -> dict[str, Any] | Response:
    with db.reading() as session:
        result = coverage.of_bulletin(session, _bulletin_for_staff(session, user, series, number))
    return _coverage_out(result, request_language(request), format, f"coverage-{series}-{number}")


@api.get("/bulletins/{series}/{number}/deliveries", summary="The delivery log of a bulletin")
def bulletin_deliveries(
    db: Db, user: Staff, series: str, number: int, state: str | None = None
) -> list[dict[str, Any]]:
    with db.reading() as session:
        b = _bulletin_for_staff(session, user, series, number)
        return [
            _delivery_out(s)
            for s in deliveries.delivery_log(session, bulletin_id=b.id, state=state)
        ]


@api.post(
    "/bulletins/{series}/{number}/resend-failed",
    summary="Try the failed recipients again, only them",
)
def bulletin_resend(db: Db, user: Staff, series: str, number: int) -> dict[str, int]:
    with db.transaction(user.actor) as session:
        b = _bulletin_for_staff(session, user, series, number)
        return {"requeued": deliveries.resend_failed(session, bulletin_id=b.id)}


@api.get(
    "/coverage", summary="Totals over a period, in the source document's words", response_model=None
)
def period_coverage(
    request: Request,
    db: Db,
    user: Staff,
    from_: Annotated[datetime, Query(alias="from")],
    to: datetime,
) -> dict[str, Any]:
    lang = request_language(request)
    with db.reading() as session:
        totals = coverage.period_totals(session, from_, to)
    return {
        "from": totals.start,
        "to": totals.end,
        "bulletins": totals.bulletins,
        "items": totals.items,
        "deliveries": totals.deliveries,
        "kinds": [k.__dict__ for k in totals.kinds.values()],
        "sentence": totals.sentence(lang),
    }


# --- target lists --------------------------------------------------------------------------


@api.post(
    "/target-lists",
    status_code=status.HTTP_201_CREATED,
    summary="Define a target list by rule or members",
)
def define_target_list(db: Db, user: Staff, body: TargetListBody) -> dict[str, Any]:
    with db.transaction(user.actor) as session:
        target = audience.define_target_list(
            session, body.code, body.name_zh, body.name_en, rule=body.rule, members=body.members
        )
        return {
            "code": target.code,
            "organisations": len(audience.target_organisations(session, target)),
        }


@api.post("/target-lists/{code}/upload", summary="Replace a list's members from a CSV")
async def upload_target_list(db: Db, user: Staff, code: str, file: UploadFile) -> dict[str, Any]:
    data = await file.read()
    with db.transaction(user.actor) as session:
        target = audience.target_list(session, code)
        members = audience.read_member_upload(session, data, file.filename or "upload.csv")
        audience.define_target_list(session, code, target.name_zh, target.name_en, members=members)
        return {"code": code, "organisations": len(set(members))}


# --- me: preferences, subscriptions, inbox, private feed -----------------------------------


@api.get("/me/preferences", summary="Your delivery preferences")
def my_preferences(db: Db, user: Person) -> dict[str, Any]:
    with db.transaction(user.actor) as session:
        sub = audience.subscriber_of(session, user.user_id)
        return {
            "channels": sub.channels.split(),
            "language": sub.language,
            "digest": sub.digest,
            "digest_hour": sub.digest_hour,
            "webhook_url": sub.webhook_url,
            "email_unsubscribed": sub.email_unsubscribed_at is not None,
            "private_feed": sub.feed_token_hash is not None,
        }


@api.put("/me/preferences", summary="Change your delivery preferences")
def set_my_preferences(
    db: Db, user: Person, body: Annotated[dict[str, Any], Body()]
) -> dict[str, Any]:
    with db.transaction(user.actor) as session:
        sub = audience.set_preferences(session, user.user_id, body)
        out: dict[str, Any] = {"channels": sub.channels.split(), "digest": sub.digest}
        if sub.webhook_url and "webhook_url" in body:
            # Shown once, like an API token: the receiver needs it to check signatures.
            out["webhook_secret"] = sub.webhook_secret
        return out


@api.get("/me/subscriptions", summary="Your subscriptions")
def my_subscriptions(db: Db, user: Person) -> list[dict[str, Any]]:
    with db.reading() as session:
        return [
            {
                "id": s.id,
                "kinds": s.kinds.split(),
                "countries": s.countries.split(),
                "groups": s.groups.split(),
                "categories": s.categories.split(),
                "min_severity": s.min_severity,
                "hs_prefixes": s.hs_prefixes.split(),
                "series": s.series.split(),
            }
            for s in audience.subscriptions_of(session, user.user_id)
        ]


@api.post("/me/subscriptions", status_code=status.HTTP_201_CREATED, summary="Subscribe")
def add_subscription(
    db: Db, user: Person, body: Annotated[dict[str, Any], Body()]
) -> dict[str, int]:
    with db.transaction(user.actor) as session:
        return {"id": audience.subscribe(session, user.user_id, body).id}


@api.delete(
    "/me/subscriptions/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Unsubscribe",
)
def remove_subscription(db: Db, user: Person, subscription_id: int) -> Response:
    with db.transaction(user.actor) as session:
        audience.remove_subscription(session, user.user_id, subscription_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@api.get("/me/inbox", summary="What was delivered to your portal inbox")
def my_inbox(
    request: Request, db: Db, user: Person, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[dict[str, Any]]:
    lang = request_language(request)
    with db.reading() as session:
        return [entry.to_dict(lang) for entry in inbox.entries(session, user, limit=limit)]


@api.post("/me/inbox/{delivery_id}/read", summary="Mark an inbox entry read (the read receipt)")
def mark_read(db: Db, user: Person, delivery_id: int) -> dict[str, bool]:
    with db.transaction(user.actor) as session:
        return {"first_read": deliveries.mark_read(session, delivery_id, user.user_id)}


@api.post(
    "/me/feed-token",
    status_code=status.HTTP_201_CREATED,
    summary="A new private feed address (the old one stops working)",
)
def new_feed_token(db: Db, settings: Config, user: Person) -> dict[str, str]:
    with db.transaction(user.actor) as session:
        token = audience.issue_feed_token(session, user.user_id)
    return {"url": f"{settings.base_url.rstrip('/')}/feeds/private/{token}.atom"}


@api.delete(
    "/me/feed-token",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Revoke your private feed address",
)
def revoke_feed_token(db: Db, user: Person) -> Response:
    with db.transaction(user.actor) as session:
        audience.revoke_feed_token(session, user.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- links in e-mails: unsubscribe (RFC 8058 one-click) -----------------------------------

links = APIRouter(prefix="/alerts", tags=["alerts"])


def _unsubscribe(db: Database, settings: Settings, token: str) -> int:
    user_id = int(read_token(settings.resolved_secret_key(), jobs.UNSUBSCRIBE, token))
    with db.transaction() as session:
        audience.unsubscribe_email(session, user_id)
    return user_id


@links.post("/unsubscribe", summary="One-click unsubscribe from e-mail (RFC 8058)")
def unsubscribe_post(db: Db, settings: Config, token: str) -> dict[str, bool]:
    # No session and no CSRF token: the mail client calls it, and the token is the proof.
    _unsubscribe(db, settings, token)
    return {"unsubscribed": True}


@links.get(
    "/unsubscribe",
    summary="Unsubscribe from e-mail (the link a person clicks)",
    response_class=Response,
)
def unsubscribe_get(request: Request, db: Db, settings: Config, token: str) -> Response:
    _unsubscribe(db, settings, token)
    lang = request_language(request)
    text = (
        "You will receive no more alert e-mails. Your portal inbox stays."
        if lang == "en"
        else "您将不再收到风险提示邮件；门户收件箱不受影响。"
    )
    html_lang = "en" if lang == "en" else "zh-CN"
    page = (
        f'<!doctype html><html lang="{html_lang}"><meta charset="utf-8">'
        f"<title>silkhub</title><p>{text}</p></html>"
    )
    return Response(page, media_type="text/html; charset=utf-8")


#: A transparent 1x1 GIF: the read receipt's answer.
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


@links.get(
    "/opened/{token}.gif",
    summary="An e-mail's read receipt (the image it loads)",
    response_class=Response,
)
def opened(db: Db, settings: Config, token: str) -> Response:
    # Whatever the token, the same image: a mail client must not see an error, and a bad
    # token learns nothing. A good one marks the delivery opened, once.
    try:
        delivery_id, user_id = read_token(settings.resolved_secret_key(), jobs.OPENED, token).split(
            ":"
        )
        with db.transaction() as session:
            deliveries.mark_read(session, int(delivery_id), int(user_id), opened=True)
    except (SilkhubError, ValueError):
        pass
    return Response(PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})


# --- feeds ---------------------------------------------------------------------------------


@feeds.get(
    "/alerts.atom",
    summary="Public alerts as Atom; entries link their CAP documents",
    response_class=Response,
)
def public_feed(request: Request, db: Db, settings: Config) -> Response:
    with db.reading() as session:
        data = publishing.public_feed(session, settings.base_url, request_language(request))
    return Response(data, media_type=ATOM_MEDIA_TYPE)


@feeds.get(
    "/private/{token}.atom", summary="A person's own feed (secret address)", response_class=Response
)
def private_feed(request: Request, db: Db, settings: Config, token: str) -> Response:
    with db.reading() as session:
        sub = audience.feed_subscriber(session, token)
        user = session.get(User, sub.user_id)
        if user is None or not user.is_active:
            raise NotFound(
                Message("订阅源地址无效或已撤销。", "This feed address is unknown or revoked.")
            )
        org = session.get(Organisation, user.organisation_id) if user.organisation_id else None
        reader = Reader(level_of(org.kind if org else None), user_id=user.id)
        data = publishing.private_feed(
            session, user.id, reader, settings.base_url, sub.language, token
        )
    return Response(data, media_type=ATOM_MEDIA_TYPE)


#: What the app factory mounts: the API and the feeds.
router = APIRouter()
router.include_router(api)
router.include_router(feeds)
router.include_router(links)
