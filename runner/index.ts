/** Library entry point: the stages of the runner, for programmatic use and tests. */
export * from './errors/mdl-error.js';
export * from './errors/diagnostics.js';
export type * from './project/types.js';
export type * from './compiler/manifest.js';
export type * from './dialects/dialect.js';
export type * from './connections/connection.js';
export type * from './execute/run-result.js';
export { main } from './cli/main.js';
