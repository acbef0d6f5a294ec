/**
 * lakecat's own API (`/api/lakecat/v1`), for what neither the Iceberg REST protocol nor the
 * Nessie API has a place for: who am I, grants, protections, check results, the audit log and
 * garbage collection (policies, runs, reports).
 * Errors use the Iceberg shape. Every route goes through the catalog's access verbs.
 */
import { Hono, type Context } from 'hono';
import { NotFoundError, type Actor, type Catalog } from '../../catalog/index.js';
import { authentication, principalOf, wwwAuthenticate } from '../auth.js';
import { json, readJsonObject, RequestError } from '../http.js';
import { toIcebergError } from '../iceberg/errors.js';

export function createLakecatApi(catalog: Catalog): Hono {
  const app = new Hono();
  app.onError((err, c) => {
    const { status, body } = toIcebergError(err);
    return json(c, body, status as 400, status === 401 ? wwwAuthenticate(c) : undefined);
  });
  const authn = authentication(catalog);
  if (authn) app.use('*', authn);

  /** Who the caller is, as the catalog sees it (name, roles, issuer), and whether authentication is on. */
  app.get('/whoami', (c) => {
    const p = principalOf(c);
    const principal =
      p.kind === 'user'
        ? { kind: p.kind, name: p.name, roles: p.roles, issuer: p.issuer, subject: p.subject, ...(p.clientId ? { clientId: p.clientId } : {}) }
        : p.kind === 'system'
          ? { kind: p.kind, name: p.name, roles: [] }
          : { kind: p.kind, name: 'anonymous', roles: [] };
    return json(c, { authentication: catalog.identity.required ? 'token' : 'none', principal });
  });
  const actor = (c: Context): Actor => ({ principal: principalOf(c) });
  const bodyOf = (c: Context) => readJsonObject(c) as Promise<Record<string, unknown>>;
  const str = (o: Record<string, unknown>, k: string): string | undefined => {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new RequestError(400, `'${k}' must be a string`);
    return v;
  };
  const grantOf = (o: Record<string, unknown>) => ({ subject: str(o, 'subject'), privilege: str(o, 'privilege') as never, on: str(o, 'on'), namespace: str(o, 'namespace') });

  app.get('/grants', async (c) => json(c, { grants: await catalog.access.grants(actor(c)) }));
  app.post('/grants', async (c) => {
    const added = await catalog.access.grant(actor(c), grantOf(await bodyOf(c)));
    return json(c, { added }, added ? 201 : 200);
  });
  app.delete('/grants', async (c) => {
    const removed = await catalog.access.revoke(actor(c), grantOf(await bodyOf(c)));
    if (!removed) throw new NotFoundError('No such grant', 'content');
    return c.body(null, 204);
  });

  app.get('/protections', async (c) => json(c, { protections: await catalog.access.protections(actor(c)) }));
  app.put('/protections/:pattern', async (c) => json(c, await catalog.access.protect(actor(c), (c.req.param('pattern') as string), await bodyOf(c))));
  app.delete('/protections/:pattern', async (c) => {
    if (!(await catalog.access.unprotect(actor(c), (c.req.param('pattern') as string)))) throw new NotFoundError(`No protection for '${(c.req.param('pattern') as string)}'`, 'content');
    return c.body(null, 204);
  });

  /** Check results of a commit, given as a hash (`@hash` or plain) or any reference expression (its commit). */
  const commitRef = (c: Context) => {
    const raw = c.req.param('ref') as string;
    return /^[0-9a-fA-F]{8,64}$/.test(raw) ? `@${raw}` : raw;
  };
  app.post('/commits/:ref/checks', async (c) => {
    const o = await bodyOf(c);
    const report = await catalog.access.reportCheck(actor(c), commitRef(c), {
      name: str(o, 'name') as string,
      state: str(o, 'state') as string,
      description: str(o, 'description'),
      detailsUrl: str(o, 'detailsUrl'),
    });
    return json(c, report, 201);
  });
  app.get('/commits/:ref/checks', async (c) => json(c, await catalog.access.checks(actor(c), commitRef(c))));

  app.get('/audit', async (c) => {
    const limit = c.req.query('limit');
    const before = c.req.query('before');
    const num = (v: string | undefined, what: string) => {
      if (v === undefined) return undefined;
      if (!/^[0-9]+$/.test(v)) throw new RequestError(400, `${what} must be a whole number`);
      return Number(v);
    };
    return json(c, { records: await catalog.access.audit(actor(c), { limit: num(limit, 'limit'), beforeId: num(before, 'before') }) });
  });

  // -- garbage collection (catalog/gc)
  const bool = (o: Record<string, unknown>, k: string): boolean | undefined => {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw new RequestError(400, `'${k}' must be true or false`);
    return v;
  };
  const int = (o: Record<string, unknown>, k: string): number | undefined => {
    const v = o[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new RequestError(400, `'${k}' must be a whole number`);
    return v;
  };
  app.get('/gc/policies', async (c) => json(c, { policies: await catalog.gc.policies(actor(c)) }));
  app.put('/gc/policies', async (c) => {
    const o = await bodyOf(c);
    const policy = await catalog.gc.setPolicy(actor(c), {
      refType: str(o, 'refType') as never,
      pattern: str(o, 'pattern'),
      retainMs: int(o, 'retainMs'),
      retainCommits: int(o, 'retainCommits'),
      deletedGraceMs: int(o, 'deletedGraceMs'),
    });
    return json(c, policy);
  });
  app.delete('/gc/policies/:refType/:pattern', async (c) => {
    const { refType, pattern } = c.req.param() as { refType: string; pattern: string };
    if (!(await catalog.gc.removePolicy(actor(c), refType, pattern))) throw new NotFoundError(`No GC policy for ${refType} '${pattern}'`, 'content');
    return c.body(null, 204);
  });
  app.post('/gc/runs', async (c) => {
    const o = await bodyOf(c);
    const report = await catalog.gc.run(actor(c), {
      dryRun: bool(o, 'dryRun'),
      writerGraceMs: int(o, 'writerGraceMs'),
      allowShortGrace: bool(o, 'allowShortGrace'),
      batchSize: int(o, 'batchSize'),
      holdAfterMarkMs: int(o, 'holdAfterMarkMs'),
      leaseSeconds: int(o, 'leaseSeconds'),
    });
    return json(c, report, report.dryRun ? 200 : 201);
  });
  app.get('/gc/runs', async (c) => {
    const limit = c.req.query('limit');
    if (limit !== undefined && !/^[0-9]{1,4}$/.test(limit)) throw new RequestError(400, 'limit must be a whole number up to 1000');
    return json(c, { runs: await catalog.gc.runs(actor(c), limit === undefined ? undefined : Number(limit)) });
  });
  app.get('/gc/runs/:id', async (c) => json(c, await catalog.gc.get(actor(c), c.req.param('id') as string)));
  app.get('/gc/runs/:id/deletions', async (c) => {
    const limit = c.req.query('limit');
    if (limit !== undefined && !/^[0-9]{1,5}$/.test(limit)) throw new RequestError(400, 'limit must be a whole number up to 10000');
    const rows = await catalog.gc.deletions(actor(c), c.req.param('id') as string, { afterPath: c.req.query('after'), limit: limit === undefined ? undefined : Number(limit) });
    return json(c, { deletions: rows });
  });

  app.notFound((c) => json(c, { error: { message: `No route for ${c.req.method} ${c.req.path}`, type: 'NotFoundException', code: 404 } }, 404));
  return app;
}
