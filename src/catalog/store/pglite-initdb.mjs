// Creates an embedded PGlite database in the folder given as the only argument, then exits.
// Run as a short-lived child process by pglite-store.ts: initdb grows PGlite's WebAssembly
// memory to ~700 MB, which a process never gives back; the server then opens the ready folder.
import { PGlite } from '@electric-sql/pglite';

const db = new PGlite(process.argv[2]);
await db.waitReady;
await db.close();
