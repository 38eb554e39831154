import type { ResourceType } from '../../compiler/manifest.js';
import { writeManifest } from '../../compiler/write-artifacts.js';
import { formatError, isMdlError, MdlError } from '../../errors/mdl-error.js';
import { runInvocation, type ExecCommand } from '../../execute/invocation.js';
import type { SelectionCriteria } from '../../graph/selection-criteria.js';
import type { CliIo, Flags } from '../command.js';
import { projectOptions, selectionOptions } from '../common-options.js';
import type { Adapter } from '../../adapters/adapter.js';
import { openAdapter } from '../../adapters/open-adapter.js';
import { compileProject, selectTarget } from '../../compiler/compile-project.js';
import { loadProject } from '../../project/load-project.js';
import { parseVarsFlag, projectDirOf, type LoadedAndCompiled } from '../load-and-compile.js';
import { ProgressReporter, type ProgressMode } from '../progress-reporter.js';

/** Flags of run/build/test/seed/retry. */
export const execOptions = {
  ...projectOptions,
  ...selectionOptions,
  threads: { type: 'string' },
  'fail-fast': { type: 'boolean', short: 'x' },
  'full-refresh': { type: 'boolean' },
  'log-format': { type: 'string' },
  'indirect-selection': { type: 'string' },
} as const;

export const EXEC_USAGE = [
  'Selection: --select/-s, --exclude, --selector, --resource-type (dbt syntax).',
  "Execution: --threads N (default: the target's), --fail-fast/-x, --full-refresh.",
  'Output: --log-format text|json; results in target/run_results.json, log in target/mdl.log.',
  'Exit code: 0 ok (warnings included), 1 a node failed or was cancelled, 2 usage/project error, 130 interrupted.',
].join('\n');

const strings = (v: Flags[string]): string[] =>
  v === undefined
    ? []
    : (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');

/** `--threads` as a whole number ≥ 1 (undefined = target default). */
export function parseThreads(flags: Flags): number | undefined {
  const raw = flags.threads;
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new MdlError(
      'E_USAGE',
      `--threads must be a whole number from 1 to 256 (got '${String(raw)}')`,
    );
  }
  return n;
}

/** Progress mode from `--log-format` and the terminal. */
export function progressMode(flags: Flags, io: CliIo): ProgressMode {
  const f = flags['log-format'];
  if (f === undefined || f === 'text') return io.isTty ? 'tty' : 'plain';
  if (f === 'json') return 'json';
  throw new MdlError('E_USAGE', `--log-format must be text or json (got '${String(f)}')`);
}

/** Selection flags → criteria. */
export function criteriaFrom(flags: Flags): SelectionCriteria {
  const indirect = flags['indirect-selection'];
  if (
    indirect !== undefined &&
    indirect !== 'eager' &&
    indirect !== 'cautious' &&
    indirect !== 'empty'
  ) {
    throw new MdlError(
      'E_USAGE',
      `--indirect-selection must be eager, cautious or empty (got '${String(indirect)}')`,
    );
  }
  const resourceTypes = strings(flags['resource-type']) as ResourceType[];
  return {
    select: [...strings(flags.select), ...strings(flags.models)],
    exclude: strings(flags.exclude),
    ...(typeof flags.selector === 'string' ? { selector: flags.selector } : {}),
    ...(resourceTypes.length > 0 ? { resourceTypes } : {}),
    ...(indirect === undefined ? {} : { indirectSelection: indirect }),
  };
}

/**
 * Ctrl-C: the first SIGINT aborts the run (running statements are interrupted and rolled back,
 * nothing half-built stays), a second one exits at once.
 */
