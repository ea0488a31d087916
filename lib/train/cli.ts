// The command lines of scripts/: one parser over node:util's parseArgs that answers a bad flag
// with a message naming it (and the flag probably meant), never a stack trace. train.ts's
// flags (lib/train/args.ts) and every other script's go through it, so all of them refuse
// `--epoch` and answer `--help` alike: usage on stdout and exit 0, or the message and the
// usage on stderr and exit 2.
import { parseArgs } from "node:util";
import { closestName } from "../validate.js";

/** A bad command line; the message names the flag. Scripts print it with the usage, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export type FlagSpec = Readonly<Record<string, { type: "string" | "boolean" }>>;

export interface ParsedFlags {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * node:util's parseArgs refuses `--epochs -1` as "ambiguous" (the value looks like a flag)
 * and suggests `--epochs=-1`; join a negative number to its string flag, so the script's own
 * range check answers with what is actually wrong.
 */
function joinNegativeValues(argv: string[], flags: FlagSpec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = argv[i + 1];
    if (a.startsWith("--") && Object.hasOwn(flags, a.slice(2)) && flags[a.slice(2)]!.type === "string" && next !== undefined && /^-(\d|\.\d|inf)/i.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else {
      out.push(a);
    }
  }
  return out;
}

/**
 * Parses `argv` (without node and the script) strictly against `flags`; `--help` is always
 * a flag. Throws UsageError with Node's own first line, which names the flag ("Unknown option
 * '--foo'", "Option '--lr <value>' argument missing"), and the closest known flag.
 */
export function parseFlags(argv: string[], flags: FlagSpec, options: { positionals?: boolean } = {}): ParsedFlags {
  const all: FlagSpec = { ...flags, help: { type: "boolean" } };
  try {
    const { values, positionals } = parseArgs({
      args: joinNegativeValues(argv, all), options: all, strict: true, allowPositionals: options.positionals === true,
    });
    return { values: values as ParsedFlags["values"], positionals };
  } catch (err) {
    let message = (err as Error).message.split("\n")[0]!;
    const unknown = /^Unknown option '(-[^']*)'/.exec(message)?.[1];
    const name = unknown?.startsWith("--") ? unknown.slice(2).split("=")[0]! : undefined;
    const hint = name === undefined ? undefined : closestName(name, Object.keys(all));
    // With positionals Node appends a half-quoted "To specify a positional argument…": say it
    // plainly, or not at all when a flag was clearly meant.
    if (unknown !== undefined && options.positionals === true) {
      message = `Unknown option '${unknown}'${hint === undefined ? " (an argument that starts with '-' goes after '--')" : ""}`;
    }
    throw new UsageError(hint === undefined ? message : `${message} (did you mean --${hint}?)`);
  }
}

/**
 * A script's parse step, as scripts/train.ts runs its own: `parse` returns the arguments, or
 * { help: true } for --help (usage on stdout, exit 0); a UsageError it throws is printed as
 * `name: message`, a blank line and the usage, on stderr, exit 2. Other errors propagate.
 */
export function parseCommandLine<T extends object>(name: string, usage: string, parse: () => T): Exclude<T, { help: true }> {
  let parsed: T;
  try {
    parsed = parse();
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${name}: ${err.message}\n\n${usage}`);
      process.exit(2);
    }
    throw err;
  }
  if ((parsed as { help?: unknown }).help === true) {
    console.log(usage);
    process.exit(0);
  }
  return parsed as Exclude<T, { help: true }>;
}
