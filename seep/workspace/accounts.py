"""Accounts, roles and the audit trail.

A workspace with no account runs in single-user mode (the demo, one analyst on a laptop):
everyone may do everything and the name typed in the sidebar is recorded. Once an account
exists the app asks everyone to sign in, and every action checks the signed-in role here,
on the server, whatever the page showed. Passwords are hashed with argon2id (argon2-cffi);
never stored, logged or shown.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from seep.errors import BadInputError, NotFoundError, PermissionDenied, SignInError
from seep.workspace.spreadsheets import write_csv
from seep.workspace.workspace import Workspace

ROLES = ("analyst", "reviewer", "admin")  # each may do what the ones before it may
NEEDS = {
    "save": "analyst",
    "take a scene": "analyst",  # one no one holds, for yourself (assignments.py)
    "write remarks": "analyst",  # on a scene, for its report (remarks.py)
    "restore": "analyst",
    "accept": "reviewer",
    "return": "reviewer",
    "blind": "reviewer",  # send tiles to two analysts blind, adjudicate, withdraw
    "predict": "reviewer",
    "hand out scenes": "reviewer",  # to someone else, or from them: a lead sharing the passes out
    "train": "admin",
    "promote": "admin",
    "rollback": "admin",
    "remove a model": "admin",  # a candidate never made active, nobody's base
    "add a model": "admin",  # one trained elsewhere, into the registry
    "describe a model": "admin",  # its note in the registry
    "import": "admin",  # reads files on the server
    "rename a scene": "admin",
    "remove a scene": "admin",  # one imported by mistake, that no one has worked on
    "users": "admin",
    "reasons": "admin",  # the look-alike reasons analysts pick from
    "classes": "admin",  # the classes' names and descriptions
    "set the same-seep reach": "admin",  # how near another pass's slick is the same seep
    "set how places are written": "admin",  # in the seeps list, reports and Review (places.py)
    "load installations": "admin",  # the team's platforms and pipelines, beside each slick
    "load AIS": "reviewer",  # the day's ship positions around the passes: daily work, not setup
    "audit": "admin",
}
MIN_PASSWORD = 10
FREE_FAILURES = 3  # then each failed sign-in doubles the wait before the next is checked
MAX_WAIT_S = 300.0

_hasher = PasswordHasher()
# The stored hash of an account that signs in only through the identity provider: no password
# verifies against it (argon2 refuses it as a hash), as a locked account's "!" in /etc/shadow.
NO_PASSWORD = "!"
# Checked when the name is unknown, so that a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password anyone has")


@dataclass(frozen=True)
class User:
    name: str
    role: str
    # Which password a session signed in with (unix time it was set), and when the account's
    # sessions were last ended together: a session holding other stamps ends. Not part of who
    # the account is, so not compared.
    password_set_at: float | None = field(default=None, compare=False)
    sessions_ended_at: float | None = field(default=None, compare=False)

    def can(self, action: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(NEEDS[action])


def accounts_enabled(ws: Workspace) -> bool:
    with ws.connect() as con:
        return con.execute("SELECT 1 FROM users WHERE active = 1 LIMIT 1").fetchone() is not None


def require(ws: Workspace, user: User | None, action: str) -> None:
    """Refuse `action` unless the signed-in user's role allows it (anyone may in single-user mode)."""
    if not accounts_enabled(ws):
        return
    if user is None:
        raise PermissionDenied(f"sign in to {action}")
    current = get_user(ws, user.name)  # the role now, not the one at sign-in: changes apply at once
    if current is None or not current.can(action):
        need = NEEDS[action]
        raise PermissionDenied(f"{user.name} may not {action}: that needs the {need} role or above; ask an admin")


def get_user(ws: Workspace, name: str) -> User | None:
    """The active account of that name, or None."""
    with ws.connect() as con:
        row = con.execute(f"SELECT {_USER} FROM users WHERE name = ? AND active = 1", (name,)).fetchone()
    return User(*row) if row else None


