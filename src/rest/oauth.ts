/**
 * lakecat's own token endpoint (`POST /v1/oauth/tokens`) and its discovery documents, for
 * deployments without an identity provider (service clients, `--auth-clients-file`). Answers in
 * OAuth2's shapes (RFC 6749 §5, RFC 8693), which Iceberg's clients parse: `{access_token,
 * token_type, expires_in}`, or `{error, error_description}`. Without service clients the
 * endpoint says where tokens come from instead, so a client configured with `credential` but
 * no `oauth2-server-uri` fails with that message.
 */
import { Hono, type Context } from 'hono';
import { IdentityUnavailableError, NotAuthenticatedError, type Catalog } from '../catalog/index.js';

const CLIENT_CREDENTIALS = 'client_credentials';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

function oauthError(c: Context, status: 400 | 401 | 503, error: string, description: string): Response {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (status === 401) headers['www-authenticate'] = 'Basic realm="lakecat"';
  return c.body(JSON.stringify({ error, error_description: description }), status, headers);
}

/** Form fields of a token request (`application/x-www-form-urlencoded`; JSON is accepted too). */
async function formOf(c: Context): Promise<Record<string, string>> {
  const type = c.req.header('content-type') ?? '';
  const text = await c.req.text();
  if (type.includes('application/json')) {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string'));
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** Client id and secret from HTTP Basic (client_secret_basic) or the form (client_secret_post). */
function clientCredentialsOf(c: Context, form: Record<string, string>): { id?: string; secret?: string } {
  const basic = /^Basic +([A-Za-z0-9+/=]+)$/.exec(c.req.header('authorization') ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    try {
      // RFC 6749 §2.3.1: both parts form-urlencoded before joining.
      if (colon > 0) return { id: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
    } catch {
      return {};
    }
  }
  return { id: form.client_id, secret: form.client_secret };
}

export function oauthRoutes(catalog: Catalog): Hono {
  const app = new Hono();
  const tokens = catalog.identity.tokens;

  app.post('/v1/oauth/tokens', async (c) => {
    if (!tokens) {
      return oauthError(
        c,
        400,
        'invalid_request',
        'lakecat does not issue tokens here (no service clients are configured); set oauth2-server-uri to your identity provider token endpoint',
      );
    }
    let form: Record<string, string>;
    try {
      form = await formOf(c);
    } catch {
      return oauthError(c, 400, 'invalid_request', 'the token request body is not a form or JSON object');
    }
    let clientAuthenticated = form.grant_type === CLIENT_CREDENTIALS;
    try {
      let grant;
      if (form.grant_type === CLIENT_CREDENTIALS) {
        const { id, secret } = clientCredentialsOf(c, form);
        if (!id || secret === undefined) return oauthError(c, 401, 'invalid_client', 'client_id and client_secret are required');
        grant = await tokens.clientCredentials(id, secret);
      } else if (form.grant_type === TOKEN_EXCHANGE) {
        // A client that authenticates itself (Basic) gets a fresh token whatever its old one says:
        // Iceberg's Java client falls back to that when its token expired before it refreshed it.
        const basic = /^Basic /.test(c.req.header('authorization') ?? '') ? clientCredentialsOf(c, form) : undefined;
        if (basic?.id && basic.secret !== undefined) {
          clientAuthenticated = true;
          grant = await tokens.clientCredentials(basic.id, basic.secret);
        } else {
          const subject = form.subject_token ?? /^Bearer +(\S+)$/.exec(c.req.header('authorization') ?? '')?.[1];
          if (!subject) return oauthError(c, 400, 'invalid_request', 'subject_token is required for a token exchange');
          grant = await tokens.exchange(subject);
        }
      } else {
        return oauthError(c, 400, 'unsupported_grant_type', `grant_type must be ${CLIENT_CREDENTIALS} or ${TOKEN_EXCHANGE}`);
      }
      return c.body(
        JSON.stringify({
          access_token: grant.accessToken,
          token_type: 'bearer',
          expires_in: grant.expiresInSeconds,
          issued_token_type: ACCESS_TOKEN_TYPE,
        }),
        200,
        { 'content-type': 'application/json', 'cache-control': 'no-store' },
      );
    } catch (err) {
      if (err instanceof NotAuthenticatedError) {
        return clientAuthenticated ? oauthError(c, 401, 'invalid_client', err.message) : oauthError(c, 400, 'invalid_grant', err.message);
      }
      if (err instanceof IdentityUnavailableError) return oauthError(c, 503, 'temporarily_unavailable', err.message);
      throw err;
    }
  });

  if (tokens) {
    app.get('/.well-known/openid-configuration', (c) =>
      c.json({
        issuer: tokens.issuer,
        jwks_uri: `${tokens.issuer}/.well-known/jwks.json`,
        token_endpoint: `${tokens.issuer}/v1/oauth/tokens`,
        grant_types_supported: [CLIENT_CREDENTIALS, TOKEN_EXCHANGE],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        id_token_signing_alg_values_supported: ['ES256'],
        response_types_supported: ['token'],
        subject_types_supported: ['public'],
      }),
    );
    app.get('/.well-known/jwks.json', async (c) => c.json(await tokens.jwks()));
  }
  return app;
}
