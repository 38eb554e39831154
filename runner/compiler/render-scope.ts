import type { MdlError } from '../errors/mdl-error.js';
import type { PlaceholderRef, RelationValue } from './relation-value.js';

/** A `ref()` call seen while rendering. */
export interface RecordedRef {
  readonly pkg?: string;
  readonly name: string;
}

/** A `source()` call seen while rendering. */
export interface RecordedSource {
  readonly source: string;
  readonly table: string;
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
  return scope.lineOffset + lineInText(scope.source, pattern);
}

/** 1-based line of the first match of `pattern` in `text` (1 when absent). */
export function lineInText(text: string, pattern: RegExp): number {
  const m = pattern.exec(text);
  if (m === null) return 1;
  let line = 1;
  for (let i = 0; i < m.index; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** Where `ref('name')` / `ref('pkg', 'name')` is written in a template (for messages). */
export function refPattern(name: string, pkg?: string): RegExp {
  const q = (s: string): string => `['"]${escapeRegExp(s)}['"]`;
  return new RegExp(`ref\\(\\s*(?:${pkg === undefined ? '' : `${q(pkg)}\\s*,\\s*`})${q(name)}`);
}

/** Where `source('src', 'table')` is written in a template. */
export function sourcePattern(source: string, table: string): RegExp {
  const q = (s: string): string => `['"]${escapeRegExp(s)}['"]`;
  return new RegExp(`source\\(\\s*${q(source)}\\s*,\\s*${q(table)}`);
}

/** Escapes text for use inside a RegExp. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A value as template output text, the way Nunjucks prints it (null/undefined → ''). */
export function printValue(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  // Relation values and Nunjucks SafeStrings print through their own toString().
  // eslint-disable-next-line @typescript-eslint/no-base-to-string
  return String(v);
}
