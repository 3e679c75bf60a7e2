"""Seep: the frame around every page (navigation, shared sidebar). Start: streamlit run app.py"""

import streamlit as st

from seep.ui import session
from seep.ui.models import active_model
from seep.ui.remember import remember_link, remember_name, remembered_name
from seep.ui.signin import follow_link, sign_in_page, signed_in_sidebar
from seep.ui.startup import freeze_imports
from seep.ui.text import plain
from seep.workspace.accounts import accounts_enabled

freeze_imports()  # after the imports above, which bring in torch

# An emoji icon is drawn in the browser; a material icon as favicon is fetched from Google's
# font server, which a site without internet access cannot reach.
st.set_page_config(page_title="Seep", page_icon="💧", layout="wide")

# Browse is served at "/"; the default page still reserves a path of its own, named here so
# that "/browse" is free for the hidden page below.
browse = st.Page("pages/browse.py", title="Browse", icon=":material/grid_view:", default=True, url_path="home")
scene = st.Page("pages/scene.py", title="Scene", icon=":material/public:")
review = st.Page("pages/review.py", title="Review", icon=":material/brush:")
train = st.Page("pages/train.py", title="Train", icon=":material/model_training:")
models = st.Page("pages/models.py", title="Models", icon=":material/analytics:")
ws = session.open_workspace()
team = st.Page("pages/team.py", title="Team", icon=":material/group:")
# "/browse", the address the other pages' suggest (a bookmark, a path typed in), was
# Streamlit's "Page not found": a hidden page there passes on to Browse, its link kept.
browse_path = st.Page(
    lambda: st.switch_page(browse, query_params=session.query_params()),
    title="Browse",
    url_path="browse",
    visibility="hidden",
)
pages = [browse, scene, review, train, models, browse_path]
accounts_on = accounts_enabled(ws)
account = session.user(ws) if accounts_on else None
if accounts_on and account is None:  # every page is behind the sign-in form
    # At each page's own address, so that a link (a page, an image, a filtered grid) survives
    # signing in: a page is known by its address, and the rerun after it runs the real one.
    st.navigation(
        [
            st.Page(
                lambda path="" if p is browse else p.url_path: sign_in_page(ws, path),
                title="Sign in",
                url_path=p.url_path,
                default=p is browse,
            )
            for p in pages + [team]
        ],
        position="hidden",
    ).run()
    st.stop()
allowed = pages + [team] if not accounts_on or account.can("users") else pages
page = st.navigation(allowed)
if account:
    follow_link(page, browse, allowed)

# Deep link: /?image=ID opens that image on Review (with the place it marks and the model it
# compares with). Not the one a Browse card just opened: Streamlit's switch to Review leaves
# "/?image=ID" in the history, and Back lands there.
back_from_review = st.query_params.get("image") == st.session_state.get("browse_opened")
if page.url_path == browse.url_path and "image" in st.query_params and not back_from_review:
    st.session_state["review_image"] = st.query_params["image"]
    st.switch_page(review, query_params={k: st.query_params[k] for k in ("image", "at", "model") if k in st.query_params})
if page.url_path == review.url_path and "image" in st.query_params and "review_image" not in st.session_state:
    st.session_state["review_image"] = st.query_params["image"]

if not accounts_on and "author" not in st.session_state:
    st.session_state["author"] = remembered_name()  # from the cookie this browser sent: known on the first run
if not accounts_on and not session.author():
    # A first visit in this browser: ask who is reviewing before anything is saved.
    with st.form("ask_name", width=520):
        st.markdown("**Who is reviewing?** Your name goes on every label you save; this browser remembers it.")
        asked = st.text_input("Your name", key="ask_name_input")
        if st.form_submit_button("Start", type="primary", icon=":material/login:"):
            if asked.strip():
                session.name_the_author(asked)
                st.session_state["author_input"] = asked.strip()  # the sidebar's box, not drawn yet this run
                st.rerun()
            st.error("Type your name first.", icon=":material/badge:")

with st.sidebar:
    # First on every page, and drawn even with nothing to store: it brings Streamlit's
    # components-v2 code into the browser with the first message, not after the page
    # (Browse's grid and Review's editor are components too).
    remember_name(st.session_state.get("author_typed"))
    if st.session_state.pop("forget_link", False):
        remember_link("")
    # Plain markdown, not st.code: the code block's syntax highlighter alone cost about
    # 180 ms of the browser's time on every page load.
    # On a team's server, which database the records are in (its password never shown): the
    # first thing to check after `seep copy-to-postgres`, or when two app servers disagree.
    server = f"  \nRecords: {plain(ws.store.where)}" if ws.store.dialect == "postgres" else ""
    st.caption(f"Workspace  \n{plain(ws.root.resolve())}{server}")
    if accounts_on:
        signed_in_sidebar(ws)
    else:
        # Single-user mode: the browser remembers the name; one typed here wins and is stored for next time.
        st.session_state.setdefault("author_input", session.author())

        def typed() -> None:
            session.name_the_author(st.session_state["author_input"])

        st.text_input(
            "Analyst",
            key="author_input",
            on_change=typed,
            help="Recorded on every label you save; this browser remembers it",
        )
    model = active_model(ws)
    st.caption(f"Model: **{plain(model.id)}**" if model else "Model: none yet (train one, or use the shipped model)")
    counts = ws.status_counts()
    st.caption(f"{sum(counts.values())} images · {counts['corrected'] + counts['accepted']} reviewed")
    damage = session.damage_report(str(ws.root))
    if damage:
        st.warning(
            f"{len(damage)} leftovers of interrupted saves or missing files in this workspace; "
            "`python -m seep check` lists them, `--repair` removes the leftovers.",
            icon=":material/healing:",
        )

page.run()
