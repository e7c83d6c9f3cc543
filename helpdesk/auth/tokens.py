"""API tokens: issue, revoke, rotate the CTI token, and the check of a presented token
(issue 16 item 10, issue 13 item 8).

Pages (`/admin/tokens`, helpdesk.integrations) and the CLI (`helpdesk token ...`) both call
here. Each issue and revocation is written with its operations-log row (helpdesk.oplog) in the
same transaction. Only a token's SHA-256 is stored: its value is shown once, when issued.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, NamedTuple

from flask_babel import gettext as _
from sqlalchemy import bindparam, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from helpdesk import clock, reference_version
from helpdesk.auth.models import ApiToken, TokenScope, User
from helpdesk.auth.passwords import hash_token, new_token
from helpdesk.oplog.record import record_change
from helpdesk.reference_version import Version

NAME_LIMIT = 60
# A token's last use is a list column, not a log: written at most this often, so that a busy
# integration does not turn every read into a write.
LAST_USED_EVERY = timedelta(minutes=1)
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CTI_PATHS = ("/api/v1/cti/", "/api/v1/calls")


class TokenErrors(ValueError):
    """Bad input for a new token: {field: message}."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Verdict:
    """What a presented token gets for one request: a user, or a refusal with its status."""

    user_id: int | None
    refusal: str | None = None
    status: int = 401


def scope_allows(scope: TokenScope, method: str, path: str) -> bool:
    """read: only reads; cti: only the PBX's endpoints; write: all its user may do."""
    if scope is TokenScope.CTI:
        return path.startswith(CTI_PATHS)
    if scope is TokenScope.READ:
        return method.upper() in READ_METHODS
    return True


# Built once: constructing a statement costs more than SQLite takes to run it (every API call).
_BY_HASH = (
    select(
        ApiToken.id,
        ApiToken.user_id,
        ApiToken.scope,
        ApiToken.revoked,
        ApiToken.revoked_at,
        ApiToken.expires_at,
        ApiToken.last_used_at,
        User.active,
    )
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("digest"))
)
_TOUCH = (
    update(ApiToken)
    .where(ApiToken.id == bindparam("token_id"))
    .values(last_used_at=bindparam("now"))
)


# Every API call presents a token: its row is kept in this process while the tokens' and people's
# version (helpdesk.reference_version) stays the same. A revocation here is refused at the next
# request (revoke() forgets); one made in another process within reference_version.CHECK_EVERY.
# Expiry and scope are judged afresh on every request from the kept row.
CACHE_LIMIT = 1000  # rows kept; unknown tokens are never kept


class _TokenRow(NamedTuple):
    """What _BY_HASH reads, in its order."""

    id: int
    user_id: int
    scope: TokenScope
    revoked: bool
    revoked_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None
    active: bool


_seen: dict[tuple[Any, Any], tuple[Version, _TokenRow]] = {}


def _row(session: Session, digest: str) -> _TokenRow | None:
    key = (reference_version.database(session), digest)
    version = reference_version.of(session, "tokens", "users")
    kept = _seen.get(key)
    if kept is not None and kept[0] == version:
        return kept[1]
    found = session.execute(_BY_HASH, {"digest": digest}).first()
    if found is None:
        return None
    if len(_seen) >= CACHE_LIMIT:
        _seen.clear()
    row = _TokenRow(*found)
    _seen[key] = (version, row)
    return row


def check(session: Session, raw: str, method: str, path: str) -> Verdict:
    """The verdict on `raw` for this request; its last use is noted when it lets it in."""
    digest = hash_token(raw)
    row = _row(session, digest)
    if row is None:
        return Verdict(None, "the API token is unknown")
    now = clock.now()
    if row.revoked:
        when = f" at {row.revoked_at.isoformat(timespec='seconds')}" if row.revoked_at else ""
        return Verdict(None, f"the API token was revoked{when}; ask an administrator for a new one")
    if row.expires_at is not None and row.expires_at <= now:
        return Verdict(
            None,
            f"the API token expired at {row.expires_at.isoformat(timespec='seconds')}; "
            "ask an administrator for a new one",
        )
    if not row.active:
        return Verdict(None, "the API token's user is disabled")
    if not scope_allows(row.scope, method, path):
        return Verdict(None, _scope_message(row.scope), 403)
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_EVERY:
        _touch(session, row.id, now)
        key = (reference_version.database(session), digest)
        if key in _seen:  # the kept row says so too, or every request would touch
            _seen[key] = (_seen[key][0], row._replace(last_used_at=now))
    return Verdict(row.user_id)


def _scope_message(scope: TokenScope) -> str:
    if scope is TokenScope.READ:
        return "this API token may only read (scope read): it cannot change anything"
    return (
        "this API token is for the PBX (scope cti): it reaches only /api/v1/cti and /api/v1/calls"
    )


def _touch(session: Session, token_id: int, now: datetime) -> None:
    """In a transaction of its own, so that a read request stays a read; best effort: a busy
    database skips it (the next use a minute later tries again)."""
    try:
        with session.get_bind().engine.begin() as connection:
            connection.execute(_TOUCH, {"token_id": token_id, "now": now})
    except OperationalError:
        pass


