/**
 * Page tokens handed to Nessie clients. Tokens are opaque to clients; these wrap either a
 * reference name (reference listing) or the catalog's own page token.
 */
import { NessieBadRequest } from './errors.js';

export function encodeToken(value: string): string {
  return Buffer.from(value, 'utf8').toString('base64url');
}

export function decodeToken(token: string): string {
  const value = /^[A-Za-z0-9_-]+$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : undefined;
  // Only what encodeToken made comes back to the same text; anything else was made up or altered.
  if (value === undefined || encodeToken(value) !== token) throw new NessieBadRequest(`Invalid page token '${token}'`);
  return value;
}