def list_users(ws: Workspace) -> list[dict]:
    """Every account, with when it last signed in (None: never) from the audit trail."""
    with ws.connect() as con:
        rows = con.execute(
            "SELECT name, role, active, created_at, email, "
            "(SELECT max(at) FROM audit WHERE actor = users.name AND action = 'sign-in') FROM users ORDER BY name"
        ).fetchall()
    keys = ("name", "role", "active", "created_at", "email", "last_sign_in")
    return [{**dict(zip(keys, r, strict=True)), "active": bool(r[2]), "email": r[4] or ""} for r in rows]


def add_user(ws: Workspace, name: str, role: str, password: str | None, *, actor: str, email: str | None = None) -> User:
    """A new account. `email`: the address the deployment's identity provider vouches for; an
    account with an email and no password signs in only through that provider."""
    name = _checked_name(name)
    _check_role(role)
    email = _checked_email(email) if email is not None else None
    if password is None and email is None:
        raise BadInputError("an account needs a password, or an email to sign in through the identity provider")
    if password is not None:
        _check_password(password)
    hashed, set_at = (_hasher.hash(password), time.time()) if password is not None else (NO_PASSWORD, 0.0)
    with ws.connect(write=True) as con:
        if con.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise BadInputError(f"there is already an account named {name}")
        _email_free(con, email, name)
        con.execute(
            "INSERT INTO users (name, role, password_hash, password_set_at, email, created_at) VALUES (?,?,?,?,?,?)",
            (name, role, hashed, set_at, email, _now()),
        )
        record_in(con, actor, "user-add", name, " ".join(filter(None, (role, email))))
    return User(name, role, set_at, 0.0)


def set_email(ws: Workspace, name: str, email: str, *, actor: str) -> None:
    """Link the account to the address the identity provider signs its owner in with."""
    email = _checked_email(email)
    with ws.connect(write=True) as con:
        _existing(con, name)
        _email_free(con, email, name)
        con.execute("UPDATE users SET email = ? WHERE name = ?", (email, name))
        record_in(con, actor, "user-email", name, email)


def identity_user(ws: Workspace, email: str | None, verified: bool | None = None) -> User:
    """The active account for an identity the deployment's OpenID Connect provider signed
    in: found by its email, never by a display name (which its owner may set to anything)."""
    if not email:
        raise SignInError("the identity provider did not say which email you have; ask an admin to request the email scope")
    if verified is False:
        raise SignInError(f"the identity provider has not verified {email}; verify it there, then sign in again")
    with ws.connect() as con:
        row = con.execute(f"SELECT {_USER} FROM users WHERE email = ? AND active = 1", (email.strip().casefold(),)).fetchone()
    if row is None:
        raise SignInError(
            f"{email} has no Seep account here; an admin links it: `python -m seep user email NAME --email {email}`"
        )
    record(ws, row[0], "sign-in", detail="identity provider")
    return User(*row)


def set_role(ws: Workspace, name: str, role: str, *, actor: str) -> None:
    _check_role(role)
    with ws.connect(write=True) as con:
        _existing(con, name)
        if role != "admin":
            _keep_an_admin(con, name)
        con.execute("UPDATE users SET role = ? WHERE name = ?", (role, name))
        record_in(con, actor, "user-role", name, role)


def set_password(ws: Workspace, name: str, password: str, *, actor: str) -> float:
    """The new password, and when it was set: every session signed in with the old one ends
    at its next step (the caller's own goes on with this stamp)."""
    _check_password(password)
    hashed, set_at = _hasher.hash(password), time.time()
    with ws.connect(write=True) as con:
        _existing(con, name)
        con.execute("UPDATE users SET password_hash = ?, password_set_at = ? WHERE name = ?", (hashed, set_at, name))
        record_in(con, actor, "user-password", name)
    return set_at


def end_sessions(ws: Workspace, name: str, *, actor: str) -> None:
    """Every session signed in as `name` ends at its next step (a browser left signed in on a
    shared or lost computer); the caller's own goes on if it holds the new stamp
    (session.keep_signed_in). The password stays as it is."""
    with ws.connect(write=True) as con:
        _existing(con, name)
        con.execute("UPDATE users SET sessions_ended_at = ? WHERE name = ?", (time.time(), name))
        record_in(con, actor, "sessions-ended", name)


