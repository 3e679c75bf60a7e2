"""Team: accounts and roles (admins), each person's part lately, and the audit trail of who did what and when."""

import io

import streamlit as st

from seep.data.classes import MAX_DESCRIPTION, MAX_NAME
from seep.errors import BadInputError, SeepError
from seep.ui import session
from seep.ui.tables import show_table, when
from seep.ui.text import plain
from seep.ui.uploads import forget_layers, layer_choice, offer_layers, uploaded
from seep.workspace import accounts as acc
from seep.workspace import lookalikes
from seep.workspace.activity import PERIODS, team_activity
from seep.workspace.class_names import name_classes
from seep.workspace.gis_import import LayerChoice
from seep.workspace.installations import NEAR_KM, clear_installations, load_installations, loaded
from seep.workspace.places import POSITION_FORMATS, position_format, set_position_format
from seep.workspace.records import counted
from seep.workspace.recurrence import REACH_KM, reach_m, set_reach

ws = session.workspace()
st.title("Team")
me = session.author()


def account_form(key: str, roles: tuple[str, ...]) -> dict | None:
    """A new account's name and role, and its email where the deployment signs people in
    through an identity provider, else its password (typed twice); once submitted and valid."""
    by_identity = bool(session.identity_providers())
    with st.form(key, clear_on_submit=True, border=False):
        with st.container(horizontal=True):
            name = st.text_input("Name")
            role = st.selectbox("Role", roles, index=len(roles) - 1 if len(roles) == 1 else 0)
        with st.container(horizontal=True):
            if by_identity:
                email = st.text_input("Email", help="The address your identity provider signs this person in with")
            else:
                password = st.text_input("Password", type="password", help=f"At least {acc.MIN_PASSWORD} characters")
                again = st.text_input("Password again", type="password")
        if not st.form_submit_button("Create account", type="primary", icon=":material/person_add:"):
            return None
    if by_identity:
        return {"name": name, "role": role, "password": None, "email": email}
    if password != again:
        session.show_error(BadInputError("the two passwords differ; nothing was created"))
        return None
    return {"name": name, "role": role, "password": password}


def password_reset(names: list[str]) -> None:
    """An admin sets someone's password (forgotten, or handed over in person); they can change
    it themselves from the sidebar once signed in."""
    with st.form("team_password", clear_on_submit=True, border=False):
        who = st.selectbox("Whose password", names, key="team_password_who")
        with st.container(horizontal=True):
            new = st.text_input("New password", type="password", help=f"At least {acc.MIN_PASSWORD} characters")
            again = st.text_input("New password again", type="password")
        if not st.form_submit_button("Set password", icon=":material/key:"):
            return
    try:
        session.require(ws, "users")
        if new != again:
            raise BadInputError("the two passwords differ; nothing was changed")
        acc.set_password(ws, who, new, actor=me)
        session.keep_signed_in(ws, who)
        st.success(
            f"{plain(who)}'s password is set, and any session signed in with the old one has ended; "
            "once signed in they can change it (sidebar).",
            icon=":material/check:",
        )
    except SeepError as e:
        session.show_error(e)


def save_setting(action: str, save, said: str) -> None:
    """A team setting saved by someone whose role may (`action`, as accounts.NEEDS names it), and
    a toast saying so; a refusal or a bad value is shown, and nothing is saved."""
    try:
        session.require(ws, action)
        save()
        st.toast(said)
    except SeepError as e:
        session.show_error(e)


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
            save_setting("reasons", lambda: lookalikes.set_reasons(ws, text.splitlines(), actor=me), "Look-alike reasons saved")


def reach_editor() -> None:
    """How near another pass's slick must lie to be the same seep: also seen in, seen before, the sites."""
    st.subheader("Same seep within", anchor=False)
    with st.form("team_reach", border=False), st.container(horizontal=True, vertical_alignment="bottom"):
        km = st.number_input(
            "km",
            min_value=REACH_KM[0],
            max_value=REACH_KM[1],
            value=reach_m(ws) / 1000,
            step=0.5,
            key="team_reach_km",
            width=220,
            help="A slick of another pass this near one of a scene's is its seep seen again (also seen in, seen before, "
            "the seep sites). A seep's slicks drift with wind and current but start within a few km of its vent: "
            "more where currents are strong, less where seeps lie close together",
        )
        if st.form_submit_button("Save"):
            save_setting("set the same-seep reach", lambda: set_reach(ws, km, me), f"Same seep within {km:g} km")


def positions_editor() -> None:
    """How places are written in the seeps list, the reports and Review: as the team's reports go out."""
    st.subheader("Places written as", anchor=False)
    with st.form("team_positions", border=False), st.container(horizontal=True, vertical_alignment="bottom"):
        keys = list(POSITION_FORMATS)
        how = st.selectbox(
            "Places",
            keys,
            index=keys.index(position_format(ws)),
            format_func=POSITION_FORMATS.get,
            key="team_positions_how",
            width=520,
            help="In the seeps list, the scene map, the scene reports and Review's caption. Find a place reads each "
            "of them back. Beyond 84° N and 80° S, MGRS goes on on its polar grid (UPS): ZAB 96454 52981",
        )
        if st.form_submit_button("Save places"):
            said = f"Places are written in {POSITION_FORMATS[how].split(':')[0]}"
            save_setting("set how places are written", lambda: set_position_format(ws, how, me), said)


