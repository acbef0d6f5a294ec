import { ConfigError, readConfig, SETTINGS } from '../config.js';

const USAGE = `Usage: lakecat <command> [options]

Commands:
  serve      Start the catalog server (Iceberg REST at /v1, ops at /health, /ready, /metrics)
  migrate    Apply database migrations and exit
  help       Show this help

Server options (each also as an environment variable):
${SETTINGS.map((s) => `  --${s.flag.padEnd(22)} ${s.env.padEnd(30)} ${s.help}`).join('\n')}
`;

/** Entry point of the `lakecat` command. Returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  try {
    switch (command) {
      case 'serve': {
        const { startServer } = await import('../main.js');
        const { lakecat, server } = await startServer(readConfig(rest, process.env));
        await new Promise<void>((resolve) => {
          const stop = () => {
            server.close();
            lakecat.close().finally(resolve);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
        return 0;
      }
      case 'migrate': {
        const { openStore } = await import('../main.js');
        const store = await openStore(readConfig(rest, process.env));
        await store.close();
        console.log('migrations applied');
        return 0;
      }
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return 0;
      default:
        process.stderr.write(`lakecat: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`lakecat: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
