/**
 * Page tokens handed to Nessie clients. Tokens are opaque to clients; these wrap either a
 * reference name (reference listing) or the catalog's own page token.
 */
import { NessieBadRequest } from './errors.js';

export function encodeToken(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

export function decodeToken(token: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new NessieBadRequest(`Invalid page token '${token}'`);
  return Buffer.from(token, 'base64url').toString('utf8');
}
