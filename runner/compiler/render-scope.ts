import type { MdlError } from '../errors/mdl-error.js';
import type { PlaceholderRef, RelationValue } from './relation-value.js';

/** A `ref()` call seen while rendering. */
export interface RecordedRef {
  readonly pkg?: string;
  readonly name: string;
  readonly line: number;
}

/** A `source()` call seen while rendering. */
export interface RecordedSource {
  readonly source: string;
  readonly table: string;
  readonly line: number;
}

/**
 * Everything one template render reads and records. The parse pass records refs/sources/config
 * with relation placeholders; the render pass passes `resolve` so relations print for real.
 * Mutable on purpose: it is the recorder of one synchronous render.
 */
export interface RenderScope {
  readonly file: string;
  /** Raw template text (to locate calls for error lines). */
  readonly source: string;
  /** Line of `source`'s first line in `file` (YAML-embedded expressions). */
  readonly lineOffset: number;
  readonly incremental: boolean;
  /** Render pass: resolves relations; absent in the parse pass (placeholders are printed). */
  readonly resolve?: (p: PlaceholderRef) => RelationValue | undefined;
  readonly refs: RecordedRef[];
  readonly sources: RecordedSource[];
  config: Record<string, unknown>;
  readonly macros: Set<string>;
  calledIsIncremental: boolean;
  /** A relation part (`.schema`) was read in the parse pass: the render pass must re-render. */
  needsResolve: boolean;
  /** env var name → sha256 of the value seen ('' when unset), for cache validation. */
  readonly env: Record<string, string>;
  readonly problems: MdlError[];
}

/** A fresh scope. */
export function newScope(
  file: string,
  source: string,
  opts: {
    readonly incremental?: boolean;
    readonly resolve?: RenderScope['resolve'];
    readonly lineOffset?: number;
  } = {},
): RenderScope {
  return {
    file,
    source,
    lineOffset: opts.lineOffset ?? 0,
    incremental: opts.incremental ?? false,
    ...(opts.resolve === undefined ? {} : { resolve: opts.resolve }),
    refs: [],
    sources: [],
    config: {},
    macros: new Set(),
    calledIsIncremental: false,
    needsResolve: false,
    env: {},
    problems: [],
  };
}

/**
 * 1-based line of the first match of `pattern` in the scope's source (calls are located by text
 * because Nunjucks does not tell a global function where it was called from).
 */
export function lineOfCall(scope: RenderScope, pattern: RegExp): number {
  const m = pattern.exec(scope.source);
  if (m === null) return scope.lineOffset + 1;
  let line = 1;
  for (let i = 0; i < m.index; i++) if (scope.source.charCodeAt(i) === 10) line++;
  return scope.lineOffset + line;
}

/** Escapes text for use inside a RegExp. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
