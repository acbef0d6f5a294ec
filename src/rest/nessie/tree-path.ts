/**
 * Routing of `/trees/{ref}/...`. A reference in a path may itself contain '/' (branch names
 * like `feature/x`); Nessie's clients then end it with '@' (`feature/x@`, `feature/x@<hash>`).
 * Nessie matches a path element as `[^/]+` or `[^@]+@[^@/]*`, so the whole path is matched
 * here against one pattern per endpoint, the way JAX-RS does, instead of hono's per-segment
 * parameters.
 */
import { NessieBadRequest } from './errors.js';

export type TreeRoute =
  | { kind: 'ref'; ref: string }
  | { kind: 'entries'; ref: string }
  | { kind: 'history'; ref: string }
  | { kind: 'commit'; ref: string }
  | { kind: 'merge'; ref: string }
  | { kind: 'transplant'; ref: string }
  | { kind: 'contents'; ref: string }
  | { kind: 'content'; ref: string; key: string }
  | { kind: 'diff'; from: string; to: string }
  | { kind: 'recent-changes'; ref: string };

const REF = '([^/]+|[^@]+(?:@|%40)[^@/]*)';

// Most literal text first, as JAX-RS orders templates: `a/diff/b@` is a diff, not a reference `a/diff/b`.
const PATTERNS: [RegExp, (m: RegExpExecArray) => TreeRoute][] = [
  [new RegExp(`^${REF}/diff/${REF}$`), (m) => ({ kind: 'diff', from: m[1], to: m[2] })],
  [new RegExp(`^${REF}/entries$`), (m) => ({ kind: 'entries', ref: m[1] })],
  [new RegExp(`^${REF}/history$`), (m) => ({ kind: 'history', ref: m[1] })],
  [new RegExp(`^${REF}/history/commit$`), (m) => ({ kind: 'commit', ref: m[1] })],
  [new RegExp(`^${REF}/history/merge$`), (m) => ({ kind: 'merge', ref: m[1] })],
  [new RegExp(`^${REF}/history/transplant$`), (m) => ({ kind: 'transplant', ref: m[1] })],
  [new RegExp(`^${REF}/recent-changes$`), (m) => ({ kind: 'recent-changes', ref: m[1] })],
  [new RegExp(`^${REF}/contents$`), (m) => ({ kind: 'contents', ref: m[1] })],
  [new RegExp(`^${REF}/contents/([^/]+)$`), (m) => ({ kind: 'content', ref: m[1], key: m[2] })],
  [new RegExp(`^${REF}$`), (m) => ({ kind: 'ref', ref: m[1] })],
];

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new NessieBadRequest(`Malformed percent-encoding in '${s}'`);
  }
}

/** Matches the raw (still percent-encoded) path below `/trees/`; undefined when no endpoint matches. */
export function matchTreePath(rawRest: string): TreeRoute | undefined {
  for (const [re, build] of PATTERNS) {
    const m = re.exec(rawRest);
    if (!m) continue;
    const route = build(m);
    switch (route.kind) {
      case 'diff':
        return { kind: 'diff', from: decode(route.from), to: decode(route.to) };
      case 'content':
        return { kind: 'content', ref: decode(route.ref), key: decode(route.key) };
      case 'ref':
      case 'entries':
      case 'history':
      case 'commit':
      case 'merge':
      case 'transplant':
      case 'contents':
      case 'recent-changes':
        return { ...route, ref: decode(route.ref) };
      default: {
        const never: never = route;
        throw new Error(`unhandled route ${String(never)}`);
      }
    }
  }
  return undefined;
}
