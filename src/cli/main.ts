import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/** Entry point of the `lakecat` command. Returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command = 'serve'] = argv;
  if (command !== 'serve') {
    console.error(`lakecat: unknown command '${command}'. Try: lakecat serve`);
    return 2;
  }
  const app = new Hono();
  app.get('/health', (c) => c.json({ status: 'UP' }));
  const port = Number(process.env.LAKECAT_PORT ?? 8181);
  serve({ fetch: app.fetch, port }, (info) => console.log(`lakecat listening on http://localhost:${info.port}`));
  return new Promise<number>(() => {});
}