def installations_editor() -> None:
    """The team's platforms, wells and pipelines: each slick's nearest is named beside it."""
    st.subheader("Installations", anchor=False)
    now = loaded(ws)
    said = f"{plain(now.described())} from {plain(now.file)}, loaded by {plain(now.by)} {when(now.at)}" if now else "None loaded"
    st.caption(
        f"{said}. Each slick's nearest installation within {NEAR_KM} km is named in the seeps list, the scene reports "
        "and Review: a slick that starts at a platform or along a pipeline is more often a discharge or a leak than a "
        "natural seep. A new file replaces the installations loaded before."
    )
    with st.form("team_installations", border=False):
        uploads = st.file_uploader(
            "Platforms, wells and pipelines: GeoPackage, GeoJSON, KML/KMZ, a shapefile (its .shp, .shx, .dbf and .prj "
            "together, or their zip) or an Esri File Geodatabase zipped, any coordinate system",
            # Any file: the uploader's own list of a dozen suffixes did not fit a laptop's width, and the reader
            # says plainly what it cannot read.
            accept_multiple_files=True,
            key=f"team_installations_file_{st.session_state.get('team_installations_loads', 0)}",
        )
        with st.container(horizontal=True):
            field = st.text_input(
                "Name field", key="team_installations_field", placeholder="the file's own: name, Name, PIPE_NAME…", width=360
            )
            layer = layer_choice("team_installations")
        if st.form_submit_button("Load installations", icon=":material/upload:"):
            load_uploaded(uploads, field.strip() or None, layer)
    if now and st.button("Remove installations", icon=":material/delete:", key="team_installations_clear"):
        try:
            session.require(ws, "load installations")
            session.rerun_saying(f"{counted(clear_installations(ws, me), 'installation')} removed")
        except SeepError as e:
            session.show_error(e)


def load_uploaded(uploads: list, field: str | None, layer: str | None) -> None:
    """Load the dropped file; a file of several layers offers them (the next run), a refusal is shown."""
    try:
        session.require(ws, "load installations")
        with uploaded(uploads, "a GeoPackage, GeoJSON, KML or shapefile of installations") as path:
            done = load_installations(ws, path, me, name_field=field, layer=layer)
    except LayerChoice as e:
        offer_layers("team_installations", e.layers, "Load installations")
        st.rerun()
    except SeepError as e:
        session.show_error(e)
        return
    forget_layers("team_installations")
    st.session_state["team_installations_loads"] = st.session_state.get("team_installations_loads", 0) + 1
    session.rerun_saying(f"{counted(done.count, 'installation')} loaded from {plain(done.file)}")


def classes_editor() -> None:
    """Names and one-line descriptions of the seep classes: on the brush buttons and legends."""
    st.subheader("Classes", anchor=False)
    st.caption(
        "Ids and colours stay as they are (every saved mask and model uses them); names and descriptions "
        "are what analysts see on the brush buttons, in the legend and in exports."
    )
    with st.form("team_classes", border=False):
        names = {}
        for c in ws.classes.classes[1:]:
            with st.container(horizontal=True, vertical_alignment="bottom"):
                st.markdown(f':color[■]{{foreground="{c.colour}"}} **{c.id}**', width=40)
                name = st.text_input(f"Class {c.id}", c.name, max_chars=MAX_NAME, key=f"team_class_name_{c.id}")
                about = st.text_input(
                    f"What class {c.id} is", c.description, max_chars=MAX_DESCRIPTION, key=f"team_class_about_{c.id}", width=480
                )
                names[c.id] = (name, about)
        if st.form_submit_button("Save class names"):
            save_setting("classes", lambda: name_classes(ws, names, actor=me), "Class names saved")


def team_activity_table() -> None:
    """Per person, what they did over a period; a row clicked opens the tiles whose newest label is theirs."""
    st.subheader("Who did what", anchor=False)
    days = st.segmented_control(
        "Over the last",
        PERIODS,
        default=7,
        key="team_activity_days",
        format_func={1: "24 hours", 7: "7 days", 30: "30 days", 365: "year"}.get,
    )
    rows = team_activity(ws, days or 7)  # a click on the chosen period again unselects it
    if not rows:
        st.caption("Nobody labelled or reviewed a tile in that time.")
        return
    event = show_table(
        [
            {
                "person": a.person,
                "tiles corrected": a.corrected,
                "predictions taken as they were": a.took_predictions,
                "others' labels accepted": a.accepted,
                "returned": a.returned,
                "last active": when(a.last),
            }
            for a in rows
        ],
        key="team_activity",
        on_select="rerun",
        selection_mode="single-row",
    )
    st.caption(
        "Tiles, each counted once: corrected (painted, restored or merged, saved under their name), predictions "
        "taken as they were (accepted unchanged), and, as a reviewer, others' labels (a colleague's, or a model's "
        "from Predict all) accepted or returned. Click a row to open in Browse the tiles whose newest label is theirs."
    )
    picked = event.selection.rows if event else []
    if picked and rows[picked[0]].tiles:
        st.switch_page("pages/browse.py", query_params={"saved_by": rows[picked[0]].person, "view": "Table"})
    elif picked:
        st.caption(f"{plain(rows[picked[0]].person)} saved no label in that time: nothing of theirs to open.")


