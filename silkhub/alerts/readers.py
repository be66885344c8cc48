"""Who is reading, and what they may see: the one place confidentiality is decided.

Every read of items, bulletins and feeds, in the API, the portal, the feeds, the e-mails and the
exports, asks ``Reader.may_read``. A reader is one of: the public (no one signed in), a person
of a registered organisation, a person of a government department, or staff (editors,
approvers, admins), who also see drafts.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from silkhub.accounts.models import Organisation, OrgKind, Role
from silkhub.accounts.service import Principal
from silkhub.alerts.models import Confidentiality

STAFF_ROLES = (Role.EDITOR, Role.APPROVER)


@dataclass(frozen=True)
class Reader:
    level: Confidentiality  # the most restricted level this reader may read
    staff: bool = False
    user_id: int | None = None

    def may_read(self, confidentiality: str) -> bool:
        return self.staff or Confidentiality(confidentiality).rank <= self.level.rank


PUBLIC = Reader(Confidentiality.PUBLIC)


def level_of(org_kind: str | None) -> Confidentiality:
    """What a person of an organisation of ``org_kind`` may read (no organisation: public)."""
    if org_kind is None:
        return Confidentiality.PUBLIC
    if org_kind == OrgKind.DEPARTMENT.value:
        return Confidentiality.GOVERNMENT
    return Confidentiality.REGISTERED


def reader_for(session: Session, principal: Principal | None) -> Reader:
    if principal is None:
        return PUBLIC
    staff = principal.has(*STAFF_ROLES)
    kind = None
    if principal.organisation_id is not None:
        kind = session.scalar(
            select(Organisation.kind).where(Organisation.id == principal.organisation_id)
        )
    return Reader(level_of(kind), staff=staff, user_id=principal.user_id)
