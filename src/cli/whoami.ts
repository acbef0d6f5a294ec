/** `lakecat whoami`: who the server takes the caller for. */
import { expectPositionals } from './args.js';
import type { Command } from './command.js';
import { EXIT } from './errors.js';
import { jsonOutput } from './format.js';

export const whoamiCommand: Command = {
  name: 'whoami',
  summary: 'Show who the server takes you for: principal, roles, and whether authentication is on',
  usage: 'lakecat whoami',
  options: [],
  async run(ctx, args) {
    expectPositionals(args, 0, 0, 'lakecat whoami');
    const me = await ctx.client.whoami();
    if (ctx.json) {
      ctx.out(jsonOutput(me));
      return EXIT.OK;
    }
    const p = (me.principal ?? {}) as { kind?: string; name?: string; roles?: string[]; issuer?: string };
    const roles = p.roles && p.roles.length > 0 ? p.roles.join(', ') : '(none)';
    ctx.out(`${p.name ?? '?'} (${p.kind ?? '?'}${p.issuer ? `, issued by ${p.issuer}` : ''})\nroles: ${roles}\nauthentication: ${String(me.authentication)}\n`);
    return EXIT.OK;
  },
};