def deactivate(ws: Workspace, name: str, *, actor: str) -> None:
    """The account can no longer sign in; its name stays on everything it saved."""
    with ws.connect(write=True) as con:
        if not _is_active(con, name):
            raise BadInputError(f"{name} is disabled already; nothing was changed")
        _keep_an_admin(con, name)
        con.execute("UPDATE users SET active = 0 WHERE name = ?", (name,))
        record_in(con, actor, "user-disable", name)


def reactivate(ws: Workspace, name: str, *, actor: str) -> None:
    """A disabled account signs in again, with its old password, role and name: its name is
    taken for good (it stays on its work), so a new account could never stand in for it."""
    with ws.connect(write=True) as con:
        if _is_active(con, name):
            raise BadInputError(f"{name} can sign in already; nothing was changed")
        con.execute("UPDATE users SET active = 1 WHERE name = ?", (name,))
        record_in(con, actor, "user-enable", name)


def sign_in(ws: Workspace, name: str, password: str, now: float | None = None) -> User:
    """The account, if the password is right. Every refusal reads the same; after a few
    failures for a name (known or not) each attempt must wait, doubling up to MAX_WAIT_S. A
    name or password left empty (Enter pressed early) is no guess: refused, not counted."""
    if not name.strip() or not password:
        raise SignInError("type your name and your password")
    return _vouched(ws, name, password, now, audit="sign-in")


def change_own_password(ws: Workspace, name: str, current: str, new: str, now: float | None = None) -> float:
    """A signed-in person's new password, given the one they have: a session left open on a
    shared screen cannot lock its owner out (a wrong one counts as a failed sign-in)."""
    _check_password(new)
    if not current:  # no guess, so not a failure counted against the name
        raise SignInError("type your current password; your password was not changed")
    try:
        user = _vouched(ws, name, current, now)
    except SignInError as e:
        raise SignInError(f"{e}; your password was not changed") from None
    return set_password(ws, user.name, new, actor=user.name)


def _vouched(ws: Workspace, name: str, password: str, now: float | None, audit: str | None = None) -> User:
    """The account if the password is right, its failures cleared (and `audit` recorded) in one
    transaction; else a failure counted, and the wait that follows a few."""
    now = time.time() if now is None else now
    key = name.strip().casefold()
    with ws.connect() as con:
        wait = con.execute("SELECT wait_until FROM sign_in_failures WHERE name = ?", (key,)).fetchone()
        row = con.execute(f"SELECT password_hash, {_USER} FROM users WHERE name = ? AND active = 1", (name.strip(),)).fetchone()
    if wait and now < wait[0]:
        raise SignInError(f"too many failed sign-ins with this name; try again in {wait[0] - now:.0f} s")
    if _verified(row[0] if row else _DUMMY_HASH, password) and row:
        user = User(*row[1:])
        with ws.connect(write=True) as con:
            con.execute("DELETE FROM sign_in_failures WHERE name = ?", (key,))
            if audit:
                record_in(con, user.name, audit)
        return user
    with ws.connect(write=True) as con:
        got = con.execute("SELECT failures FROM sign_in_failures WHERE name = ?", (key,)).fetchone()
        failures = (got[0] if got else 0) + 1
        delay = 0.0 if failures < FREE_FAILURES else min(MAX_WAIT_S, 2.0 ** (failures - FREE_FAILURES))
        con.execute(
            "INSERT INTO sign_in_failures VALUES (?,?,?) "
            "ON CONFLICT (name) DO UPDATE SET failures = excluded.failures, wait_until = excluded.wait_until",
            (key, failures, now + delay),
        )
    raise SignInError("wrong name or password")


def record(ws: Workspace, actor: str, action: str, target: str = "", detail: str = "") -> None:
    with ws.connect(write=True) as con:
        record_in(con, actor, action, target, detail)