def cti_path_token_ok(session: Session, raw: str, configured: str) -> bool:
    """The token in /api/v1/cti/<token>: a live CTI-scope token. The configured one
    (HELPDESK_CTI_TOKEN or the instance file) counts only until a CTI token has been issued,
    so that rotating it here really shuts the old one out."""
    issued = session.scalars(
        select(ApiToken.id).where(ApiToken.scope == TokenScope.CTI).limit(1)
    ).first()
    if issued is None:
        return hmac.compare_digest(raw.encode(), configured.encode())
    verdict = check(session, raw, "POST", "/api/v1/cti/")
    return verdict.refusal is None


# -- issue, revoke, rotate ---------------------------------------------------------------------


def snapshot(token: ApiToken) -> dict[str, Any]:
    """A token as the operations log shows it (never its value or hash)."""
    return {
        "name": token.name,
        "user": token.user.login if token.user else None,
        "scope": token.scope.value,
        "expires_at": token.expires_at.isoformat(timespec="minutes") if token.expires_at else None,
        "revoked": token.revoked,
    }


def parse_expiry(raw: str) -> datetime | None:
    """'2027-01-31' (valid to the end of that day in Hangzhou) or '' for never; TokenErrors."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        day = datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        raise TokenErrors({"expires": _("A date like 2027-01-31, or empty for never.")}) from None
    # the last second of that day in Hangzhou: the list then shows the day that was typed
    end = datetime.combine(day, time(23, 59, 59), clock.HANGZHOU)
    if end <= clock.now():
        raise TokenErrors({"expires": _("This date has passed: choose a later one.")})
    return end


def issue(
    session: Session,
    actor: Any,
    login: str,
    name: str,
    scope: str,
    expires_at: datetime | str | None,
) -> tuple[ApiToken, str]:
    """A new token and its value (shown once); the caller commits. `expires_at` may be the
    typed date (parse_expiry), so that a bad date is named with the other fields."""
    errors: dict[str, str] = {}
    if isinstance(expires_at, str):
        try:
            expires_at = parse_expiry(expires_at)
        except TokenErrors as exc:
            errors.update(exc.errors)
            expires_at = None
    name = name.strip()
    if not name:
        errors["name"] = _("Name the token after what uses it, e.g. ticket sync.")
    elif len(name) > NAME_LIMIT:
        errors["name"] = _("At most %(n)d characters.", n=NAME_LIMIT)
    try:
        chosen = TokenScope(scope)
    except ValueError:
        errors["scope"] = _("Choose a scope.")
        chosen = TokenScope.READ
    user = session.scalars(select(User).where(User.login == login.strip())).first()
    if user is None:
        errors["login"] = _("No user has this login.")
    elif not user.active:
        errors["login"] = _("This user is disabled.")
    if expires_at is not None and expires_at <= clock.now():
        errors["expires"] = _("This date has passed: choose a later one.")
    if errors or user is None:
        raise TokenErrors(errors)
    raw, digest = new_token()
    token = ApiToken(
        user_id=user.id, name=name, token_hash=digest, scope=chosen, expires_at=expires_at
    )
    token.user = user
    session.add(token)
    session.flush()
    record_change(
        session, actor, "token.issued", "token", token.id, name, None, snapshot(token)
    )  # fmt: skip
    return token, raw


def revoke(session: Session, actor: Any, token: ApiToken) -> bool:
    """Revoke; False when it already was. The caller commits."""
    if token.revoked:
        return False
    token.revoked = True
    token.revoked_at = clock.now()
    reference_version.forget()  # this process refuses it at the next request
    record_change(
        session, actor, "token.revoked", "token", token.id, token.name,
        {"revoked": False}, {"revoked": True},
    )  # fmt: skip
    return True


def rotate_cti(session: Session, actor: Any) -> tuple[ApiToken, str]:
    """A new CTI token for the PBX; every earlier CTI token is revoked at once (give the PBX
    the new value right after). Issued in the acting administrator's name."""
    login = actor.login if not isinstance(actor, str) else _first_admin_login(session)
    token, raw = issue(session, actor, login, "PBX CTI", TokenScope.CTI.value, None)
    earlier = session.scalars(
        select(ApiToken).where(
            ApiToken.scope == TokenScope.CTI, ApiToken.revoked.is_(False), ApiToken.id != token.id
        )
    ).all()
    for old in earlier:
        revoke(session, actor, old)
    return token, raw


def _first_admin_login(session: Session) -> str:
    from helpdesk.auth.models import Role

    login = session.scalars(
        select(User.login).where(User.role == Role.ADMIN, User.active.is_(True)).order_by(User.id)
    ).first()
    if login is None:
        raise TokenErrors({"login": _("No active administrator to issue the CTI token for.")})
    return login


def listing(session: Session, include_revoked: bool = True) -> list[ApiToken]:
    stmt = select(ApiToken).order_by(ApiToken.revoked, ApiToken.id.desc())
    if not include_revoked:
        stmt = stmt.where(ApiToken.revoked.is_(False))
    return list(session.scalars(stmt.limit(500)))


def state(token: ApiToken) -> str:
    """live, expired or revoked: the list's words for it (helpdesk.web.labels.TOKEN_STATE)."""
    if token.revoked:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= clock.now():
        return "expired"
    return "live"
