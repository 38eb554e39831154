import fs from 'node:fs';
import path from 'node:path';
import { MdlError } from '../errors/mdl-error.js';
import type { NodeResult, NodeStatus, RunResults } from './run-result.js';

/** `target/run_results.json`, written atomically (temp file + rename) so a crash never truncates it. */
export function writeRunResults(targetPath: string, results: RunResults): string {
  fs.mkdirSync(targetPath, { recursive: true });
  const file = path.join(targetPath, 'run_results.json');
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(results, null, 2)}\n`);
  fs.renameSync(tmp, file);
  return file;
}

/** Reads the previous run's results (for `mdl retry`). */
export function readRunResults(targetPath: string): RunResults {
  const file = path.join(targetPath, 'run_results.json');
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new MdlError('E_FILE_NOT_FOUND', `no previous run results at ${file}`, {
      hint: 'run `mdl run`, `mdl build`, `mdl test` or `mdl seed` first; retry re-runs what failed there',
    });
  }
  try {
    const parsed = JSON.parse(text) as RunResults;
    if (!Array.isArray(parsed.results)) throw new Error('results is not a list');
    return parsed;
  } catch (err) {
    throw new MdlError('E_PROJECT', `cannot read ${file}: ${(err as Error).message}`, {
      hint: 'delete the file and run the command again',
    });
  }
}

/** Statuses `mdl retry` re-runs. */
export const RETRY_STATUSES: ReadonlySet<NodeStatus> = new Set([
  'error',
  'fail',
  'skipped',
  'cancelled',
]);

/** Counts per status, for the summary and the exit code. */
export function countStatuses(
  results: readonly NodeResult[],
): Readonly<Record<NodeStatus, number>> {
  const counts: Record<NodeStatus, number> = {
    success: 0,
    error: 0,
    skipped: 0,
    pass: 0,
    warn: 0,
    fail: 0,
    cancelled: 0,
  };
  for (const r of results) counts[r.status] += 1;
  return counts;
}

/**
 * Structured log `target/mdl.log`: one JSON object per line (events, timings, labels; never row
 * values, var values or secrets). Buffered and flushed in batches: logging must not cost more
 * per node than the node itself.
 */
export class RunLog {
  private buffer: string[] = [];
  private readonly file: string;

  constructor(
    targetPath: string,
    private readonly invocationId: string,
  ) {
    fs.mkdirSync(targetPath, { recursive: true });
    this.file = path.join(targetPath, 'mdl.log');
  }

  write(event: Readonly<Record<string, unknown>>): void {
    this.buffer.push(
      JSON.stringify({ ts: new Date().toISOString(), invocation: this.invocationId, ...event }),
    );
    if (this.buffer.length >= 500) this.flush();
  }

  flush(): void {
    if (this.buffer.length === 0) return;
    fs.appendFileSync(this.file, `${this.buffer.join('\n')}\n`);
    this.buffer = [];
  }
}
