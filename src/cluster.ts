/**
 * `lakecat serve --workers N`: N server processes sharing one listening port (node:cluster).
 * Each worker is a complete, stateless lakecat on the same PostgreSQL database, so requests
 * spread over cores; the primary only applies migrations once, forks the workers, restarts
 * one that dies and stops them all on SIGINT/SIGTERM.
 *
 * The embedded database has a single owner process, so more than one worker needs --db-url.
 */
import cluster, { type Worker } from 'node:cluster';
import { ConfigError, type ServerConfig } from './config.js';
import { logLine as log, openStore, startServer } from './main.js';

/** The smallest pause before a crashed worker is replaced, doubled while crashes repeat. */
const RESTART_DELAY_MS = 500;
const MAX_RESTART_DELAY_MS = 30_000;

export function checkWorkers(cfg: ServerConfig): void {
  if (cfg.workers > 1 && !cfg.dbUrl) {
    throw new ConfigError(
      `--workers ${cfg.workers} needs --db-url: the embedded database belongs to one process (use PostgreSQL to run several)`,
    );
  }
}

/** Runs the server in this process, or as a cluster of `cfg.workers` processes. Resolves on shutdown. */
export async function serve(cfg: ServerConfig): Promise<void> {
  checkWorkers(cfg);
  if (cfg.workers <= 1 || cluster.isWorker) return serveHere(cfg, cluster.isWorker ? { worker: cluster.worker?.id, pid: process.pid } : {});

  // Primary: migrate once, so workers do not queue on the migration lock at start-up.
  const store = await openStore(cfg);
  await store.close();
  let stopping = false;
  let delay = RESTART_DELAY_MS;
  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.once('listening', () => {
      delay = RESTART_DELAY_MS;
    });
    return worker;
  };
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    log({ level: 'error', msg: 'worker exited, starting another', worker: worker.id, code, signal, restartInMs: delay });
    setTimeout(() => {
      if (!stopping) fork();
    }, delay).unref();
    delay = Math.min(delay * 2, MAX_RESTART_DELAY_MS);
  });
  for (let i = 0; i < cfg.workers; i++) fork();
  log({ level: 'info', msg: 'lakecat cluster started', workers: cfg.workers, pid: process.pid });

  await new Promise<void>((resolve) => {
    const stop = () => {
      stopping = true;
      const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
      if (workers.length === 0) return resolve();
      let left = workers.length;
      for (const w of workers) {
        w.once('exit', () => {
          if (--left === 0) resolve();
        });
        w.process.kill('SIGTERM');
      }
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

async function serveHere(cfg: ServerConfig, extra: Record<string, unknown>): Promise<void> {
  const { lakecat, server } = await startServer(cfg, extra);
  await new Promise<void>((resolve) => {
    const stop = () => {
      server.close();
      lakecat.close().finally(() => {
        // A worker's IPC channel to the primary keeps it alive until it is closed.
        if (cluster.isWorker) cluster.worker?.disconnect();
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
