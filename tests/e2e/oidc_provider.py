"""A local OpenID Connect provider for the browser tests, since no real one is reachable from
here: discovery, an authorize endpoint that signs in whoever the test names (no form),
a token endpoint that checks the client secret, the one-use code, the redirect URI and the
PKCE verifier and answers an RS256-signed id token carrying the request's nonce, its key
set, and an end-session endpoint. That is all Streamlit's st.login (Authlib) asks of Google
or Entra ID, so the app's sign-in runs its real code path end to end."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "seep-test"
CLIENT_SECRET = secrets.token_urlsafe(24)


class Provider:
    """`person`: the claims of whoever signs in next (the test sets it before clicking)."""

    def __init__(self, redirect_uri: str):
        self.redirect_uri = redirect_uri
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key", "alg": "RS256", "use": "sig"})
        self.person: dict = {}
        self.codes: dict[str, dict] = {}
        self.tokens_issued = 0
        self.logouts = 0
        self.refused: list[str] = []  # requests the provider turned down (a test expects none)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def metadata(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "end_session_endpoint": f"{self.url}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        }

    def secrets_toml(self, provider: str) -> str:
        return (
            f'[auth]\nredirect_uri = "{self.redirect_uri}"\ncookie_secret = "{secrets.token_hex(32)}"\n\n'
            f'[auth.{provider}]\nclient_id = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\n'
            f'server_metadata_url = "{self.url}/.well-known/openid-configuration"\n'
        )

    def authorize(self, q: dict) -> str:
        """Where the browser goes next: back to the app with a code for whoever `person` is."""
        assert q["client_id"] == CLIENT_ID and q["redirect_uri"] == self.redirect_uri and q["response_type"] == "code"
        assert "openid" in q["scope"].split() and q.get("code_challenge_method") == "S256"
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"nonce": q["nonce"], "challenge": q["code_challenge"], "person": dict(self.person)}
        return f"{self.redirect_uri}?{urlencode({'code': code, 'state': q['state']})}"

    def token(self, form: dict, authorization: str) -> dict:
        assert authorization == "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        grant = self.codes.pop(form["code"])  # a code is good once
        assert form["grant_type"] == "authorization_code" and form["redirect_uri"] == self.redirect_uri
        verifier = hashlib.sha256(form["code_verifier"].encode()).digest()
        assert base64.urlsafe_b64encode(verifier).rstrip(b"=").decode() == grant["challenge"]
        now = int(time.time())
        claims = {"iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 600, "nonce": grant["nonce"]}
        id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, {**claims, **grant["person"]}, self.key)
        self.tokens_issued += 1
        return {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 600, "id_token": id_token}

    def close(self) -> None:
        self.server.shutdown()


def _handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            url = urlsplit(self.path)
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(provider.metadata())
            elif url.path == "/jwks":
                self._json({"keys": [provider.key.as_dict(private=False)]})
            elif url.path == "/authorize":
                try:
                    self._redirect(provider.authorize(q))
                except (AssertionError, KeyError):
                    provider.refused.append(self.path)
                    self.send_error(400)
            elif url.path == "/logout":
                provider.logouts += 1
                self._redirect(q["post_logout_redirect_uri"])
            else:
                self.send_error(404)

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            form = {k: v[0] for k, v in parse_qs(body).items()}
            try:
                self._json(provider.token(form, self.headers.get("Authorization", "")))
            except (AssertionError, KeyError):
                provider.refused.append(f"token {sorted(form)}")
                self._json({"error": "invalid_grant"}, status=400)

        def _json(self, data: dict, status: int = 200):
            raw = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def _redirect(self, to: str):
            self.send_response(302)
            self.send_header("Location", to)
            self.end_headers()

        def log_message(self, *args):  # quiet: pytest shows failures, not every request
            pass

    return Handler
