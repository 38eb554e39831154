import * as path from 'node:path';
import { parse as parseYamlText } from 'yaml';
import { compileProject, selectTarget } from '../compiler/compile-project.js';
import type { CompileOptions } from '../compiler/compile-project.js';
import type { Manifest } from '../compiler/manifest.js';
import { MdlError } from '../errors/mdl-error.js';
import { loadProject } from '../project/load-project.js';
import type { Project, Target } from '../project/types.js';
import type { CliIo, Flags } from './command.js';

/** What project commands work on. */
export interface LoadedAndCompiled {
  readonly project: Project;
  readonly manifest: Manifest;
  readonly target: Target;
}

/** `--vars '{key: value}'` (YAML or JSON) as a mapping; E_USAGE otherwise. */
export function parseVarsFlag(text: string | undefined): Readonly<Record<string, unknown>> {
  if (text === undefined || text.trim() === '') return {};
  let v: unknown;
  try {
    v = parseYamlText(text);
  } catch (err) {
    throw new MdlError(
      'E_USAGE',
      `--vars is not valid YAML/JSON: ${(err as Error).message.split('\n')[0] ?? ''}`,
      { hint: `write --vars '{name: value, other: 2}'` },
    );
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new MdlError('E_USAGE', '--vars must be a mapping', {
      hint: `write --vars '{name: value}'`,
    });
  return v as Record<string, unknown>;
}

/** The project directory from `--project-dir`, resolved against the invocation's cwd. */
export function projectDirOf(flags: Flags, io: CliIo): string {
  const dir = flags['project-dir'];
  return path.resolve(io.cwd, typeof dir === 'string' ? dir : '.');
}

/**
 * Shared front half of every project command: parses `--project-dir`, `--target`, `--vars`,
 * loads the project and compiles it (with the compile cache). Errors are thrown as MdlError /
 * AggregateMdlError for the CLI to print (exit code 2).
 */
export async function loadAndCompile(
  flags: Flags,
  io: CliIo,
  opts: {
    readonly renderSql?: boolean;
    readonly useCache?: boolean;
    /** Parse-pass results per template file (the compile command's incremental snapshot). */
    readonly onParsed?: CompileOptions['onParsed'];
  } = {},
): Promise<LoadedAndCompiled> {
  const targetName = typeof flags.target === 'string' ? flags.target : undefined;
  const vars = parseVarsFlag(typeof flags.vars === 'string' ? flags.vars : undefined);
  const project = await loadProject({
    projectDir: projectDirOf(flags, io),
    ...(targetName === undefined ? {} : { targetName }),
    env: io.env,
    useCache: opts.useCache ?? true,
  });
  const target = selectTarget(project, targetName);
  const manifest = await compileProject(project, {
    ...(targetName === undefined ? {} : { targetName }),
    vars,
    env: io.env,
    useCache: opts.useCache ?? true,
    ...(opts.renderSql === undefined ? {} : { renderSql: opts.renderSql }),
    ...(opts.onParsed === undefined ? {} : { onParsed: opts.onParsed }),
  });
  return { project, manifest, target };
}
