"""Team: accounts and roles (admins), and the audit trail of who did what and when."""

import io

import streamlit as st

from seep.errors import BadInputError, SeepError
from seep.ui import session
from seep.workspace import accounts as acc
from seep.workspace import lookalikes

ws = session.workspace()
st.title("Team")
me = session.author()


def account_form(key: str, roles: tuple[str, ...]) -> tuple[str, str, str] | None:
    """Name, role and password (typed twice) of a new account, once submitted and matching."""
    with st.form(key, clear_on_submit=True, border=False):
        with st.container(horizontal=True):
            name = st.text_input("Name")
            role = st.selectbox("Role", roles, index=len(roles) - 1 if len(roles) == 1 else 0)
        with st.container(horizontal=True):
            password = st.text_input("Password", type="password", help=f"At least {acc.MIN_PASSWORD} characters")
            again = st.text_input("Password again", type="password")
        if not st.form_submit_button("Create account", type="primary", icon=":material/person_add:"):
            return None
    if password != again:
        session.show_error(BadInputError("the two passwords differ; nothing was created"))
        return None
    return name, role, password


def reasons_editor() -> None:
    """The short list analysts pick from when they remove a predicted seep."""
    st.subheader("Look-alike reasons", anchor=False)
    with st.form("team_reasons", border=False):
        text = st.text_area(
            "Reasons an analyst can give for removing a predicted seep, one per line",
            "\n".join(lookalikes.reasons(ws)),
            key="team_reasons_text",
        )
        if st.form_submit_button("Save reasons"):
            try:
                session.require(ws, "reasons")
                lookalikes.set_reasons(ws, text.splitlines(), actor=me)
                st.toast("Look-alike reasons saved")
            except SeepError as e:
                session.show_error(e)


if not acc.accounts_enabled(ws):
    st.info(
        "Accounts are off: everyone using this app may do everything, and the name typed in the sidebar is recorded. "
        "Create the first admin account to turn on sign-in; then analysts save, reviewers also accept, and admins "
        "also train, promote, import and manage accounts.",
        icon=":material/lock_open:",
    )
    got = account_form("first_admin", ("admin",))
    if got:
        try:
            admin = acc.add_user(ws, got[0], "admin", got[2], actor=me)
            session.sign_in_as(admin.name)  # the one who turned sign-in on
            st.rerun()
        except SeepError as e:
            session.show_error(e)
    reasons_editor()
    st.stop()

try:
    session.require(ws, "users")  # the page is not in an analyst's menu; a typed URL still ends here
except SeepError as e:
    session.show_error(e)
    st.stop()

st.subheader("Accounts", anchor=False)
users = acc.list_users(ws)
st.dataframe(users, hide_index=True, column_config={"created_at": "created"})
with st.expander("Add an account", icon=":material/person_add:"):
    got = account_form("add_user", acc.ROLES)
    if got:
        try:
            session.require(ws, "users")
            acc.add_user(ws, *got, actor=me)
            st.toast(f"Account {got[0]} created")
            st.rerun()
        except SeepError as e:
            session.show_error(e)
with st.container(horizontal=True, vertical_alignment="bottom"):
    who = st.selectbox("Account", [u["name"] for u in users if u["active"]], key="team_who")
    role = st.selectbox("Role", acc.ROLES, key="team_role")
    change = st.button("Change role", key="team_set_role")
    disable = st.button("Disable", key="team_disable", help="The account can no longer sign in; its name stays on its work")
if change or disable:
    try:
        session.require(ws, "users")
        if change:
            acc.set_role(ws, who, role, actor=me)
        else:
            acc.deactivate(ws, who, actor=me)
        st.rerun()
    except SeepError as e:
        session.show_error(e)

reasons_editor()

st.subheader("Audit trail", anchor=False)
actor = st.selectbox(
    "By", [None, *sorted({u["name"] for u in users})], key="team_audit_actor", format_func=lambda a: a or "anyone"
)
st.dataframe(acc.audit_rows(ws, limit=500, actor=actor), hide_index=True)


def audit_csv() -> bytes:
    buf = io.StringIO()
    acc.write_audit_csv(ws, buf)
    return buf.getvalue().encode()


st.download_button("Audit trail as CSV", data=audit_csv, file_name="seep-audit.csv", mime="text/csv", on_click="ignore")
