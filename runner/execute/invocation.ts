import { randomBytes } from 'node:crypto';
import type { Adapter, Introspection } from '../adapters/adapter.js';
import { openAdapter } from '../adapters/open-adapter.js';
import type {
  ExecutableNode,
  Manifest,
  ManifestNode,
  RelationName,
  ResourceType,
  SourceNode,
} from '../compiler/manifest.js';
import { buildGraph } from '../graph/build-graph.js';
import { Dag } from '../graph/dag.js';
import { selectNodesDetailed } from '../graph/select.js';
import type { SelectionCriteria } from '../graph/selection-criteria.js';
import type { Project, Target } from '../project/types.js';
import { countStatuses, RunLog, writeRunResults } from './artifacts.js';
import { executeNode } from './execute-node.js';
import type { RunContext } from './run-context.js';
import type { NodeResult, RunResults } from './run-result.js';
import { runGraph, type SchedulerEvent } from './scheduler.js';

/** The commands that execute nodes. */
export type ExecCommand = 'run' | 'build' | 'test' | 'seed';

/** Resource types each command executes. */
export const COMMAND_RESOURCE_TYPES: Readonly<Record<ExecCommand, readonly ResourceType[]>> = {
  run: ['model', 'snapshot'],
  test: ['test'],
  seed: ['seed'],
  build: ['seed', 'model', 'snapshot', 'test'],
};

/** Events for progress displays (the CLI renders them; the library never prints). */
export type InvocationEvent =
  | {
      readonly type: 'selected';
      readonly total: number;
      readonly threads: number;
      readonly target: string;
    }
  | { readonly type: 'warning'; readonly message: string; readonly node?: string }
  | SchedulerEvent;

export interface InvocationRequest {
  readonly command: ExecCommand;
  readonly project: Project;
  readonly manifest: Manifest;
  readonly target: Target;
  readonly criteria: SelectionCriteria;
  /** Exactly these ids instead of a selection (`mdl retry`). */
  readonly onlyIds?: ReadonlySet<string>;
  readonly threads?: number;
  readonly failFast: boolean;
  readonly fullRefresh: boolean;
  readonly signal?: AbortSignal;
  readonly onEvent?: (e: InvocationEvent) => void;
  /** Recorded in run_results.json so `mdl retry` can repeat the invocation (no var values). */
  readonly args: Readonly<Record<string, unknown>>;
  /** Test seam: an already opened adapter (closed by the caller). */
  readonly adapter?: Adapter;
}

export interface InvocationOutcome {
  readonly runResults: RunResults;
  /** 0 all good (warn included), 1 any error/fail/cancelled. */
  readonly exitCode: 0 | 1;
  readonly resultsFile: string;
}

/** Short unique id for temp relation names: `<yyyymmddhhmmss>_<hex>`. */
export function newRunId(): string {
  const ts = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
  return `${ts}_${randomBytes(3).toString('hex')}`;
}

function isExecutable(n: ManifestNode): n is ExecutableNode {
  return n.resourceType !== 'source';
}

/** Relations of nodes that are built (ephemeral and tests excluded). */
function builtRelations(nodes: readonly ExecutableNode[]): RelationName[] {
  return nodes
    .filter(
      (n) =>
        n.resourceType !== 'test' &&
        !(n.resourceType === 'model' && n.config.materialized === 'ephemeral'),
    )
    .map((n) => n.relation);
}

/**
 * select → open adapter → introspect (one query) → schemas + external sources → schedule
 * `executeNode` over the DAG → `target/run_results.json` + `target/mdl.log`.
 */