# Actions whose target is a tile's id: shown with the tile's name, which is what people know it by.
TILE_ACTIONS = ("save", "resolve", "restore", "accept", "return", "blind-send", "blind-save", "adjudicate", "look-alikes")
_AUDIT = (
    "SELECT a.at, a.actor, a.action, a.target, a.detail, i.name FROM audit a "
    f"LEFT JOIN images i ON i.id = a.target AND a.action IN ({', '.join(repr(t) for t in TILE_ACTIONS)})"
)
_AUDIT_FIELDS = ("at", "actor", "action", "target", "detail", "tile")


def audit_rows(ws: Workspace, limit: int = 500, actor: str | None = None) -> list[dict]:
    """The newest entries of the audit trail first; `tile` is the name of the tile an entry is
    about (its target is the tile's id), else None."""
    sql, args = _AUDIT, []
    if actor:
        sql, args = sql + " WHERE a.actor = ?", [actor]
    with ws.connect() as con:
        rows = con.execute(sql + " ORDER BY a.id DESC LIMIT ?", (*args, limit)).fetchall()
    return [dict(zip(_AUDIT_FIELDS, r, strict=True)) for r in rows]


def write_audit_csv(ws: Workspace, f, actor: str | None = None) -> int:
    """The whole trail (or `actor`'s part), oldest first, as CSV into the text file `f` (a
    tile's id and its name); returns the rows written."""
    sql, args = (_AUDIT + " WHERE a.actor = ?", (actor,)) if actor else (_AUDIT, ())
    with ws.connect() as con:
        rows = con.execute(sql + " ORDER BY a.id", args).fetchall()
    return write_csv(f, _AUDIT_FIELDS, rows)


def audit_actors(ws: Workspace) -> list[str]:
    """Everyone the trail names as having acted, by name."""
    with ws.connect() as con:
        return [r[0] for r in con.execute("SELECT DISTINCT actor FROM audit ORDER BY actor")]


def record_in(con, actor: str, action: str, target: str = "", detail: str = "") -> None:
    """An audit entry inside the caller's transaction: it commits or rolls back with the action."""
    con.execute(
        "INSERT INTO audit (at, actor, action, target, detail) VALUES (?,?,?,?,?)", (_now(), actor, action, target, detail)
    )


_USER = "name, role, password_set_at, sessions_ended_at"  # User's fields, in order


def _verified(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def _existing(con, name: str) -> None:
    if con.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone() is None:
        raise NotFoundError(f"no account named {name}; `python -m seep user list` lists them")


def _is_active(con, name: str) -> bool:
    _existing(con, name)
    return bool(con.execute("SELECT active FROM users WHERE name = ?", (name,)).fetchone()[0])


def _keep_an_admin(con, name: str) -> None:
    others = con.execute("SELECT count(*) FROM users WHERE role = 'admin' AND active = 1 AND name != ?", (name,)).fetchone()[0]
    mine = con.execute("SELECT role = 'admin' AND active = 1 FROM users WHERE name = ?", (name,)).fetchone()[0]
    if mine and others == 0:
        raise BadInputError(f"{name} is the last admin: make another account admin first")


def _checked_name(name: str) -> str:
    name = name.strip()
    if not 1 <= len(name) <= 64 or any(not ch.isprintable() for ch in name):
        raise BadInputError("an account name is 1-64 printable characters")
    return name


def _checked_email(email: str) -> str:
    email = email.strip().casefold()
    if not 3 <= len(email) <= 254 or email.count("@") != 1 or any(ch.isspace() or not ch.isprintable() for ch in email):
        raise BadInputError(f"{email!r} is not an email address")
    return email


def _email_free(con, email: str | None, name: str) -> None:
    if email and con.execute("SELECT 1 FROM users WHERE email = ? AND name != ?", (email, name)).fetchone():
        raise BadInputError(f"another account already signs in as {email}")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise BadInputError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise BadInputError(f"a password needs at least {MIN_PASSWORD} characters")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
