"""Prints the Keycloak realm that with-keycloak.sh imports: realm `lakecat`, access tokens that
live argv[1] seconds, and one confidential client per entry of the JSON object in argv[2]
(client id -> secret) whose service account holds the realm role of the client's name.

Keycloak creates none of its standard client scopes when an import declares any, so the realm
declares the few the tokens need: `basic` (sub), `profile` (preferred_username), `roles`
(realm_access.roles), `service_account` (client_id), and `catalog`, the scope Iceberg clients
request, which adds `lakecat` to the audience. All five are default scopes of every client: Nessie's
client requests no scope, and Keycloak refuses a request for a scope the client lacks
(`invalid_scope`).

Standard token exchange is enabled per client, so that Iceberg's default refresh works as well:
Iceberg (1.10, `token-exchange-enabled=true`) refreshes by exchanging its token, first with the
token alone, which Keycloak refuses (`invalid_client`), then authenticated by the client's own
credentials, which Keycloak accepts only with this setting and only while the token is still
valid. Clients with `token-exchange-enabled=false` (Iceberg) or that never exchange (PyIceberg,
Nessie's client, Trino 476) need nothing of it."""
from __future__ import annotations

import json
import sys

SCOPES = ["basic", "profile", "roles", "service_account", "catalog"]


def mapper(name: str, kind: str, **config: str) -> dict:
    return {"name": name, "protocol": "openid-connect", "protocolMapper": kind, "config": {"access.token.claim": "true", **config}}


def scope(name: str, *mappers: dict, in_token: bool = False) -> dict:
    attributes = {"include.in.token.scope": "true" if in_token else "false", "display.on.consent.screen": "false"}
    return {"name": name, "protocol": "openid-connect", "attributes": attributes, "protocolMappers": list(mappers)}


def realm(token_seconds: int, secrets: dict[str, str]) -> dict:
    return {
        "realm": "lakecat",
        "enabled": True,
        "sslRequired": "none",
        "accessTokenLifespan": token_seconds,
        "roles": {"realm": [{"name": c} for c in secrets]},
        "clientScopes": [
            scope("basic", mapper("sub", "oidc-sub-mapper")),
            scope("profile", mapper("username", "oidc-usermodel-attribute-mapper", **{"user.attribute": "username", "claim.name": "preferred_username", "jsonType.label": "String"})),
            scope("roles", mapper("realm roles", "oidc-usermodel-realm-role-mapper", **{"claim.name": "realm_access.roles", "jsonType.label": "String", "multivalued": "true"})),
            scope("service_account", mapper("client id", "oidc-usersessionmodel-note-mapper", **{"user.session.note": "client_id", "claim.name": "client_id", "jsonType.label": "String"})),
            scope("catalog", mapper("lakecat audience", "oidc-audience-mapper", **{"included.custom.audience": "lakecat"}), in_token=True),
        ],
        "defaultDefaultClientScopes": SCOPES,
        "defaultOptionalClientScopes": [],
        "clients": [
            {
                "clientId": c,
                "enabled": True,
                "protocol": "openid-connect",
                "publicClient": False,
                "clientAuthenticatorType": "client-secret",
                "secret": secret,
                "serviceAccountsEnabled": True,
                "standardFlowEnabled": False,
                "implicitFlowEnabled": False,
                "directAccessGrantsEnabled": False,
                "fullScopeAllowed": True,
                "defaultClientScopes": SCOPES,
                "optionalClientScopes": [],
                "attributes": {"standard.token.exchange.enabled": "true"},
            }
            for c, secret in secrets.items()
        ],
        "users": [
            {"username": f"service-account-{c}", "enabled": True, "serviceAccountClientId": c, "realmRoles": [c]}
            for c in secrets
        ],
    }


if __name__ == "__main__":
    json.dump(realm(int(sys.argv[1]), json.loads(sys.argv[2])), sys.stdout, indent=1)
