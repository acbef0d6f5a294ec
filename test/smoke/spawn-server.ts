/** Starts the real `lakecat serve` as a child process and waits until it listens. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface SpawnedServer {
  proc: ChildProcess;
  /** The URL of the first listening line. */
  base: string;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** Sends SIGTERM (if still running) and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** `listeners`: how many "lakecat listening" lines to wait for (one per worker process). */
export async function spawnServer(
  args: string[],
  opts: { listeners?: number; timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<SpawnedServer> {
  const proc = spawn(process.execPath, ['bin/lakecat.mjs', 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...opts.env },
  });
  let output = '';
  proc.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), opts.timeoutMs ?? 45_000);
    proc.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const urls = [...output.matchAll(/"msg":"lakecat listening","url":"(http:\/\/[^"]+)"/g)].map((m) => m[1]);
      if (urls.length >= (opts.listeners ?? 1)) {
        clearTimeout(timer);
        resolve(urls[0]);
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return {
    proc,
    base,
    output: () => output,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
      proc.kill('SIGTERM');
      return exited;
    },
  };
}
