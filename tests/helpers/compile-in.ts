import { expect } from 'vitest';
import type { Flags } from '../../runner/cli/command.js';
import { compileCommand } from '../../runner/cli/commands/compile.js';

/** Runs `mdl compile` in-process on `dir`, expects exit code 0, returns what it wrote to stderr. */
export async function compileIn(
  dir: string,
  flags: Flags = {},
  env: Record<string, string | undefined> = {},
): Promise<string> {
  let err = '';
  const code = await compileCommand.run({ 'project-dir': dir, ...flags }, [], {
    stdout: () => undefined,
    stderr: (t) => {
      err += t;
    },
    isTty: false,
    cwd: dir,
    env,
  });
  expect(code, err).toBe(0);
  return err;
}
