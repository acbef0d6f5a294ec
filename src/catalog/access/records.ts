/** Where access rules, check results and the audit log are kept (the store's database). */
import type { CheckReport, Grant, Protection } from './policy.js';

export interface AuditRecord {
  atMs: number;
  /** `user:<name>`, `client:<id>`, `anonymous`. */
  principal: string;
  /** What was done or tried, e.g. `commit`, `merge`, `assign-reference`, `grant`. */
  operation: string;
  ref?: string;
  namespaces: string[];
  decision: 'allow' | 'deny' | 'bypass';
  /** The protection rule or grant that decided, when one did. */
  rule?: string;
  detail: string;
}

export interface AccessRecords {
  grants(): Promise<Grant[]>;
  /** False when the same grant exists already. */
  addGrant(g: Grant, by: string, atMs: number): Promise<boolean>;
  /** False when there was no such grant. */
  removeGrant(g: Grant): Promise<boolean>;
  protections(): Promise<Protection[]>;
  putProtection(p: Protection, by: string, atMs: number): Promise<void>;
  removeProtection(pattern: string): Promise<boolean>;
  reportCheck(r: CheckReport): Promise<void>;
  /** Every report for a commit, newest first. */
  checks(hash: string): Promise<CheckReport[]>;
  appendAudit(r: AuditRecord): Promise<void>;
  /** Newest first, at most `limit`, older than `beforeId` when given. */
  audit(limit: number, beforeId?: number): Promise<(AuditRecord & { id: number })[]>;
}
