/**
 * Command-line parsing: GNU-style `--name value`, `--name=value`, short aliases (`-n 5`),
 * repeatable options, and `--` to end options. Each command declares its options, so an unknown
 * or misspelt option is a usage error instead of being silently ignored.
 */
import { UsageError } from './errors.js';

export type OptionKind = 'flag' | 'value' | 'list';

export interface OptionSpec {
  name: string;
  kind: OptionKind;
  short?: string;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  values: Map<string, string>;
  lists: Map<string, string[]>;
}

/** Options every command accepts. */
export const GLOBAL_OPTIONS: OptionSpec[] = [
  { name: 'server', kind: 'value' },
  { name: 'token', kind: 'value' },
  { name: 'json', kind: 'flag' },
  { name: 'help', kind: 'flag', short: 'h' },
];

export function parseArgs(argv: string[], specs: OptionSpec[]): ParsedArgs {
  const all = [...GLOBAL_OPTIONS, ...specs];
  const byName = new Map(all.map((s) => [s.name, s]));
  const byShort = new Map(all.filter((s) => s.short).map((s) => [s.short as string, s]));
  const out: ParsedArgs = { positionals: [], flags: new Set(), values: new Map(), lists: new Map() };

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    let spec: OptionSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      spec = byName.get(name);
      if (!spec) throw new UsageError(`unknown option '--${name}'`);
    } else if (arg.startsWith('-') && arg.length > 1 && !/^-[0-9]/.test(arg)) {
      spec = byShort.get(arg.slice(1, 2));
      if (!spec) throw new UsageError(`unknown option '${arg}'`);
      if (arg.length > 2) inline = arg.slice(2);
    } else {
      out.positionals.push(arg);
      continue;
    }
    const label = spec.short && !arg.startsWith('--') ? `-${spec.short}` : `--${spec.name}`;
    switch (spec.kind) {
      case 'flag':
        if (inline !== undefined) throw new UsageError(`option '${label}' takes no value`);
        out.flags.add(spec.name);
        break;
      case 'value':
      case 'list': {
        let value = inline;
        if (value === undefined) {
          if (i + 1 >= argv.length) throw new UsageError(`option '${label}' needs a value`);
          value = argv[++i];
        }
        if (spec.kind === 'value') {
          if (out.values.has(spec.name)) throw new UsageError(`option '${label}' given more than once`);
          out.values.set(spec.name, value);
        } else {
          out.lists.set(spec.name, [...(out.lists.get(spec.name) ?? []), value]);
        }
        break;
      }
      default: {
        const never: never = spec.kind;
        throw new Error(`unhandled option kind ${String(never)}`);
      }
    }
  }
  return out;
}

/** Checks the number of positional arguments; `usage` names them for the message. */
export function expectPositionals(args: ParsedArgs, min: number, max: number, usage: string): string[] {
  const n = args.positionals.length;
  if (n < min) throw new UsageError(`missing argument: usage: ${usage}`);
  if (n > max) throw new UsageError(`unexpected argument '${args.positionals[max]}': usage: ${usage}`);
  return args.positionals;
}

/** A positive integer option such as `-n 20`. */
export function positiveInt(args: ParsedArgs, name: string, label = `--${name}`): number | undefined {
  const raw = args.values.get(name);
  if (raw === undefined) return undefined;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`option '${label}' needs a positive whole number, got '${raw}'`);
  }
  return Number(raw);
}
