"""Files attached to items: checked (size, kind, name), stored once by content under
``<data_dir>/alerts/attachments/``, and listed in the content of the version they were added
to. A reader gets a file only if the version they may see lists it: an attachment added to a
draft of a published item stays unseen until that draft is published.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path, PurePath

from sqlalchemy.orm import Session

from silkhub.accounts.models import Role
from silkhub.accounts.service import Principal
from silkhub.alerts import service
from silkhub.alerts.models import Attachment, Confidentiality
from silkhub.alerts.readers import Reader
from silkhub.core.errors import (
    Conflict,
    InvalidInput,
    Message,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
)

MAX_BYTES = 20 * 1024 * 1024
#: What an attachment may be, by suffix: documents, spreadsheets, images, text.
MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
    ".txt": "text/plain",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
#: The first bytes each kind starts with, so a renamed executable is not served as a PDF.
MAGIC = {
    ".pdf": b"%PDF",
    ".docx": b"PK",
    ".xlsx": b"PK",
    ".png": b"\x89PNG",
    ".jpg": b"\xff\xd8",
    ".jpeg": b"\xff\xd8",
}


def folder(data_dir: Path) -> Path:
    return data_dir / "alerts" / "attachments"


@dataclass(frozen=True)
class StoredFile:
    path: Path
    filename: str
    media_type: str


def add(
    session: Session, user: Principal, uid: str, filename: str, data: bytes, data_dir: Path
) -> Attachment:
    """Attach ``data`` to the working (unpublished) version of ``uid``."""
    if not user.has(Role.EDITOR):
        raise PermissionDenied(
            Message("添加附件需要编辑角色。", "Attaching files needs the editor role.")
        )
    name = PurePath(filename.replace("\\", "/")).name.strip()
    suffix = PurePath(name).suffix.lower()
    if not name or suffix not in MEDIA_TYPES:
        kinds = ", ".join(sorted(MEDIA_TYPES))
        raise InvalidInput(
            Message(
                f"附件“{name}”的类型不受支持；可用：{kinds}。",
                f"Attachment {name!r}: not a supported kind ({kinds}).",
            ),
            code="bad_attachment_type",
        )
    if len(data) > MAX_BYTES:
        raise PayloadTooLarge(
            Message(f"附件“{name}”超过 20 MB。", f"Attachment {name!r} is over 20 MB.")
        )
    if not data or not data.startswith(MAGIC.get(suffix, b"")):
        raise InvalidInput(
            Message(
                f"附件“{name}”的内容与其类型不符。",
                f"Attachment {name!r}: its content is not a {suffix} file.",
            ),
            code="bad_attachment_content",
        )
    item = service.get_item(
        session, uid, Reader(Confidentiality.GOVERNMENT, staff=True), latest=True
    ).item
    version = item.versions[-1]
    if version.published_at is not None:
        raise Conflict(
            Message(
                "已发布的版本不能再加附件：请先修改条目（新版本）。",
                "A published version takes no more attachments: "
                "edit the item first (a new version).",
            ),
            code="version_published",
        )
    digest = hashlib.sha256(data).hexdigest()
    target = folder(data_dir)
    target.mkdir(parents=True, exist_ok=True)
    path = target / digest
    if not path.exists():
        # Write beside, then rename: a crash never leaves half a file under the final name.
        partial = target / f".{digest}.{os.getpid()}.part"
        partial.write_bytes(data)
        partial.replace(path)
    row = Attachment(
        item_id=item.id,
        filename=name,
        media_type=MEDIA_TYPES[suffix],
        size=len(data),
        sha256=digest,
        uploaded_by=user.user_id,
    )
    session.add(row)
    session.flush()
    listed = list(version.content.get("attachments") or [])
    listed.append({"id": row.id, "filename": name, "media_type": row.media_type, "size": row.size})
    version.content = {**version.content, "attachments": listed}
    return row


def open_file(
    session: Session, uid: str, attachment_id: int, reader: Reader, data_dir: Path
) -> StoredFile:
    """The file, if the version ``reader`` sees lists it (else not found)."""
    view = service.get_item(session, uid, reader, latest=reader.staff)
    listed = {a["id"] for a in view.version.content.get("attachments") or []}
    row = session.get(Attachment, attachment_id)
    if row is None or row.item_id != view.item.id or attachment_id not in listed:
        raise NotFound(Message("没有这个附件。", "No such attachment."), code="no_attachment")
    return StoredFile(folder(data_dir) / row.sha256, row.filename, row.media_type)
