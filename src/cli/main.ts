import { ConfigError, readConfig, SETTINGS } from '../config.js';
import { DEFAULT_SERVER_URL } from './client.js';
import { CLIENT_COMMANDS, findCommand, runClientCommand } from './run.js';

const USAGE = `Usage: lakecat <command> [options]

Commands:
  serve      Start the catalog server (Iceberg REST at /v1, ops at /health, /ready, /metrics)
  migrate    Apply database migrations and exit
  hash-secret  Read a service client's secret from stdin and print the hash for --auth-clients-file
  help       Show this help
${CLIENT_COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`).join('\n')}

Client options (all commands but serve, migrate and hash-secret; 'lakecat <command> --help' for details):
  --server URL   the lakecat server to talk to (LAKECAT_URL, default ${DEFAULT_SERVER_URL})
  --token TOKEN  bearer token to send (LAKECAT_TOKEN); or LAKECAT_CLIENT_ID and LAKECAT_CLIENT_SECRET
                 to get one by the client-credentials grant (from LAKECAT_TOKEN_URL, default the
                 server's /v1/oauth/tokens; LAKECAT_TOKEN_SCOPE optional)
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
      case 'hash-secret': {
        if (rest.length > 0) {
          process.stderr.write('lakecat: hash-secret reads the secret from stdin (never from the command line), e.g.\n  printf %s "$SECRET" | lakecat hash-secret\n');
          return 2;
        }
        const chunks: Buffer[] = [];
        for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
        const secret = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
        if (secret.length < 16) {
          process.stderr.write('lakecat: the secret must be at least 16 characters\n');
          return 2;
        }
        const { hashSecret } = await import('../catalog/access/service-clients.js');
        process.stdout.write(`${await hashSecret(secret)}\n`);
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
