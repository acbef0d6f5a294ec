"""What the authentication suites (conformance-tests/auth/**) share: the service clients' secrets,
the token endpoint they use, and plain HTTP calls to lakecat made as one of those clients.

Set by conformance-tests/auth/with-auth.sh:
- LAKECAT_AUTH_SECRETS: JSON object, client id -> secret;
- LAKECAT_OAUTH2_SERVER_URI: the token endpoint (lakecat's own, or the OIDC provider's);
- LAKECAT_AUTH_IDP: `lakecat` (lakecat's own token endpoint) or `keycloak`;
- LAKECAT_AUTH_TOKEN_SECONDS, LAKECAT_AUTH_CLOCK_SKEW_SECONDS: tokens' lifetime, the skew lakecat
  tolerates.
Standard library only: every suite's virtualenv can import it."""
from __future__ import annotations

import json
import os
import urllib.error
import urllib.parse
import urllib.request

URL = os.environ["LAKECAT_URL"].rstrip("/")
SECRETS: dict[str, str] = json.loads(os.environ["LAKECAT_AUTH_SECRETS"])
TOKEN_URI = os.environ.get("LAKECAT_OAUTH2_SERVER_URI") or f"{URL}/v1/oauth/tokens"
IDP = os.environ.get("LAKECAT_AUTH_IDP", "lakecat")
TOKEN_SECONDS = int(os.environ.get("LAKECAT_AUTH_TOKEN_SECONDS", "5"))
SKEW_SECONDS = int(os.environ.get("LAKECAT_AUTH_CLOCK_SKEW_SECONDS", "2"))
# A pause after which a token fetched before it is refused for certain.
PAST_EXPIRY = TOKEN_SECONDS + SKEW_SECONDS + 2
# A pause longer than two token lifetimes: a client that keeps working across it has refreshed.
TWO_LIFETIMES = 2 * TOKEN_SECONDS + SKEW_SECONDS


def principal(client: str) -> str:
    """The principal lakecat records for a service client: `client:<id>`, for lakecat's own clients
    and for an OIDC provider's tokens whose principal claim is the client id (`azp`, see
    with-auth.sh)."""
    return f"client:{client}"


def token(client: str) -> str:
    """A fresh access token for `client` by the client-credentials grant."""
    form = {"grant_type": "client_credentials", "client_id": client, "client_secret": SECRETS[client], "scope": "catalog"}
    req = urllib.request.Request(TOKEN_URI, data=urllib.parse.urlencode(form).encode(), method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)["access_token"]


class Reply:
    """An HTTP answer: status and body, read whatever the status."""

    def __init__(self, status_code: int, text: str):
        self.status_code = status_code
        self.text = text

    def json(self):
        return json.loads(self.text) if self.text else {}

    def raise_for_status(self) -> None:
        if self.status_code >= 400:
            raise AssertionError(f"HTTP {self.status_code}: {self.text[:500]}")


def api(client: str, method: str, path: str, body: object | None = None) -> Reply:
    """`method path` on lakecat with a new token of `client` (JSON in, JSON out)."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"Authorization": f"Bearer {token(client)}", "Content-Type": "application/json"}
    req = urllib.request.Request(f"{URL}{path}", data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return Reply(r.status, r.read().decode())
    except urllib.error.HTTPError as e:
        return Reply(e.code, e.read().decode())


def head(ref: str) -> str:
    """The hash at the head of `ref`, read as the admin."""
    r = api("admin", "GET", f"/api/v2/trees/{ref}")
    r.raise_for_status()
    return r.json()["reference"]["hash"]


def grant(subject: str, privilege: str, on: str, namespace: str = "**") -> None:
    r = api("admin", "POST", "/api/lakecat/v1/grants", {"subject": subject, "privilege": privilege, "on": on, "namespace": namespace})
    assert r.status_code in (200, 201), r.text


def branch_from_main(client: str, name: str) -> None:
    """Creates branch `name` at main's head, as `client`."""
    r = api(client, "POST", f"/api/v2/trees?name={name}&type=BRANCH", {"type": "BRANCH", "name": "main", "hash": head("main")})
    assert r.status_code == 200, r.text
