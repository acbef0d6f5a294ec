/** Access rules, check results and the audit log in the store's database (not versioned). */
import { sql, type SQL } from 'drizzle-orm';
import type { AccessRecords, AuditRecord } from '../access/records.js';
import type { CheckReport, CheckState, Grant, Privilege, Protection } from '../access/policy.js';
import { queryRows, type Executor } from './core.js';

export class PgAccessRecords implements AccessRecords {
  constructor(private readonly db: Executor) {}

  private rows<T>(q: SQL): Promise<T[]> {
    return queryRows<T>(this.db, q);
  }

  async grants(): Promise<Grant[]> {
    const rows = await this.rows<{ subject: string; privilege: string; on_pattern: string; namespace_pattern: string }>(
      sql`SELECT subject, privilege, on_pattern, namespace_pattern FROM access_grants ORDER BY subject, privilege, on_pattern, namespace_pattern`,
    );
    return rows.map((r) => ({ subject: r.subject, privilege: r.privilege as Privilege, on: r.on_pattern, namespace: r.namespace_pattern }));
  }

  async addGrant(g: Grant, by: string, atMs: number): Promise<boolean> {
    const rows = await this.rows(
      sql`INSERT INTO access_grants (subject, privilege, on_pattern, namespace_pattern, created_at, created_by)
          VALUES (${g.subject}, ${g.privilege}, ${g.on}, ${g.namespace}, ${atMs}, ${by}) ON CONFLICT DO NOTHING RETURNING subject`,
    );
    return rows.length > 0;
  }

  async removeGrant(g: Grant): Promise<boolean> {
    const rows = await this.rows(
      sql`DELETE FROM access_grants WHERE subject = ${g.subject} AND privilege = ${g.privilege}
          AND on_pattern = ${g.on} AND namespace_pattern = ${g.namespace} RETURNING subject`,
    );
    return rows.length > 0;
  }

  async protections(): Promise<Protection[]> {
    const rows = await this.rows<{ rule: Protection }>(sql`SELECT rule FROM protections ORDER BY pattern`);
    return rows.map((r) => r.rule);
  }

  async putProtection(p: Protection, by: string, atMs: number): Promise<void> {
    await this.rows(
      sql`INSERT INTO protections (pattern, rule, updated_at, updated_by) VALUES (${p.pattern}, ${JSON.stringify(p)}::jsonb, ${atMs}, ${by})
          ON CONFLICT (pattern) DO UPDATE SET rule = EXCLUDED.rule, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by`,
    );
  }

  async removeProtection(pattern: string): Promise<boolean> {
    return (await this.rows(sql`DELETE FROM protections WHERE pattern = ${pattern} RETURNING pattern`)).length > 0;
  }

  async reportCheck(r: CheckReport): Promise<void> {
    await this.rows(
      sql`INSERT INTO check_results (hash, name, state, description, details_url, reporter, reporter_roles, reported_at)
          VALUES (${r.hash}, ${r.name}, ${r.state}, ${r.description}, ${r.detailsUrl}, ${r.reporter}, ${JSON.stringify(r.reporterRoles)}::jsonb, ${r.reportedAtMs})`,
    );
  }

  async checks(hash: string): Promise<CheckReport[]> {
    const rows = await this.rows<{
      hash: string;
      name: string;
      state: string;
      description: string;
      details_url: string;
      reporter: string;
      reporter_roles: string[];
      reported_at: number | string;
    }>(sql`SELECT hash, name, state, description, details_url, reporter, reporter_roles, reported_at FROM check_results WHERE hash = ${hash} ORDER BY id DESC`);
    return rows.map((r) => ({
      hash: r.hash,
      name: r.name,
      state: r.state as CheckState,
      description: r.description,
      detailsUrl: r.details_url,
      reporter: r.reporter,
      reporterRoles: r.reporter_roles,
      reportedAtMs: Number(r.reported_at),
    }));
  }

  async appendAudit(r: AuditRecord): Promise<void> {
    await this.rows(
      sql`INSERT INTO audit_log (at, principal, operation, ref, namespaces, decision, rule, detail)
          VALUES (${r.atMs}, ${r.principal}, ${r.operation}, ${r.ref ?? null}, ${JSON.stringify(r.namespaces)}::jsonb, ${r.decision}, ${r.rule ?? null}, ${r.detail})`,
    );
  }

  async audit(limit: number, beforeId?: number): Promise<(AuditRecord & { id: number })[]> {
    const rows = await this.rows<{
      id: number | string;
      at: number | string;
      principal: string;
      operation: string;
      ref: string | null;
      namespaces: string[];
      decision: AuditRecord['decision'];
      rule: string | null;
      detail: string;
    }>(
      sql`SELECT id, at, principal, operation, ref, namespaces, decision, rule, detail FROM audit_log
          WHERE ${beforeId === undefined ? sql`TRUE` : sql`id < ${beforeId}`} ORDER BY id DESC LIMIT ${limit}`,
    );
    return rows.map((r) => ({
      id: Number(r.id),
      atMs: Number(r.at),
      principal: r.principal,
      operation: r.operation,
      ...(r.ref !== null ? { ref: r.ref } : {}),
      namespaces: r.namespaces,
      decision: r.decision,
      ...(r.rule !== null ? { rule: r.rule } : {}),
      detail: r.detail,
    }));
  }
}
