"""Accounts, roles and the audit trail: argon2 hashes, sign-in that gives nothing away and
slows down, server-side role checks, and the CLI an admin uses."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import sar_tile

from seep.cli import main
from seep.errors import BadInputError, NotFoundError, PermissionDenied, SignInError
from seep.workspace import Workspace, review
from seep.workspace import accounts as acc
from seep.workspace import registry as reg

pytestmark = pytest.mark.usefixtures("store")

PASSWORD = "correct horse battery"


@pytest.fixture
def ws(tmp_path):
    return Workspace(tmp_path / "ws")


def test_single_user_mode_allows_everything_until_an_account_exists(ws):
    assert not acc.accounts_enabled(ws)
    acc.require(ws, None, "promote")  # the demo and the laptop: nobody signs in
    acc.add_user(ws, "ada", "admin", PASSWORD, actor="setup")
    assert acc.accounts_enabled(ws)
    with pytest.raises(PermissionDenied, match="sign in"):
        acc.require(ws, None, "save")


def test_roles_are_checked_as_they_are_now(ws):
    acc.add_user(ws, "ada", "admin", PASSWORD, actor="setup")
    ana = acc.add_user(ws, "ana", "analyst", PASSWORD, actor="ada")
    acc.require(ws, ana, "save")
    for action in ("accept", "promote", "train", "import", "users"):
        with pytest.raises(PermissionDenied, match=f"ana may not {action}"):
            acc.require(ws, ana, action)
    acc.set_role(ws, "ana", "reviewer", actor="ada")
    acc.require(ws, ana, "accept")  # the User from sign-in still says analyst: the stored role counts
    acc.deactivate(ws, "ana", actor="ada")
    with pytest.raises(PermissionDenied):
        acc.require(ws, ana, "save")
    with pytest.raises(BadInputError, match="last admin"):
        acc.set_role(ws, "ada", "analyst", actor="ada")
    with pytest.raises(BadInputError, match="last admin"):
        acc.deactivate(ws, "ada", actor="ada")
    with pytest.raises(NotFoundError):
        acc.set_role(ws, "nobody", "admin", actor="ada")


def test_passwords_are_hashed_and_a_refusal_never_says_which_part_was_wrong(ws):
    acc.add_user(ws, "ada", "admin", PASSWORD, actor="setup")
    with ws.connect() as con:
        stored = con.execute("SELECT password_hash FROM users").fetchone()[0]
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert acc.sign_in(ws, "ada", PASSWORD, now=0) == acc.User("ada", "admin")
    with pytest.raises(SignInError) as wrong_password:
        acc.sign_in(ws, "ada", "not the password", now=0)
    with pytest.raises(SignInError) as wrong_name:
        acc.sign_in(ws, "eve", PASSWORD, now=0)
    assert str(wrong_password.value) == str(wrong_name.value) == "wrong name or password"
    with pytest.raises(BadInputError, match="at least 10"):
        acc.add_user(ws, "bob", "analyst", "short", actor="ada")
    with pytest.raises(BadInputError, match="unknown role"):
        acc.add_user(ws, "bob", "boss", PASSWORD, actor="ada")
    with pytest.raises(BadInputError, match="already an account"):
        acc.add_user(ws, "ada", "analyst", PASSWORD, actor="ada")


def test_repeated_failures_slow_down_known_and_unknown_names_alike(ws):
    acc.add_user(ws, "ada", "admin", PASSWORD, actor="setup")
    for name in ("ada", "eve"):
        for _ in range(acc.FREE_FAILURES):
            with pytest.raises(SignInError, match="wrong name or password"):
                acc.sign_in(ws, name, "guess", now=100)
        with pytest.raises(SignInError, match="try again in 1 s"):
            acc.sign_in(ws, name, PASSWORD, now=100)  # even the right password waits
    assert acc.sign_in(ws, "ada", PASSWORD, now=102).name == "ada"  # after the wait it works, and the count resets
    with pytest.raises(SignInError, match="wrong name or password"):
        acc.sign_in(ws, "ada", "guess", now=102)


def test_an_empty_name_or_password_is_asked_for_not_counted_as_a_guess(ws):
    """Enter pressed before the password was typed: said so, and no wait follows however often."""
    acc.add_user(ws, "ada", "admin", PASSWORD, actor="setup")
    for name, password in [("ada", ""), ("", PASSWORD), ("  ", "")] * acc.FREE_FAILURES:
        with pytest.raises(SignInError, match="^type your name and your password$"):
            acc.sign_in(ws, name, password, now=100)
    for _ in range(acc.FREE_FAILURES):
        with pytest.raises(SignInError, match="^type your current password; your password was not changed$"):
            acc.change_own_password(ws, "ada", "", "another good one", now=100)
    assert acc.sign_in(ws, "ada", PASSWORD, now=100).name == "ada"  # no wait: nothing was counted
    with ws.connect() as con:
        assert con.execute("SELECT count(*) FROM sign_in_failures").fetchone()[0] == 0


def test_a_password_is_changed_by_its_owner_given_the_current_one(ws):
    """The sidebar's form: a session left open cannot lock its owner out, and guessing the
    current password there is throttled as guessing it at sign-in is."""
    acc.add_user(ws, "ada", "admin", PASSWORD, actor="setup")
    new = "another good one"
    with pytest.raises(BadInputError, match="at least 10"):
        acc.change_own_password(ws, "ada", PASSWORD, "short", now=0)
    for _ in range(acc.FREE_FAILURES):
        with pytest.raises(SignInError, match="wrong name or password; your password was not changed"):
            acc.change_own_password(ws, "ada", "guess", new, now=0)
    with pytest.raises(SignInError, match="try again in 1 s"):
        acc.change_own_password(ws, "ada", PASSWORD, new, now=0)
    before = acc.sign_in(ws, "ada", PASSWORD, now=2).password_set_at
    changed = acc.change_own_password(ws, "ada", PASSWORD, new, now=2)
    # Sessions signed in with the old password see another stamp and end; the new one's match.
    assert acc.get_user(ws, "ada").password_set_at == changed != before
    assert acc.sign_in(ws, "ada", new, now=2).password_set_at == changed
    with pytest.raises(SignInError):
        acc.sign_in(ws, "ada", PASSWORD, now=2)
    assert [(r["actor"], r["action"]) for r in acc.audit_rows(ws, limit=3)] == [
        ("ada", "sign-in"),
        ("ada", "user-password"),
        ("ada", "sign-in"),
    ]


def test_the_audit_trail_records_who_did_what(ws, tiny_model):
    acc.add_user(ws, "ada", "admin", PASSWORD, actor="setup")
    acc.add_user(ws, "ana", "analyst", PASSWORD, actor="ada")
    for i in ("m1", "m2"):
        reg.register_model(ws, tiny_model, model_id=i)
    reg.promote(ws, "m1", actor="ada")
    reg.promote(ws, "m2", actor="ada")
    reg.rollback(ws, actor="ada")
    acc.sign_in(ws, "ana", PASSWORD)
    rows = acc.audit_rows(ws)
    assert [(r["actor"], r["action"], r["target"]) for r in rows] == [
        ("ana", "sign-in", ""),
        ("ada", "rollback", "m1"),
        ("ada", "promote", "m2"),
        ("ada", "promote", "m1"),
        ("ada", "user-add", "ana"),
        ("setup", "user-add", "ada"),
    ]
    buf = io.StringIO()
    assert acc.write_audit_csv(ws, buf) == 6
    assert buf.getvalue().splitlines()[0] == "at,actor,action,target,detail,tile" and "rollback,m1" in buf.getvalue()

    # A tile's entries name it as people know it; the id stays in the CSV. An account that
    # happens to be called like a tile's id is still an account.
    tile, _ = ws.add_image(sar_tile(), name="gulf.r000256c000512", scene="gulf")
    ws.save_label(tile.id, np.zeros((64, 64), np.uint8), parent=None, author="ana")
    review.return_tile(ws, tile.id, 1, reviewer="ada", comment="too wide")
    acc.add_user(ws, tile.id, "analyst", PASSWORD, actor="ada")
    newest = acc.audit_rows(ws, limit=2)
    assert [(r["action"], r["target"], r["tile"]) for r in newest] == [
        ("user-add", tile.id, None),
        ("return", tile.id, "gulf.r000256c000512"),
    ]
    buf = io.StringIO()
    acc.write_audit_csv(ws, buf)
    assert f"return,{tile.id},v1 too wide,gulf.r000256c000512" in buf.getvalue()


def test_an_accounts_sessions_are_ended_without_changing_its_password(ws, capsys):
    """A browser left signed in on a shared screen or a lost laptop: its owner (sidebar), an
    admin (Team page) or the server's CLI ends every session of the account; the password and
    everything else stay, and a new sign-in carries the new stamp."""
    acc.add_user(ws, "ada", "admin", PASSWORD, actor="setup")
    acc.add_user(ws, "ben", "analyst", PASSWORD, actor="setup")
    assert [u["last_sign_in"] for u in acc.list_users(ws)] == [None, None]
    before = acc.sign_in(ws, "ben", PASSWORD, now=0).sessions_ended_at
    assert acc.list_users(ws)[1]["last_sign_in"] == acc.audit_rows(ws, limit=1)[0]["at"]  # the Team page's column
    acc.end_sessions(ws, "ben", actor="ada")
    ended = acc.get_user(ws, "ben").sessions_ended_at
    assert ended > before == 0.0 and acc.get_user(ws, "ada").sessions_ended_at == 0.0  # hers are untouched
    assert acc.sign_in(ws, "ben", PASSWORD, now=0).sessions_ended_at == ended  # same password, new stamp
    assert main(["user", "sign-out", "ben", "--workspace", str(ws.root)]) == 0
    assert capsys.readouterr().out == "every session of ben ends at its next click; their password is unchanged\n"
    assert main(["user", "list", "--workspace", str(ws.root)]) == 0
    ada, ben = capsys.readouterr().out.splitlines()
    assert "last sign-in never" in ada and re.search(r"last sign-in \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", ben)
    assert acc.get_user(ws, "ben").sessions_ended_at > ended
    with pytest.raises(NotFoundError, match="no account named cy"):
        acc.end_sessions(ws, "cy", actor="ada")
    assert main(["user", "sign-out", "--workspace", str(ws.root)]) == 1
    assert "`user sign-out` needs the account's NAME" in capsys.readouterr().err
    trail = [(r["actor"], r["action"], r["target"]) for r in acc.audit_rows(ws, limit=4)]
    assert trail[0][1:] == ("sessions-ended", "ben") and trail[2] == ("ada", "sessions-ended", "ben")


def test_the_cli_manages_accounts_and_prints_the_audit(ws, capsys, monkeypatch, tmp_path):
    root = str(ws.root)
    assert main(["user", "list", "--workspace", root]) == 0
    assert capsys.readouterr().out.startswith("no accounts: the app is single-user")
    assert main(["audit", "--workspace", root]) == 0 and capsys.readouterr().out == "no audit entries yet\n"
    typo = tmp_path / "wrokspace"  # an account for a mistyped folder used to create a workspace there
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "ada", "--password-stdin", "--workspace", str(typo)]) == 1
    err = capsys.readouterr().err  # on PostgreSQL: the database's workspace is not in that folder
    assert f"{typo}" in err and ("no workspace at" in err or "has no dataset.json" in err) and not typo.exists()
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "Ada <b>", "--role", "admin", "--password-stdin", "--workspace", root]) == 0
    assert "sign-in is now on" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "add", "bob", "--password-stdin", "--workspace", root]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "at least 10" in err and err.count("\n") == 1
    assert [u["name"] for u in acc.list_users(ws)] == ["Ada <b>"]  # nothing half-made
    # run from a script with no terminal and no --password-stdin: getpass's EOFError was a traceback
    cmd = [sys.executable, "-m", "seep", "user", "add", "cy", "--workspace", root]
    done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=Path(__file__).parents[1])
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr.endswith(
        "error: no password was typed (no terminal?); pass one line on stdin with --password-stdin; nothing was changed\n"
    )
    assert [u["name"] for u in acc.list_users(ws)] == ["Ada <b>"]
    assert main(["user", "disable", "Ada <b>", "--workspace", root]) == 1
    assert "last admin" in capsys.readouterr().err
    assert main(["user", "role", "Ada <b>", "--workspace", root]) == 1  # no --role made her an analyst
    assert "needs --role analyst, reviewer or admin; nothing was changed" in capsys.readouterr().err
    assert acc.list_users(ws)[0]["role"] == "admin"
    assert main(["user", "list", "--workspace", root]) == 0
    assert "Ada <b>" in capsys.readouterr().out
    acc.record(ws, "Ada <b>", "import seeps", "S1", "3 tiles from a\nfake entry\x1b[31m.gpkg")  # a GIS file's own name
    assert main(["audit", "--workspace", root]) == 0
    out = capsys.readouterr().out
    assert "user-add" in out and out.count("\n") == 2 and "3 tiles from a?fake entry?[31m.gpkg" in out  # two entries, two lines
    assert all(re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC  ", line) for line in out.splitlines())  # one width
    assert main(["audit", "--csv", str(tmp_path / "audit.csv"), "--workspace", root]) == 0
    assert (tmp_path / "audit.csv").read_text().count("user-add") == 1
    assert "wrote 2 audit entries to" in capsys.readouterr().out
    assert main(["audit", "--csv", str(tmp_path / "ada.csv"), "--actor", "Ada <b>", "--workspace", root]) == 0
    assert "wrote 1 audit entry to" in capsys.readouterr().out  # of 2: --actor was ignored, the whole trail went out
    assert main(["audit", "--actor", "Ada", "--workspace", root]) == 1  # a mistyped name printed nothing, as if idle
    assert "--actor Ada: the audit trail has no entry of theirs; those who acted: " in capsys.readouterr().err
    before = sorted(tmp_path.iterdir())
    assert main(["audit", "--csv", str(tmp_path), "--workspace", root]) == 1  # a folder given: it used to be a traceback
    assert capsys.readouterr().err == f"error: cannot write {tmp_path}: Is a directory\n"
    assert sorted(tmp_path.iterdir()) == before  # no part file left behind
    # a disabled account had no way back: its name is taken for good
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "bo", "--password-stdin", "--workspace", root]) == 0
    capsys.readouterr()
    for action, said in (("disable", "bo can no longer sign in\n"), ("enable", "bo can sign in again\n")):
        assert main(["user", action, "bo", "--workspace", root]) == 0 and capsys.readouterr().out == said
        assert main(["user", action, "bo", "--workspace", root]) == 1  # twice: nothing to do, said so
        assert "nothing was changed" in capsys.readouterr().err
    assert acc.sign_in(ws, "bo", PASSWORD, now=0).name == "bo"  # back with the password it had
    # A new password typed at a terminal, unseen, twice: a slip in either is refused, not saved.
    new = "a new pass phrase 2"
    typed = iter([new, new + "x", new, new])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(typed))
    assert main(["user", "password", "bo", "--workspace", root]) == 1
    assert capsys.readouterr().err == "error: the two passwords differ; nothing was changed\n"
    assert acc.sign_in(ws, "bo", PASSWORD, now=0).name == "bo"
    assert main(["user", "password", "bo", "--workspace", root]) == 0
    assert capsys.readouterr().out.startswith("password of bo changed")
    assert acc.sign_in(ws, "bo", new, now=0).name == "bo"


def test_an_identity_provider_signs_in_the_account_its_email_names(ws, capsys):
    """With OpenID Connect configured, st.login vouches for an email; the account is found by it
    (never by the display name, which its owner can set), and it has no password to guess."""
    root = str(ws.root)
    assert main(["user", "add", "ada", "--role", "admin", "--email", " Ada@Example.org", "--workspace", root]) == 0
    assert acc.identity_user(ws, "ada@example.ORG", verified=True) == acc.User("ada", "admin")
    with pytest.raises(SignInError):  # an account made for the provider has no password at all
        acc.sign_in(ws, "ada", "!", now=0)
    acc.add_user(ws, "ben", "analyst", PASSWORD, actor="ada")
    with pytest.raises(SignInError, match="ben@example.org has no Seep account here.*user email NAME"):
        acc.identity_user(ws, "ben@example.org")
    assert main(["user", "email", "ben", "--email", "ben@example.org", "--workspace", root]) == 0
    assert acc.identity_user(ws, "ben@example.org") == acc.User("ben", "analyst")
    assert acc.sign_in(ws, "ben", PASSWORD, now=0).name == "ben"  # his password still works where no provider is set up
    capsys.readouterr()
    for bad, why in (
        (["user", "email", "ben", "--email", "ADA@example.org"], "another account already signs in as ada@example.org"),
        (["user", "email", "ben", "--email", "not an address"], "is not an email address"),
        (["user", "email", "ben"], "needs --email"),
        (["user", "add", "cy", "--email", "ada@example.org"], "another account already"),
    ):
        assert main([*bad, "--workspace", root]) == 1
        assert why in capsys.readouterr().err
    with pytest.raises(BadInputError, match="a password, or an email"):
        acc.add_user(ws, "cy", "analyst", None, actor="ada")
    assert [u["name"] for u in acc.list_users(ws)] == ["ada", "ben"]  # nothing half-made
    with pytest.raises(SignInError, match="has not verified"):
        acc.identity_user(ws, "ben@example.org", verified=False)
    with pytest.raises(SignInError, match="did not say which email"):
        acc.identity_user(ws, None)
    acc.deactivate(ws, "ben", actor="ada")
    with pytest.raises(SignInError, match="no Seep account"):
        acc.identity_user(ws, "ben@example.org")
    actions = [(r["actor"], r["action"], r["detail"]) for r in acc.audit_rows(ws)]
    assert ("ben", "sign-in", "identity provider") in actions
    assert any(a[1:] == ("user-email", "ben@example.org") for a in actions)
