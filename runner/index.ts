/** Library entry point: the stages of the runner, for programmatic use and tests. */
export * from './errors/mdl-error.js';
export * from './errors/diagnostics.js';
export type * from './project/types.js';
export type * from './compiler/manifest.js';
export type * from './dialects/dialect.js';
export type * from './connections/connection.js';
export type * from './execute/run-result.js';
export { loadProject, type LoadProjectOptions } from './project/load-project.js';
export { compileProject, selectTarget, type CompileOptions } from './compiler/compile-project.js';
export { writeManifest, writeCompiledSql } from './compiler/write-artifacts.js';
export { Dag } from './graph/dag.js';
export { findCycle, formatCycle } from './graph/find-cycle.js';
export { buildGraph } from './graph/build-graph.js';
export { selectNodes, selectNodesDetailed, type SelectionOutcome } from './graph/select.js';
export type * from './graph/selection-criteria.js';
export { runGraph, type RunGraphOptions, type SchedulerEvent } from './execute/scheduler.js';
export * from './ingest/load-config.js';
export {
  runIngest,
  INGEST_PATHS,
  type RunIngestOptions,
  type IngestSummary,
} from './ingest/run-ingest.js';
export { main } from './cli/main.js';
