import type { Connection, Row } from '../connections/connection.js';
import type { Dialect } from '../dialects/dialect.js';
import { MdlError } from '../errors/mdl-error.js';
import { MAX_REPORTED_KEYS } from '../materializations/duplicate-keys.js';
import type { MaterializationPlan, SqlStep } from '../materializations/strategy.js';

/** Callback per executed statement (for the structured log: label + timing, never values). */
export type StepObserver = (step: SqlStep, ms: number) => void;

/** Text of a key value (keys are scalars; anything else is shown as JSON). */
function keyText(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'object')
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return typeof v === 'string'
    ? v
    : typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean'
      ? v.toString()
      : '?';
}

/**
 * Renders the key values returned by a `check` step (key columns are all it selects). Key columns
 * tagged `meta: {phi: true}` (an MRN, a member id) are shown as `<phi>`: the message reaches logs
 * and run_results.json.
 */
function describeKeys(rows: readonly Row[], redact: ReadonlySet<string>): string {
  return rows
    .slice(0, MAX_REPORTED_KEYS)
    .map((r) => {
      const parts = Object.entries(r)
        .filter(([k]) => k !== '__mdl_count')
        .map(([k, v]) => `${k}=${redact.has(k.toLowerCase()) ? '<phi>' : keyText(v)}`);
      const n = r.__mdl_count;
      return `(${parts.join(', ')})${n === undefined ? '' : ` ×${keyText(n)}`}`;
    })
    .join(', ');
}

/**
 * Runs a plan's steps on one connection: BEGIN/COMMIT around them when the plan asks for a
 * transaction (ROLLBACK on any failure, so nothing is half-applied), `check` steps fail the plan
 * when they return rows, cleanup steps always run. Returns the affected-row count of the last
 * `rows` step.
 */
export async function runPlan(
  conn: Connection,
  dialect: Dialect,
  plan: MaterializationPlan,
  opts: {
    readonly signal?: AbortSignal;
    readonly node?: string;
    readonly onStep?: StepObserver;
    /** Lower-cased column names whose values must not appear in messages (PHI). */
    readonly redact?: ReadonlySet<string>;
  } = {},
): Promise<number | undefined> {
  const qo = opts.signal === undefined ? {} : { signal: opts.signal };
  const tx = plan.transaction && dialect.capabilities.transactions && plan.steps.length > 0;
  let rows: number | undefined;
  let open = false;
  try {
    if (tx) {
      await conn.execute(dialect.beginTransaction(), qo);
      open = true;
    }
    for (const step of plan.steps) {
      const t0 = performance.now();
      if (step.kind === 'check') {
        const found = await conn.query(step.sql, qo);
        opts.onStep?.(step, performance.now() - t0);
        if (found.length > 0) {
          const fw = step.failWith ?? {
            code: 'E_SQL' as const,
            message: `check '${step.label}' failed`,
          };
          throw new MdlError(
            fw.code,
            `${fw.message}: ${describeKeys(found, opts.redact ?? new Set())}${found.length >= MAX_REPORTED_KEYS ? ' (first 10 shown)' : ''}`,
            {
              ...(opts.node === undefined ? {} : { node: opts.node }),
              hint:
                fw.code === 'E_DUPLICATE_KEYS'
                  ? 'deduplicate the model SELECT (e.g. QUALIFY row_number() OVER (PARTITION BY <key> ORDER BY <updated_at> DESC) = 1) or fix unique_key'
                  : 'nothing was changed; fix the cause and rerun',
            },
          );
        }
        continue;
      }
      const res = await conn.execute(step.sql, qo);
      opts.onStep?.(step, performance.now() - t0);
      if (step.kind === 'rows') rows = res.rowsAffected ?? 0;
    }
    if (open) {
      await conn.execute(dialect.commitTransaction(), qo);
      open = false;
    }
    return rows;
  } catch (err) {
    if (open) {
      // The statement may have been interrupted; ROLLBACK must not inherit the abort signal.
      await conn.execute(dialect.rollbackTransaction()).catch(() => undefined);
    }
    throw err;
  } finally {
    for (const step of plan.cleanup) await conn.execute(step.sql).catch(() => undefined);
  }
}
