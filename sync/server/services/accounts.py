"""Console accounts: people with an e-mail and a password, their roles and sessions.

Passwords are hashed with Argon2id (``argon2-cffi``, the reference binding; its
defaults follow RFC 9106's recommendation).  A session is a random token: the
browser's cookie holds it, the database only its SHA-256 (as for API tokens: 256
random bits need no slow hash), so a copied database opens no console.  Every
session carries its own CSRF token.  Failed logins are counted in the database,
per e-mail and per address, so throttling holds across server processes.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from sync.server.errors import Forbidden, Invalid, NotFound, Refused, Throttled, Unauthorized
from sync.server.models import Account, ConsoleSession, LoginFailure
from sync.server.principals import hash_secret, new_token
from sync.server.state import ServerState

SESSION_LIFETIME = timedelta(hours=12)
"""A console left alone this long signs out; each use extends it (a shift's length)."""
TOUCH_EVERY = timedelta(minutes=1)
"""How stale ``last_seen`` may be before a request writes it again."""
FAILURE_WINDOW = timedelta(minutes=15)
FAILURES_PER_EMAIL = 5
FAILURES_PER_CLIENT = 30
MIN_PASSWORD = 10
MAX_PASSWORD = 200
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}$")

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("a password no account has")
"""Checked against when the e-mail is unknown, so a wrong e-mail takes as long as a
wrong password and the login form tells no one which e-mails have accounts."""


class Role(StrEnum):
    OWNER = "owner"
    BOX_OFFICE = "box_office"
    DOOR_VIEWER = "door_viewer"


class Action(StrEnum):
    VIEW = "view"
    """Dashboards, events, kiosks' health, tickets and their history."""
    SELL = "sell"
    """Issue orders, refund, transfer, block, resend, exports."""
    SET_UP = "set_up"
    """Venues, events, ticket types, kiosks (enrolment codes, revocation)."""
    ADMINISTER = "administer"
    """Accounts and issuing keys."""


PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.OWNER: frozenset(Action),
    Role.BOX_OFFICE: frozenset({Action.VIEW, Action.SELL}),
    Role.DOOR_VIEWER: frozenset({Action.VIEW}),
}


@dataclass(frozen=True, slots=True)
class ConsoleUser:
    account_id: int
    email: str
    name: str
    role: Role
    csrf_token: str
    must_change_password: bool

    def may(self, action: Action) -> bool:
        return action in PERMISSIONS[self.role]

    def require(self, action: Action) -> None:
        if not self.may(action):
            raise Forbidden(f"a {self.role.replace('_', ' ')} account cannot do this")


@dataclass(frozen=True, slots=True)
class AccountInfo:
    id: int
    email: str
    name: str
    role: Role
    created_at: datetime
    disabled: bool
    sessions: int


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"a password has at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise Invalid(f"a password has at most {MAX_PASSWORD} characters")


