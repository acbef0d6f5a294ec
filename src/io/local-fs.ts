import { randomBytes } from 'node:crypto';
import { constants, existsSync, type Dirent } from 'node:fs';
import { access, link, lstat, mkdir, open, readFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileLocationPath, folderPrefix, requireObjectLocation } from './location.js';
import { ObjectExistsError, ObjectNotFoundError, ObjectStoreError, type ObjectStore } from './port.js';

const PATH_MEMO_SIZE = 10_000;

/** Suffix of in-flight temporary files; listings skip them so a crashed write never shows up as an object. */
const TEMP_SUFFIX = '.lakecat-tmp';

/**
 * Objects as files under one warehouse folder, addressed as `file:///abs/path` (or Hadoop's
 * `file:/abs/path`). Locations outside the folder are refused, so a client-chosen table
 * location cannot make the server write elsewhere on the machine.
 */
export class LocalFsObjectStore implements ObjectStore {
  readonly root: string;
  /** Location -> path under root (undefined: not served here); pure, so a bounded memo is safe. */
  private readonly paths = new Map<string, string | undefined>();

  constructor(root: string) {
    this.root = resolve(root);
  }

  handles(location: string): boolean {
    return this.pathOf(location) !== undefined;
  }

  /** What this store serves, for error messages. */
  toString(): string {
    return `file://${this.root}/...`;
  }

  /**
   * Readers never see a half-written file: the bytes go to a temporary file beside the target
   * (same filesystem), are flushed, then renamed over it or, with `ifAbsent`, hard-linked to
   * it, since link() fails when the name exists where rename() would replace it.
   */
  async write(location: string, body: Uint8Array | string, opts: { ifAbsent?: boolean } = {}): Promise<void> {
    const path = this.objectPath(location);
    const dir = dirname(path);
    const temp = join(dir, `.${randomBytes(8).toString('hex')}${TEMP_SUFFIX}`);
    try {
      await mkdir(dir, { recursive: true });
      const file = await open(temp, 'wx');
      try {
        await file.writeFile(body);
        await file.sync();
      } finally {
        await file.close();
      }
      if (opts.ifAbsent) await this.linkIfAbsent(temp, path, location);
      else await rename(temp, path);
    } catch (err) {
      if (err instanceof ObjectExistsError) throw err;
      throw storeError(`Cannot write ${location}`, err);
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  async read(location: string): Promise<Uint8Array> {
    const path = this.objectPath(location);
    try {
      const buffer = await readFile(path);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (err) {
      if (isMissing(err)) throw new ObjectNotFoundError(location);
      throw storeError(`Cannot read ${location}`, err);
    }
  }

  async readText(location: string): Promise<string> {
    return new TextDecoder().decode(await this.read(location));
  }

  async exists(location: string): Promise<boolean> {
    const path = this.objectPath(location);
    try {
      return (await stat(path)).isFile();
    } catch (err) {
      if (isMissing(err)) return false;
      throw storeError(`Cannot check ${location}`, err);
    }
  }

  /**
   * One access() system call, about 2 µs for a file the kernel has seen (a stat costs more here
   * for the Stats object). A path that cannot be checked (no permission on a folder) also reads
   * as missing, as it could not be read either.
   */
  knownMissing(location: string): boolean {
    const path = this.pathOf(location);
    return path !== undefined && !existsSync(path);
  }

  async delete(location: string): Promise<void> {
    const path = this.objectPath(location);
    try {
      await unlink(path);
    } catch (err) {
      // A folder is not an object, so there is no object to delete there either.
      if (isMissing(err) || code(err) === 'EISDIR') return;
      throw storeError(`Cannot delete ${location}`, err);
    }
  }

  async *list(prefix: string): AsyncIterable<{ location: string; size: number; lastModifiedMs: number }> {
    const dir = this.requirePath(prefix);
    yield* this.walk(dir, folderPrefix(prefix));
  }

  async ping(): Promise<void> {
    try {
      await mkdir(this.root, { recursive: true });
      await access(this.root, constants.R_OK | constants.W_OK);
    } catch (err) {
      throw storeError(`The warehouse folder ${this.root} is not writable`, err);
    }
  }

  private async *walk(dir: string, locationPrefix: string): AsyncGenerator<{ location: string; size: number; lastModifiedMs: number }> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isMissing(err)) return;
      throw storeError(`Cannot list ${locationPrefix}`, err);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const location = locationPrefix + entry.name;
      if (entry.isDirectory()) {
        yield* this.walk(path, `${location}/`);
        continue;
      }
      if (entry.name.endsWith(TEMP_SUFFIX)) continue;
      // Symbolic links to files count as objects; links to folders are not followed, so a loop cannot trap the walk.
      const info = await (entry.isSymbolicLink() ? stat(path) : lstat(path)).catch((err: unknown) => {
        if (isMissing(err)) return undefined;
        throw storeError(`Cannot list ${location}`, err);
      });
      if (info?.isFile()) yield { location, size: info.size, lastModifiedMs: Math.floor(info.mtimeMs) };
    }
  }

  private async linkIfAbsent(temp: string, path: string, location: string): Promise<void> {
    try {
      await link(temp, path);
    } catch (err) {
      if (code(err) === 'EEXIST') throw new ObjectExistsError(location);
      throw err;
    }
  }

  private pathOf(location: string): string | undefined {
    // Hot on loadTable (knownMissing): the same few locations come back again and again.
    const known = this.paths.get(location);
    if (known !== undefined || this.paths.has(location)) return known;
    const raw = fileLocationPath(location);
    const path = raw === undefined ? undefined : resolve(raw);
    const served = path !== undefined && (path === this.root || path.startsWith(this.root + sep)) ? path : undefined;
    if (this.paths.size >= PATH_MEMO_SIZE) this.paths.clear();
    this.paths.set(location, served);
    return served;
  }

  private objectPath(location: string): string {
    requireObjectLocation(location);
    return this.requirePath(location);
  }

  private requirePath(location: string): string {
    const path = this.pathOf(location);
    if (path === undefined) {
      throw new ObjectStoreError(`The local object store only serves file: locations under ${this.root}, not ${location}`);
    }
    if (relative(this.root, path).split(sep).some((part) => part.endsWith(TEMP_SUFFIX))) {
      throw new ObjectStoreError(`Names ending in ${TEMP_SUFFIX} are reserved for in-flight writes: ${location}`);
    }
    return path;
  }
}

function code(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

function isMissing(err: unknown): boolean {
  const c = code(err);
  // ENOTDIR: a parent of the path is a file, so nothing can exist at the path.
  return c === 'ENOENT' || c === 'ENOTDIR' || c === 'EISDIR';
}

function storeError(message: string, cause: unknown): ObjectStoreError {
  const detail = cause instanceof Error ? `: ${cause.message}` : '';
  return new ObjectStoreError(`${message}${detail}`, { cause });
}
