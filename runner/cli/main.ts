import { parseArgs } from 'node:util';
import { formatError, MdlError } from '../errors/mdl-error.js';
import { AggregateMdlError } from '../errors/diagnostics.js';
import type { CliIo, Command } from './command.js';
import { commandLoaders } from './registry.js';

const VERSION = '0.1.0';

function defaultIo(): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    isTty: process.stdout.isTTY === true,
    cwd: process.cwd(),
    env: process.env,
  };
}

function topHelp(): string {
  const names = Object.keys(commandLoaders).sort();
  return [
    `mdl ${VERSION} — dbt-style SQL modeling`,
    '',
    'Usage: mdl <command> [options]   (mdl <command> --help for its options)',
    '',
    `Commands: ${names.join(', ')}`,
    '',
  ].join('\n');
}

function commandHelp(cmd: Command): string {
  const opts = Object.entries(cmd.options)
    .map(([k, v]) => {
      const short = 'short' in v && v.short !== undefined ? `-${v.short}, ` : '';
      return `  ${short}--${k}${v.type === 'string' ? ' <value>' : ''}`;
    })
    .join('\n');
  return `mdl ${cmd.name} — ${cmd.summary}\n\n${cmd.usage}\n\nOptions:\n${opts}\n`;
}

/** Prints an error (or each error of an aggregate) and returns exit code 2 or 1. */
export function reportError(err: unknown, io: CliIo): number {
  if (err instanceof AggregateMdlError) {
    io.stderr(`${err.message}\n`);
    for (const e of err.errors) io.stderr(`${formatError(e)}\n`);
    return 2;
  }
  io.stderr(`${formatError(err)}\n`);
  if (err instanceof MdlError) return err.code === 'E_SQL' || err.code === 'E_CONNECTION' ? 1 : 2;
  if (err instanceof Error && err.stack !== undefined && process.env.MDL_DEBUG === '1')
    io.stderr(`${err.stack}\n`);
  return 2;
}

/** Entry point: returns the process exit code (0 ok, 1 run failures, 2 usage/project error). */
export async function main(argv: readonly string[], io: CliIo = defaultIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(topHelp());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  const load = commandLoaders[name];
  if (load === undefined) {
    io.stderr(`E_USAGE: unknown command '${name}'. Run 'mdl --help' for the list of commands.\n`);
    return 2;
  }
  const cmd = await load();
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: cmd.options,
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    io.stderr(`E_USAGE: ${(err as Error).message}\nRun 'mdl ${name} --help' for its options.\n`);
    return 2;
  }
  if (parsed.values.help === true) {
    io.stdout(commandHelp(cmd));
    return 0;
  }
  try {
    return await cmd.run(parsed.values, parsed.positionals, io);
  } catch (err) {
    return reportError(err, io);
  }
}
