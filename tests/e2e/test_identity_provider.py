"""Sign-in through the deployment's OpenID Connect provider, in a real browser: secrets.toml
names a provider, the app offers it instead of the password form, Streamlit's st.login runs
the code flow (PKCE, nonce, RS256 id token) against a local provider, and the account is the
one whose email the provider vouches for; an identity with no account is refused with a way
back, and signing out goes through the provider's end-session endpoint."""

import pytest
from browser import demo_server, eventually, open_expander, shot, wait_for_app
from oidc_provider import Provider

from seep.workspace import Workspace
from seep.workspace import accounts as acc

expect = pytest.importorskip("playwright.sync_api", reason="pip install playwright (.ci/run does)").expect
pytest.importorskip("authlib", reason="pip install -r requirements.txt (st.login needs Authlib)")


def accounts(ws):
    acc.add_user(ws, "ada", "admin", None, actor="setup", email="ada@example.org")
    acc.add_user(ws, "Ben <i>B</i>", "analyst", None, actor="ada", email="ben@example.org")


@pytest.fixture(scope="module")
def provider():
    p = Provider(redirect_uri="")  # the app's address is known once its port is
    yield p
    p.close()


@pytest.fixture(scope="module")
def oidc_server(tmp_path_factory, provider):
    secrets_file = tmp_path_factory.mktemp("secrets") / "secrets.toml"

    def flags(port):
        provider.redirect_uri = f"http://127.0.0.1:{port}/oauth2callback"
        secrets_file.write_text(provider.secrets_toml("company"))
        return ["--secrets.files", str(secrets_file)]

    yield from demo_server(
        tmp_path_factory, "e2e-oidc", "--no-geo-scene", "--scenes", "1", "--tiles-per-scene", "2", prepare=accounts, flags=flags
    )


def sign_in_as(page, provider, claims):
    provider.person = claims
    page.get_by_role("button", name="Sign in with Company").click()
    wait_for_app(page)


def test_the_identity_provider_signs_people_in_as_the_account_of_their_email(oidc_server, provider, page):
    url, ws_path = oidc_server
    page.goto(url)
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Sign in to Seep")).to_be_visible()
    expect(page.get_by_role("textbox", name="Password")).to_have_count(0)  # the provider, not passwords

    # The display name says admin; only the verified email counts.
    sign_in_as(page, provider, {"sub": "1", "email": "Ada@Example.org", "email_verified": True, "name": "Ben"})
    expect(page.get_by_text("Signed in as ada · admin")).to_be_visible()
    expect(page.get_by_role("link", name="Team")).to_be_visible()
    page.get_by_role("link", name="Team").click()
    wait_for_app(page)
    open_expander(page, "Add an account")
    form = page.get_by_test_id("stForm")
    expect(form.get_by_role("textbox", name="Password")).to_have_count(0)  # accounts are linked by email here
    form.get_by_role("textbox", name="Name", exact=True).fill("Cy")
    form.get_by_role("textbox", name="Email").fill("cy@example.org")
    form.get_by_role("button", name="Create account").click()
    ws = Workspace(ws_path, create=False)
    assert eventually(lambda: acc.get_user(ws, "Cy") == acc.User("Cy", "analyst"))
    expect(page.get_by_text("Account Cy created")).to_be_visible()
    wait_for_app(page)
    shot(page, "40-signed-in-through-the-provider")

    page.get_by_role("button", name="Sign out", exact=True).click()
    assert eventually(lambda: provider.logouts == 1)  # Streamlit's sign-out went through the provider's end-session endpoint
    page.wait_for_url(f"{url}/**")
    wait_for_app(page)
    expect(page.get_by_role("button", name="Sign in with Company")).to_be_visible()

    sign_in_as(page, provider, {"sub": "2", "email": "eve@example.org", "email_verified": True, "name": "ada"})
    expect(page.get_by_text("has no Seep account here")).to_contain_text("example.org")
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    shot(page, "41-identity-without-an-account")
    page.get_by_role("button", name="Sign in as someone else").click()
    assert eventually(lambda: provider.logouts == 2)
    wait_for_app(page)
    expect(page.get_by_role("button", name="Sign in with Company")).to_be_visible()

    sign_in_as(page, provider, {"sub": "4", "email": "cy@example.org", "email_verified": True})
    expect(page.get_by_text("Signed in as Cy · analyst")).to_be_visible()  # the account ada just made
    wait_for_app(page)
    page.get_by_role("button", name="Sign out", exact=True).click()
    if not eventually(lambda: provider.logouts == 3):
        shot(page, "dbg-logout")
        raise AssertionError((ws_path.parent / "streamlit.log").read_text()[-3000:] + page.url)
    wait_for_app(page)
    sign_in_as(page, provider, {"sub": "3", "email": "ben@example.org", "email_verified": True})
    expect(page.get_by_text("Signed in as Ben <i>B</i> · analyst")).to_be_visible()  # his name as text
    expect(page.get_by_role("link", name="Team")).to_have_count(0)
    page.goto(f"{url}/team")  # a typed URL still ends at the role check
    wait_for_app(page)
    expect(page.get_by_role("textbox", name="Email")).to_have_count(0)

    assert provider.refused == [] and provider.tokens_issued == 4
    signed = [(r["actor"], r["detail"]) for r in acc.audit_rows(ws) if r["action"] == "sign-in"]
    assert ("ada", "identity provider") in signed and ("Ben <i>B</i>", "identity provider") in signed


def test_a_link_opened_before_signing_in_opens_after_the_provider_signs_in(oidc_server, provider, page):
    """Streamlit's callback sends the browser back to "/" in a new session: the link it was
    signed in from (a page, an image on Review) opens there, once; a later visit to "/" stays
    on Browse, and a link to a page the role may not open is not followed."""
    url, ws_path = oidc_server
    ws = Workspace(ws_path, create=False)
    image = ws.image_ids()[1]
    page.goto(f"{url}/review?image={image}")
    wait_for_app(page)
    sign_in_as(page, provider, {"sub": "1", "email": "ada@example.org", "email_verified": True})
    expect(page.get_by_text("Signed in as ada · admin")).to_be_visible()
    page.wait_for_url(f"{url}/review?image={image}")
    expect(page.get_by_role("heading", name=ws.image(image).name)).to_be_visible()  # that tile, on Review

    page.goto(url)  # a new session, signed in already: Browse, not the old link again
    wait_for_app(page)
    expect(page.get_by_text("Signed in as ada · admin")).to_be_visible()
    assert page.url.rstrip("/") == url
    page.get_by_role("button", name="Sign out", exact=True).click()
    assert eventually(lambda: provider.logouts == 4)
    wait_for_app(page)

    page.goto(f"{url}/team")
    wait_for_app(page)
    sign_in_as(page, provider, {"sub": "3", "email": "ben@example.org", "email_verified": True})
    expect(page.get_by_text("Signed in as Ben <i>B</i> · analyst")).to_be_visible()
    assert page.url.rstrip("/") == url  # an analyst's link to Team ends on Browse
    expect(page.get_by_role("textbox", name="Email")).to_have_count(0)