export function installInterrupt(io: CliIo): { readonly signal: AbortSignal; dispose(): void } {
  const ctrl = new AbortController();
  const onSigint = (): void => {
    if (ctrl.signal.aborted) process.exit(130);
    io.stderr(
      '\nInterrupted: cancelling running statements and rolling back (Ctrl-C again to quit now)\n',
    );
    ctrl.abort();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  return {
    signal: ctrl.signal,
    dispose: () => {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    },
  };
}

/** Options of {@link runExec} beyond the flags. */
export interface RunExecOptions {
  /** Exactly these nodes (retry). */
  readonly onlyIds?: ReadonlySet<string>;
  /** Recorded command name (retry records the original command). */
  readonly recordAs?: ExecCommand;
}

/** Shared body of run/build/test/seed: compile, execute, report, exit code. */
export async function runExec(
  command: ExecCommand,
  flags: Flags,
  io: CliIo,
  opts: RunExecOptions = {},
): Promise<number> {
  const threads = parseThreads(flags);
  const mode = progressMode(flags, io);
  const criteria = criteriaFrom(flags);
  let loaded: LoadedAndCompiled & { readonly adapter: Adapter };
  try {
    loaded = await loadCompileAndOpen(flags, io, threads);
  } catch (err) {
    // A locked database or an unreachable engine is a run failure (1), not a usage error (2).
    if (isMdlError(err) && (err.code === 'E_DB_LOCKED' || err.code === 'E_CONNECTION')) {
      io.stderr(`${formatError(err)}\n`);
      return 1;
    }
    throw err;
  }
  const { project, manifest, target, adapter } = loaded;
  const reporter = new ProgressReporter(io, manifest, mode);
  const interrupt = installInterrupt(io);
  try {
    const outcome = await runInvocation({
      adapter,
      command,
      project,
      manifest,
      target,
      criteria,
      ...(opts.onlyIds === undefined ? {} : { onlyIds: opts.onlyIds }),
      ...(threads === undefined ? {} : { threads }),
      failFast: flags['fail-fast'] === true,
      fullRefresh: flags['full-refresh'] === true,
      signal: interrupt.signal,
      onEvent: (e) => reporter.handle(e),
      args: {
        command: opts.recordAs ?? command,
        target: target.name,
        select: criteria.select,
        exclude: criteria.exclude,
        ...(criteria.selector === undefined ? {} : { selector: criteria.selector }),
        ...(criteria.resourceTypes === undefined ? {} : { resourceTypes: criteria.resourceTypes }),
        ...(threads === undefined ? {} : { threads }),
        failFast: flags['fail-fast'] === true,
        fullRefresh: flags['full-refresh'] === true,
        ...(typeof flags['project-dir'] === 'string' ? { projectDir: flags['project-dir'] } : {}),
      },
    });
    reporter.summary(outcome.runResults);
    // Written after the run: it is not needed to execute, and start → first statement is budgeted.
    writeManifest(manifest, project.targetPath);
    if (interrupt.signal.aborted) return 130;
    return outcome.exitCode;
  } finally {
    interrupt.dispose();
    await adapter.close();
  }
}

/**
 * loadAndCompile, but the warehouse connection is opened while the project compiles: DuckDB
 * opens its file on a worker thread, so the open overlaps the (main-thread) compile. A compile
 * error still wins over a connection error (it is the one the user must fix first).
 */
async function loadCompileAndOpen(
  flags: Flags,
  io: CliIo,
  threads: number | undefined,
): Promise<LoadedAndCompiled & { readonly adapter: Adapter }> {
  const targetName = typeof flags.target === 'string' ? flags.target : undefined;
  const vars = parseVarsFlag(typeof flags.vars === 'string' ? flags.vars : undefined);
  const project = await loadProject({
    projectDir: projectDirOf(flags, io),
    ...(targetName === undefined ? {} : { targetName }),
    env: io.env,
  });
  const target = selectTarget(project, targetName);
  const opening = openAdapter(target, Math.max(1, threads ?? target.threads)).then(
    (adapter) => ({ ok: true as const, adapter }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  let manifest;
  try {
    manifest = await compileProject(project, {
      ...(targetName === undefined ? {} : { targetName }),
      vars,
      env: io.env,
      useCache: true,
    });
  } catch (err) {
    const o = await opening;
    if (o.ok) await o.adapter.close();
    throw err;
  }
  const o = await opening;
  if (!o.ok) throw o.error;
  return { project, manifest, target, adapter: o.adapter };
}
