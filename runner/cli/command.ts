import type { ParseArgsConfig } from 'node:util';

/** Where a command writes; tests pass in-memory sinks. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** True when stdout is an interactive terminal (live progress display). */
  readonly isTty: boolean;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Parsed flags as given by node:util parseArgs. */
export type Flags = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/**
 * One CLI command. Thin: it parses flags, calls the library and returns an exit code
 * (0 success, 1 failures during a run, 2 usage or project error).
 */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** Extra usage text shown by `mdl <cmd> --help`. */
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  run(flags: Flags, positionals: readonly string[], io: CliIo): Promise<number>;
}