def team_settings() -> None:
    """What the team shares, with accounts on or off: class names, look-alike reasons, recurrence reach, how
    places are written, installations, who did what."""
    classes_editor()
    reasons_editor()
    reach_editor()
    positions_editor()
    installations_editor()
    team_activity_table()


if not acc.accounts_enabled(ws):
    st.info(
        "Accounts are off: everyone using this app may do everything, and the name typed in the sidebar is recorded. "
        "Create the first admin account to turn on sign-in; then analysts save (and take a free scene), reviewers also "
        "accept and hand scenes out, and admins "
        "also train, promote, import (rename, remove) scenes and manage accounts.",
        icon=":material/lock_open:",
    )
    got = account_form("first_admin", ("admin",))
    if got:
        try:
            admin = acc.add_user(ws, **got, actor=me)
            if not session.identity_providers():
                # The one who turned sign-in on (else: through the provider).
                session.sign_in_as(admin)
            st.rerun()
        except SeepError as e:
            session.show_error(e)
    team_settings()  # names typed in the sidebar are on the work all the same
    st.stop()

try:
    session.require(ws, "users")  # the page is not in an analyst's menu; a typed URL still ends here
except SeepError as e:
    session.show_error(e)
    st.stop()

st.subheader("Accounts", anchor=False)
users = acc.list_users(ws)
show_table(
    [{**u, "created_at": when(u["created_at"]), "last_sign_in": when(u["last_sign_in"])} for u in users],
    column_config={"created_at": "created", "last_sign_in": "last signed in"},
)
with st.expander("Add an account", icon=":material/person_add:"):
    got = account_form("add_user", acc.ROLES)
    if got:
        try:
            session.require(ws, "users")
            acc.add_user(ws, **got, actor=me)
            session.rerun_saying(f"Account {plain(got['name'])} created")
        except SeepError as e:
            session.show_error(e)
with st.container(horizontal=True, vertical_alignment="bottom"):
    who = st.selectbox("Account", [u["name"] for u in users if u["active"]], key="team_who")
    role = st.selectbox("Role", acc.ROLES, key="team_role")
    change = st.button("Change role", key="team_set_role")
    disable = st.button("Disable", key="team_disable", help="The account can no longer sign in; its name stays on its work")
    end = st.button(
        "Sign out everywhere",
        key="team_end_sessions",
        help="Every browser signed in as this account must sign in again (a lost laptop); nothing else changes",
    )
if not session.identity_providers():  # there, the provider keeps the passwords
    with st.expander("Set a password", icon=":material/key:"):
        password_reset([u["name"] for u in users if u["active"]])
enable = False
if disabled := [u["name"] for u in users if not u["active"]]:
    with st.container(horizontal=True, vertical_alignment="bottom"):
        back = st.selectbox("Disabled account", disabled, key="team_disabled_who")
        enable = st.button("Enable", key="team_enable", help="It signs in again, with its password and role")
link = False
if session.identity_providers():  # accounts sign in through the provider: by their email
    with st.container(horizontal=True, vertical_alignment="bottom"):
        email = st.text_input("Email", key="team_email", help="The address the identity provider signs this person in with")
        link = st.button("Link email", key="team_link_email")
if end:  # nothing on this page changes: no rerun, which could drop the toast
    try:
        session.require(ws, "users")
        acc.end_sessions(ws, who, actor=me)
        session.keep_signed_in(ws, who)
        st.toast(f"{plain(who)} must sign in again in every browser" if who != me else "Your other sessions have ended")
    except SeepError as e:
        session.show_error(e)
if change or disable or link or enable:
    try:
        session.require(ws, "users")
        if change:
            acc.set_role(ws, who, role, actor=me)
        elif link:
            acc.set_email(ws, who, email, actor=me)
        elif enable:
            acc.reactivate(ws, back, actor=me)
        else:
            acc.deactivate(ws, who, actor=me)
        st.rerun()
    except SeepError as e:
        session.show_error(e)

team_settings()


st.subheader("Audit trail", anchor=False)
actor = st.selectbox(
    "By", [None, *sorted({u["name"] for u in users})], key="team_audit_actor", format_func=lambda a: a or "anyone"
)
show_table(
    [
        {
            "at": when(r["at"]),
            "actor": r["actor"],
            "action": r["action"],
            "target": r["tile"] or r["target"],
            "detail": r["detail"],
        }
        for r in acc.audit_rows(ws, limit=500, actor=actor)
    ]
)


def audit_csv() -> bytes:
    buf = io.StringIO()
    acc.write_audit_csv(ws, buf)
    return buf.getvalue().encode()


st.download_button("Audit trail as CSV", data=audit_csv, file_name="seep-audit.csv", mime="text/csv", on_click="ignore")
