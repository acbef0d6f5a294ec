/**
 * The one rule for reference names, used by the store, the Nessie API, the Iceberg REST prefix
 * and the CLI. It is Nessie's: a letter first, then letters, digits and `./_-`; no `..`; not
 * ending in `.` or `/`. Names created through any API can therefore be addressed through all.
 */
import { BadRequestError } from '../errors.js';

const REF_NAME = /^[A-Za-z](?:(?:(?!\.\.)[A-Za-z0-9./_-])*[A-Za-z0-9_-])?$/;
const HASH_LIKE = /^[0-9a-fA-F]{8,64}$/;

export const REF_NAME_MESSAGE =
  "Reference name must start with a letter, followed by letters, digits, one of the ./_- characters, not end with a slash or dot, not contain '..'";

export function isValidRefName(name: string): boolean {
  return REF_NAME.test(name);
}

/** Returns `name` when it is a valid reference name, else a BadRequestError in Nessie's words. */
export function checkRefName(name: unknown): string {
  if (typeof name !== 'string' || !isValidRefName(name)) {
    throw new BadRequestError(`${REF_NAME_MESSAGE} - but was: ${String(name)}`);
  }
  return name;
}

/** A name for a new reference: valid, and not HEAD, DETACHED or anything that reads as a commit hash. */
export function checkNewRefName(name: unknown): string {
  checkRefName(name);
  const n = name as string;
  if (n === 'HEAD' || n === 'DETACHED' || HASH_LIKE.test(n)) {
    throw new BadRequestError('Reference name must not be HEAD, DETACHED or a potential commit ID representation.');
  }
  return n;
}
