"""Admin sign-in: passwords checked against bcrypt hashes (no password is ever stored),
failed sign-ins limited per client address and per admin name, and signed-in admins held
as random session tokens that expire.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pydantic import SecretStr

from kb.errors import KBError
from kb.present.limits import RateLimit
from kb.settings import Settings

log = logging.getLogger(__name__)

BCRYPT_MAX_BYTES = 72  # bcrypt reads no further; bcrypt 5 refuses longer passwords
DEFAULT_ROUNDS = 12
_HASH = re.compile(r"^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$")
_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")


class AdminError(KBError):
    """An admin action was refused; the text says why, fit to show the admin."""


class AdminConfigError(AdminError):
    """The admin password setting or file is unusable (the app does not start)."""


class SignInError(AdminError):
    """A wrong name or password, or too many failed sign-ins."""


def hash_password(password: str, rounds: int = DEFAULT_ROUNDS) -> str:
    """A bcrypt hash of `password` for IPSKB_ADMIN_PASSWORD_HASH or the password file."""
    import bcrypt

    data = password.encode("utf-8")
    if not password.strip():
        raise AdminError("the password is empty")
    if len(data) > BCRYPT_MAX_BYTES:
        raise AdminError(f"the password is {len(data)} bytes; bcrypt takes at most "
                         f"{BCRYPT_MAX_BYTES}")
    return bcrypt.hashpw(data, bcrypt.gensalt(rounds)).decode("ascii")


def check_password(password: str, hashed: str) -> bool:
    """Whether `password` is the one `hashed` was made from (False for a malformed hash)."""
    import bcrypt

    data = password.encode("utf-8")
    if not data or len(data) > BCRYPT_MAX_BYTES or not _HASH.match(hashed):
        return False
    try:
        return bool(bcrypt.checkpw(data, hashed.encode("ascii")))
    except ValueError:
        return False


def read_accounts(settings: Settings) -> dict[str, str]:
    """Admin name -> bcrypt hash, from IPSKB_ADMIN_PASSWORD_HASH and the password file."""
    accounts: dict[str, str] = {}
    if settings.admin_password_hash is not None:
        given = settings.admin_password_hash  # a plain str from an unvalidated model_copy
        hashed = (given.get_secret_value() if isinstance(given, SecretStr) else str(given)).strip()
        if not _HASH.match(hashed):
            raise AdminConfigError("IPSKB_ADMIN_PASSWORD_HASH is not a bcrypt hash; make one "
                                   "with `ipskb admin-hash`")
        accounts[settings.admin_user] = hashed
    if settings.admin_password_file is not None:
        accounts.update(read_password_file(settings.admin_password_file))
    return accounts


def read_password_file(path: Path) -> dict[str, str]:
    """`name:hash` lines; blank lines and # comments are skipped."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AdminConfigError(f"cannot read the admin password file {path}: "
                               f"{getattr(exc, 'strerror', None) or exc}") from exc
    accounts: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, _, hashed = line.partition(":")
        if not _NAME.match(name) or not _HASH.match(hashed.strip()):
            raise AdminConfigError(f"{path} line {number}: expected name:bcrypt-hash "
                                   "(`ipskb admin-hash --user NAME` prints one)")
        accounts[name] = hashed.strip()
    return accounts


@dataclass(frozen=True)
class AdminSession:
    """A signed-in admin."""

    token: str
    user: str
    client: str
    expires: float  # on the sign-in's clock


class SignIn:
    """Checks sign-ins and holds the sessions they open. Safe to share between threads."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        read_accounts(settings)  # a broken setting or file stops the app now, not at sign-in
        self._clock = clock
        window = settings.admin_login_window
        self._by_client = RateLimit(settings.admin_login_failures, window, clock)
        self._by_user = RateLimit(settings.admin_login_failures, window, clock)
        self._sessions: dict[str, AdminSession] = {}
        self._lock = threading.Lock()
        self._decoy: str | None = None

    def sign_in(self, user: str, password: str, client: str) -> AdminSession:
        """A new session for `user`, or SignInError. While a client address or a name has
        failed too often, even the right password is refused: a guesser learns nothing."""
        user = user.strip()
        if self._by_client.full(client) or self._by_user.full(user):
            raise SignInError(f"too many failed sign-ins; try again in "
                              f"{self.settings.admin_login_window / 60:g} minutes")
        hashed = read_accounts(self.settings).get(user)
        # An unknown name costs one bcrypt check too, so timing does not tell names apart.
        ok = check_password(password, hashed or self._decoy_hash()) and hashed is not None
        if not ok:
            self._by_client.allow(client)
            self._by_user.allow(user)
            raise SignInError("wrong name or password")
        session = AdminSession(secrets.token_urlsafe(32), user, client,
                               self._clock() + 60 * self.settings.admin_session_minutes)
        with self._lock:
            self._forget_expired()
            self._sessions[session.token] = session
        return session

    def session(self, token: str | None) -> AdminSession | None:
        """The live session `token` names, or None (unknown, signed out, expired)."""
        if not token:
            return None
        with self._lock:
            found = self._sessions.get(token)
            if found is not None and found.expires <= self._clock():
                del self._sessions[token]
                return None
            return found

    def sign_out(self, token: str | None) -> AdminSession | None:
        """End the session; the one ended, if it was live."""
        with self._lock:
            return self._sessions.pop(token or "", None)

    def _forget_expired(self) -> None:
        now = self._clock()
        for token in [t for t, s in self._sessions.items() if s.expires <= now]:
            del self._sessions[token]

    def _decoy_hash(self) -> str:
        if self._decoy is None:
            self._decoy = hash_password(secrets.token_urlsafe(16))
        return self._decoy
