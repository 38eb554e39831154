import type { MdlError } from '../errors/mdl-error.js';
import type { CompileCache, ParsedTemplate } from './compile-cache.js';
import { substitutePlaceholders } from './relation-value.js';
import type { PlaceholderRef, RelationValue } from './relation-value.js';
import { newScope } from './render-scope.js';
import type { RecordedRef, RecordedSource } from './render-scope.js';
import type { CompiledTemplate, TemplateEngine } from './template-engine.js';
import { sha256 } from '../project/project-files.js';

/** A template file after the parse pass. */
export interface ParsedFile {
  readonly path: string;
  readonly content: string;
  readonly parsed: ParsedTemplate;
  /** Set when compiled in this process (reused by a full render). */
  compiled?: CompiledTemplate;
}

/**
 * Parse pass for one template: renders with recording stubs (relations print as placeholders)
 * and, when the template calls `is_incremental()`, a second time with it true. Cached by content
 * hash; problems are returned (and such files are not cached).
 */
export function parseTemplateFile(
  engine: TemplateEngine,
  file: { readonly path: string; readonly content: string; readonly hash: string },
  cache: CompileCache | undefined,
  env: Readonly<Record<string, string | undefined>>,
): { readonly file?: ParsedFile; readonly problems: readonly MdlError[] } {
  const envHash = (name: string): string => {
    const v = env[name];
    return v === undefined ? '' : sha256(v);
  };
  const hit = cache?.get(file.path, file.hash, envHash);
  if (hit !== undefined)
    return { file: { path: file.path, content: file.content, parsed: hit }, problems: [] };
  const compiled = engine.compile(file.path, file.content);
  if (!('kind' in compiled)) return { problems: [compiled] };
  const scope = newScope(file.path, file.content);
  const sql = engine.render(compiled, scope);
  let incrementalSql: string | undefined;
  const refs: RecordedRef[] = [...scope.refs];
  const sources: RecordedSource[] = [...scope.sources];
  const problems = [...scope.problems];
  let needsResolve = scope.needsResolve;
  if (scope.calledIsIncremental) {
    const inc = newScope(file.path, file.content, { incremental: true });
    incrementalSql = engine.render(compiled, inc);
    refs.push(...inc.refs);
    sources.push(...inc.sources);
    for (const m of inc.macros) scope.macros.add(m);
    Object.assign(scope.env, inc.env);
    needsResolve ||= inc.needsResolve;
    for (const p of inc.problems)
      if (!problems.some((q) => q.message === p.message)) problems.push(p);
  }
  const parsed: ParsedTemplate = {
    sql,
    ...(incrementalSql === undefined ? {} : { incrementalSql }),
    refs,
    sources,
    config: scope.config,
    macros: [...scope.macros].sort(),
    calledIsIncremental: scope.calledIsIncremental,
    needsResolve,
    env: scope.env,
  };
  // Templates reading env vars are not cached: their output may carry environment values.
  if (problems.length === 0 && Object.keys(parsed.env).length === 0)
    cache?.set(file.path, file.hash, parsed);
  return { file: { path: file.path, content: file.content, parsed, compiled }, problems };
}

/**
 * Render pass for one parsed template: placeholders are replaced by the resolved relation names;
 * templates that read relation parts (or whose placeholders a filter changed) are rendered again
 * with real relation objects.
 */
export function renderParsedFile(
  engine: TemplateEngine,
  file: ParsedFile,
  resolve: (p: PlaceholderRef) => RelationValue | undefined,
): {
  readonly sql: string;
  readonly incrementalSql?: string;
  readonly problems: readonly MdlError[];
} {
  const str = (p: PlaceholderRef): string | undefined => resolve(p)?.toString();
  if (!file.parsed.needsResolve) {
    const sql = substitutePlaceholders(file.parsed.sql, str);
    const inc =
      file.parsed.incrementalSql === undefined
        ? undefined
        : substitutePlaceholders(file.parsed.incrementalSql, str);
    if (sql !== undefined && (file.parsed.incrementalSql === undefined || inc !== undefined))
      return { sql, ...(inc === undefined ? {} : { incrementalSql: inc }), problems: [] };
  }
  let compiled = file.compiled;
  if (compiled === undefined) {
    const c = engine.compile(file.path, file.content);
    if (!('kind' in c)) return { sql: '', problems: [c] };
    compiled = c;
    file.compiled = c;
  }
  const scope = newScope(file.path, file.content, { resolve });
  const sql = engine.render(compiled, scope);
  let incrementalSql: string | undefined;
  if (file.parsed.calledIsIncremental) {
    const inc = newScope(file.path, file.content, { resolve, incremental: true });
    incrementalSql = engine.render(compiled, inc);
    scope.problems.push(...inc.problems);
  }
  return {
    sql,
    ...(incrementalSql === undefined ? {} : { incrementalSql }),
    problems: scope.problems,
  };
}