def generated_password() -> str:
    """A password to be used once (``server init`` prints it): 16 characters from a
    32-letter alphabet without look-alikes, 80 bits."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(16))


def create_account(
    state: ServerState,
    email: str,
    password: str,
    role: Role,
    *,
    name: str = "",
    must_change_password: bool = False,
) -> AccountInfo:
    email = normalise_email(email)
    if not EMAIL.match(email):
        raise Invalid(f"{email!r} is not an e-mail address")
    check_password(password)
    with state.db.write() as session:
        if session.scalar(select(Account).where(Account.email == email)) is not None:
            raise Refused(f"there is already an account for {email}")
        account = Account(
            email=email,
            name=name.strip()[:200],
            password_hash=_hasher.hash(password),
            role=str(role),
            must_change_password=must_change_password,
        )
        session.add(account)
        session.flush()
        return _info(session, account)


def has_accounts(state: ServerState) -> bool:
    with state.db.read() as session:
        return bool(session.scalar(select(func.count()).select_from(Account)))


def login(state: ServerState, email: str, password: str, *, client: str) -> tuple[str, ConsoleUser]:
    """A new session for the account, or a refusal that does not say which part was
    wrong.  A new token every time (never one the browser brought: no fixation)."""
    email = normalise_email(email)[:320]
    now = datetime.now(UTC)
    with state.db.write() as session:
        since = now - FAILURE_WINDOW
        session.execute(delete(LoginFailure).where(LoginFailure.at < now - timedelta(days=1)))
        recent = select(func.count()).select_from(LoginFailure).where(LoginFailure.at >= since)
        by_email = session.scalar(recent.where(LoginFailure.email == email)) or 0
        by_client = session.scalar(recent.where(LoginFailure.client == client[:100])) or 0
        if by_email >= FAILURES_PER_EMAIL or by_client >= FAILURES_PER_CLIENT:
            raise Throttled(
                "too many failed logins; wait 15 minutes and try again, or ask an owner "
                "to check the account",
                retry_after=int(FAILURE_WINDOW.total_seconds()),
            )
        account = session.scalar(select(Account).where(Account.email == email))
        if account is None or account.disabled_at is not None:
            _verify(_DUMMY_HASH, password)
            ok = False
        else:
            ok = _verify(account.password_hash, password)
        if not ok or account is None:
            session.add(LoginFailure(email=email, client=client[:100], at=now))
            failure = True
        else:
            failure = False
            if _hasher.check_needs_rehash(account.password_hash):
                account.password_hash = _hasher.hash(password)
            token = new_token()
            row = ConsoleSession(
                token_hash=hash_secret(token),
                account_id=account.id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                last_seen=now,
                expires_at=now + SESSION_LIFETIME,
            )
            session.add(row)
            user = _user(account, row)
    if failure:  # committed above, so the failure counts
        raise Unauthorized("wrong e-mail or password")
    return token, user


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def session_user(state: ServerState, token: str) -> ConsoleUser | None:
    """The account signed in with ``token``, or None (unknown, expired, disabled)."""
    if not token:
        return None
    now = datetime.now(UTC)
    digest = hash_secret(token)
    with state.db.read() as session:
        row = session.get(ConsoleSession, digest)
        if row is None or row.expires_at <= now:
            return None
        account = session.get(Account, row.account_id)
        if account is None or account.disabled_at is not None:
            return None
        user = _user(account, row)
        stale = now - row.last_seen >= TOUCH_EVERY
    if stale:
        with state.db.write() as session:
            row = session.get(ConsoleSession, digest)
            if row is not None:
                row.last_seen = now
                row.expires_at = now + SESSION_LIFETIME
    return user


def logout(state: ServerState, token: str) -> None:
    with state.db.write() as session:
        session.execute(
            delete(ConsoleSession).where(ConsoleSession.token_hash == hash_secret(token))
        )


def logout_everywhere(state: ServerState, account_id: int) -> int:
    """End every session of the account (a lost phone, a shared laptop); how many."""
    with state.db.write() as session:
        result = session.execute(
            delete(ConsoleSession).where(ConsoleSession.account_id == account_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def change_password(state: ServerState, account_id: int, current: str, new: str) -> None:
    check_password(new)
    with state.db.write() as session:
        account = _account(session, account_id)
        if not _verify(account.password_hash, current):
            raise Unauthorized("the current password is not right")
        account.password_hash = _hasher.hash(new)
        account.must_change_password = False


def list_accounts(state: ServerState) -> list[AccountInfo]:
    with state.db.read() as session:
        accounts = session.scalars(select(Account).order_by(Account.email))
        return [_info(session, a) for a in accounts]


def set_role(state: ServerState, account_id: int, role: Role) -> AccountInfo:
    with state.db.write() as session:
        account = _account(session, account_id)
        if account.role == Role.OWNER and role != Role.OWNER:
            _keep_an_owner(session, account_id)
        account.role = str(role)
        return _info(session, account)


def set_disabled(state: ServerState, account_id: int, disabled: bool) -> AccountInfo:
    """Disable (or enable again) an account; a disabled account's sessions end now."""
    with state.db.write() as session:
        account = _account(session, account_id)
        if disabled and account.role == Role.OWNER:
            _keep_an_owner(session, account_id)
        account.disabled_at = datetime.now(UTC) if disabled else None
        if disabled:
            session.execute(delete(ConsoleSession).where(ConsoleSession.account_id == account_id))
        return _info(session, account)


def _keep_an_owner(session: Session, leaving: int) -> None:
    others = session.scalar(
        select(func.count())
        .select_from(Account)
        .where(
            Account.role == str(Role.OWNER),
            Account.disabled_at.is_(None),
            Account.id != leaving,
        )
    )
    if not others:
        raise Refused("this is the last owner; make another owner first")


def _account(session: Session, account_id: int) -> Account:
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound(f"no account {account_id}")
    return account


def _user(account: Account, row: ConsoleSession) -> ConsoleUser:
    return ConsoleUser(
        account_id=account.id,
        email=account.email,
        name=account.name,
        role=Role(account.role),
        csrf_token=row.csrf_token,
        must_change_password=account.must_change_password,
    )


def _info(session: Session, account: Account) -> AccountInfo:
    sessions = session.scalar(
        select(func.count())
        .select_from(ConsoleSession)
        .where(ConsoleSession.account_id == account.id)
    )
    return AccountInfo(
        id=account.id,
        email=account.email,
        name=account.name,
        role=Role(account.role),
        created_at=account.created_at,
        disabled=account.disabled_at is not None,
        sessions=sessions or 0,
    )
