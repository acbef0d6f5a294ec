import { ConfigError, readConfig, SETTINGS } from '../config.js';
import { DEFAULT_SERVER_URL } from './client.js';
import { CLIENT_COMMANDS, findCommand, runClientCommand } from './run.js';

const USAGE = `Usage: lakecat <command> [options]

Commands:
  serve      Start the catalog server (Iceberg REST at /v1, ops at /health, /ready, /metrics)
  migrate    Apply database migrations and exit
  help       Show this help
${CLIENT_COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Client options (all commands but serve and migrate; 'lakecat <command> --help' for details):
  --server URL   the lakecat server to talk to (LAKECAT_URL, default ${DEFAULT_SERVER_URL})
  --json         machine-readable output

Exit codes: 0 ok, 1 operation failed (e.g. merge conflict), 2 usage error, 3 not found,
  4 server unreachable

Server options (each also as an environment variable):
${SETTINGS.map((s) => `  --${s.flag.padEnd(22)} ${s.env.padEnd(30)} ${s.help}`).join('\n')}
`;

/** Entry point of the `lakecat` command. Returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command = 'help', ...rest] = argv;
  try {
    switch (command) {
      case 'serve': {
        const { serve } = await import('../cluster.js');
        await serve(readConfig(rest, process.env));
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
      default: {
        const client = findCommand(command);
        if (client) {
          return await runClientCommand(client, rest, process.env, {
            out: (text) => process.stdout.write(text),
            err: (text) => process.stderr.write(text),
          });
        }
        process.stderr.write(`lakecat: unknown command '${command}'\n\n${USAGE}`);
        return 2;
      }
    }
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`lakecat: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
