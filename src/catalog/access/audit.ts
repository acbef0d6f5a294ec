/** The audit trail: one record per change that landed, per refusal, and per protection bypassed. */
import type { Principal } from '../context.js';
import type { AccessRecords, AuditRecord } from './records.js';

export function auditPrincipal(p: Principal): string {
  if (p.kind === 'user') return p.clientId === p.name ? `client:${p.name}` : `user:${p.name}`;
  if (p.kind === 'system') return `system:${p.name}`;
  return 'anonymous';
}

/**
 * Writes each record to the database (`audit_log`) and hands it to `log` (one structured line).
 * Recording never fails the operation it records: a database error is logged instead.
 */
export function auditTo(records: AccessRecords | undefined, log: (record: Record<string, unknown>) => void): (r: AuditRecord) => void {
  return (r) => {
    log({ level: r.decision === 'deny' ? 'warn' : 'info', msg: 'audit', ...r });
    void records?.appendAudit(r).catch((err: unknown) => {
      log({ level: 'error', msg: 'audit record not stored', error: err instanceof Error ? err.message : String(err), record: r });
    });
  };
}
