/**
 * Nessie's string forms of a content key, as used in URL paths, query parameters and CEL
 * filters. Elements are joined with '.'; a '.' inside an element is written as U+001D in the
 * plain form. Spec 2.2 clients send the escaped form instead when an element holds '.', '/',
 * '\' or '%': a leading '.' marks it, and '*' escapes the special characters.
 */
import type { ContentKey } from '../../catalog/index.js';
import { NessieBadRequest } from './errors.js';

const GROUP_SEPARATOR = '\u001d';
const MAX_ELEMENTS = 20;
const MAX_LENGTH = 500;

const UNESCAPE: Record<string, string> = { '.': '.', '*': '*', '{': '/', '}': '\\', '[': '%' };

export function keyFromPathString(encoded: string): ContentKey {
  if (encoded.startsWith('.')) return fromEscaped(encoded);
  const elements: string[] = [];
  let current = '';
  for (const ch of encoded) {
    if (ch === '.') {
      elements.push(current);
      current = '';
    } else {
      current += ch === GROUP_SEPARATOR || ch === '\u0000' ? '.' : ch;
    }
  }
  if (current.length > 0) elements.push(current);
  return checkKey(elements);
}

function fromEscaped(encoded: string): ContentKey {
  const elements: string[] = [];
  let current = '';
  for (let i = 1; i < encoded.length; i++) {
    const ch = encoded[i];
    if (ch === '.') {
      elements.push(current);
      current = '';
    } else if (ch === '*') {
      const next = encoded[++i];
      const plain = next === undefined ? undefined : UNESCAPE[next];
      if (plain === undefined) throw new NessieBadRequest(`Illegal escape sequence in encoded content key '${encoded}'`);
      current += plain;
    } else {
      current += ch;
    }
  }
  if (current.length > 0) elements.push(current);
  return checkKey(elements);
}

/** The plain path form (Nessie's `toPathString`), also what CEL's `encodedKey` holds. */
export function keyToPathString(key: ContentKey): string {
  return key.map((e) => e.replaceAll('.', GROUP_SEPARATOR)).join('.');
}

/** The human form: elements joined by '.' (Nessie's `ContentKey.toString`). */
export function keyToString(key: ContentKey): string {
  return key.join('.');
}

/** Validates a key the way Nessie does: 1..20 non-empty elements, no control characters. */
export function checkKey(elements: unknown): ContentKey {
  if (!Array.isArray(elements) || elements.length === 0) {
    throw new NessieBadRequest('Content key must have at least one element');
  }
  if (elements.length > MAX_ELEMENTS) {
    throw new NessieBadRequest(`Content key too long, max allowed number of elements: ${MAX_ELEMENTS}`);
  }
  let total = 0;
  for (const e of elements) {
    if (typeof e !== 'string') throw new NessieBadRequest('Content key elements must be strings');
    if (e.length === 0) throw new NessieBadRequest(`Content key '${elements.join('.')}' must not contain an empty element`);
    if (/[\u0000-\u001f\u007f]/.test(e)) {
      throw new NessieBadRequest(`Content key '${elements.join('.')}' must not contain control characters`);
    }
    total += e.length;
  }
  if (total > MAX_LENGTH) throw new NessieBadRequest(`Content key too long, max allowed length: ${MAX_LENGTH}`);
  return elements as string[];
}