export async function runInvocation(req: InvocationRequest): Promise<InvocationOutcome> {
  const started = performance.now();
  const invocationId = newRunId();
  const log = new RunLog(req.project.targetPath, invocationId);
  const { manifest } = req;
  const baseDag = Dag.fromManifest(manifest);
  const dag = req.command === 'build' ? buildGraph(manifest, baseDag) : baseDag;
  const types = new Set(COMMAND_RESOURCE_TYPES[req.command]);

  let selectedIds: string[];
  if (req.onlyIds !== undefined) {
    selectedIds = [...req.onlyIds].filter((id) => manifest.nodes[id] !== undefined);
  } else {
    const outcome = selectNodesDetailed(manifest, req.criteria, req.project.selectors, baseDag);
    for (const atom of outcome.unmatched)
      req.onEvent?.({ type: 'warning', message: `selector '${atom}' matched no node` });
    selectedIds = [...outcome.selected];
  }
  const nodes = selectedIds
    .map((id) => manifest.nodes[id])
    .filter(
      (n): n is ExecutableNode =>
        n !== undefined &&
        isExecutable(n) &&
        types.has(n.resourceType) &&
        n.config.enabled !== false,
    );
  const selected = new Set(nodes.map((n) => n.uniqueId));
  const threads = req.threads ?? req.target.threads;
  log.write({
    event: 'invocation_start',
    command: req.command,
    target: req.target.name,
    selected: selected.size,
    threads,
  });
  req.onEvent?.({ type: 'selected', total: selected.size, threads, target: req.target.name });

  log.write({ event: 'phase', name: 'select', ms: Math.round(performance.now() - started) });
  const adapter = req.adapter ?? (await openAdapter(req.target, Math.max(1, threads)));
  log.write({ event: 'phase', name: 'open', ms: Math.round(performance.now() - started) });
  let results: readonly NodeResult[] = [];
  try {
    if (selected.size > 0) {
      const relations = builtRelations(nodes);
      const introspection: Introspection = await adapter.introspect(relations);
      log.write({
        event: 'phase',
        name: 'introspect',
        ms: Math.round(performance.now() - started),
      });
      await adapter.ensureSchemas(relations, introspection);
      const sources = Object.values(manifest.nodes).filter(
        (n): n is SourceNode => n.resourceType === 'source',
      );
      for (const o of await adapter.createExternalSources(sources, req.project.dir)) {
        if (!o.ok) {
          const message = `source ${o.uniqueId}: ${o.message ?? 'view not created'}`;
          log.write({ event: 'warn', node: o.uniqueId, message });
          req.onEvent?.({ type: 'warning', message, node: o.uniqueId });
        }
      }
      log.write({ event: 'phase', name: 'prepare', ms: Math.round(performance.now() - started) });
      const ctx: RunContext = {
        adapter,
        manifest,
        projectDir: req.project.dir,
        targetSchema: req.target.schema,
        introspection,
        options: { fullRefresh: req.fullRefresh, runId: invocationId },
        log: (e) => log.write(e),
      };
      results = await runGraph({
        dag,
        selected,
        threads,
        failFast: req.failFast,
        ...(req.signal === undefined ? {} : { signal: req.signal }),
        runNode: (id, signal) => executeNode(ctx, manifest.nodes[id]!, signal),
        onEvent: (e) => {
          if (e.type === 'finish') {
            const r = e.result;
            log.write({
              event: 'node_finish',
              node: r.uniqueId,
              status: r.status,
              ms: r.executionTimeMs,
              ...(r.rowsAffected === undefined ? {} : { rows: r.rowsAffected }),
              ...(r.errorCode === undefined ? {} : { code: r.errorCode }),
              ...(r.message === undefined ? {} : { message: r.message }),
            });
          }
          req.onEvent?.(e);
        },
      });
    }
  } finally {
    if (req.adapter === undefined) await adapter.close();
  }
  const elapsedMs = Math.round(performance.now() - started);
  const runResults: RunResults = {
    metadata: { invocationId, command: req.command, generatedAt: new Date().toISOString() },
    elapsedMs,
    results,
    args: req.args,
  };
  const counts = countStatuses(results);
  log.write({ event: 'invocation_finish', elapsedMs, ...counts });
  log.flush();
  const resultsFile = writeRunResults(req.project.targetPath, runResults);
  const bad = counts.error + counts.fail + counts.cancelled;
  return { runResults, exitCode: bad > 0 ? 1 : 0, resultsFile };
}
