import type nunjucks from 'nunjucks';
import type { Dialect } from '../dialects/dialect.js';
import { MdlError } from '../errors/mdl-error.js';
import { mergeConfig } from '../project/folder-config.js';
import { sha256 } from '../project/project-files.js';
import { PlaceholderRelation } from './relation-value.js';
import type { PlaceholderRef } from './relation-value.js';
import { escapeRegExp, lineOfCall, printValue } from './render-scope.js';
import type { RenderScope } from './render-scope.js';

/** `target` as templates see it. */
export interface TemplateTarget {
  readonly name: string;
  readonly type: string;
  readonly schema: string;
  readonly catalog?: string;
}

interface ContextOptions {
  readonly projectVars: Readonly<Record<string, unknown>>;
  readonly cliVars: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly target: TemplateTarget;
  readonly dialect: Dialect;
}

/** Splits Nunjucks call arguments into positional args and keyword args. */
function splitArgs(args: readonly unknown[]): { pos: unknown[]; kw: Record<string, unknown> } {
  const last = args[args.length - 1];
  if (
    typeof last === 'object' &&
    last !== null &&
    (last as { __keywords?: boolean }).__keywords === true
  ) {
    const kw: Record<string, unknown> = { ...(last as Record<string, unknown>) };
    delete kw.__keywords;
    return { pos: args.slice(0, -1), kw };
  }
  return { pos: [...args], kw: {} };
}

const q = (s: string): string => `['"]${escapeRegExp(s)}['"]`;

/**
 * Installs dbt's template context as globals: `ref`, `source`, `config`, `var`, `env_var`,
 * `this`, `is_incremental`, `target`, and the `sqlstring` / `ident` filters. Each reads the
 * scope of the render in progress, so macros see the calling model's context too.
 */
export function installContext(
  env: nunjucks.Environment,
  opts: ContextOptions,
  scope: () => RenderScope,
): void {
  const relation = (s: RenderScope, p: PlaceholderRef, guess: string): unknown => {
    if (s.resolve !== undefined) return s.resolve(p) ?? '';
    return new PlaceholderRelation(p, () => (s.needsResolve = true), guess);
  };

  env.addGlobal('ref', (...args: unknown[]) => {
    const s = scope();
    const { pos } = splitArgs(args);
    const strs = pos.map((a) => printValue(a));
    const name = strs.length >= 2 ? strs[1]! : (strs[0] ?? '');
    const pkg = strs.length >= 2 ? strs[0] : undefined;
    s.refs.push({ ...(pkg === undefined ? {} : { pkg }), name });
    return relation(s, { kind: 'ref', ...(pkg === undefined ? {} : { pkg }), name }, name);
  });

  env.addGlobal('source', (...args: unknown[]) => {
    const s = scope();
    const { pos } = splitArgs(args);
    const source = printValue(pos[0]);
    const table = printValue(pos[1]);
    s.sources.push({ source, table });
    return relation(s, { kind: 'source', source, table }, table);
  });

  const config = (...args: unknown[]): string => {
    const s = scope();
    const { pos, kw } = splitArgs(args);
    const dict =
      typeof pos[0] === 'object' && pos[0] !== null ? (pos[0] as Record<string, unknown>) : {};
    s.config = mergeConfig(s.config, { ...dict, ...kw });
    return '';
  };
  // dbt's `config.get('key', default)` reads the in-file config seen so far.
  config.get = (key: string, def?: unknown): unknown => scope().config[key] ?? def;
  env.addGlobal('config', config);

  env.addGlobal('var', (...args: unknown[]) => {
    const s = scope();
    const { pos, kw } = splitArgs(args);
    const name = printValue(pos[0]);
    if (Object.hasOwn(opts.cliVars, name)) return opts.cliVars[name];
    if (Object.hasOwn(opts.projectVars, name)) return opts.projectVars[name];
    if (pos.length >= 2) return pos[1];
    if (Object.hasOwn(kw, 'default')) return kw.default;
    s.problems.push(
      new MdlError('E_UNDEFINED_VAR', `var '${name}' is not defined and has no default`, {
        file: s.file,
        line: lineOfCall(s, new RegExp(`var\\(\\s*${q(name)}`)),
        hint: `define it under vars: in project.yml, pass --vars '{${name}: …}', or write var('${name}', default)`,
      }),
    );
    return undefined;
  });

  env.addGlobal('env_var', (...args: unknown[]) => {
    const s = scope();
    const { pos, kw } = splitArgs(args);
    const name = printValue(pos[0]);
    const v = opts.env[name];
    s.env[name] = v === undefined ? '' : sha256(v);
    if (v !== undefined) return v;
    if (pos.length >= 2) return pos[1];
    if (Object.hasOwn(kw, 'default')) return kw.default;
    s.problems.push(
      new MdlError('E_ENV_VAR', `environment variable '${name}' is not set and has no default`, {
        file: s.file,
        line: lineOfCall(s, new RegExp(`env_var\\(\\s*${q(name)}`)),
        hint: `export ${name}=… or write env_var('${name}', 'default')`,
      }),
    );
    return undefined;
  });

  env.addGlobal('is_incremental', () => {
    const s = scope();
    s.calledIsIncremental = true;
    return s.incremental;
  });

  const globals = (env as unknown as { globals: Record<string, unknown> }).globals;
  Object.defineProperty(globals, 'this', {
    enumerable: true,
    get: () => {
      const s = scope();
      return relation(s, { kind: 'this' }, '');
    },
  });
  env.addGlobal('target', { ...opts.target });

  env.addFilter('sqlstring', (v: unknown) => sqlString(v, opts.dialect));
  env.addFilter('ident', (v: unknown) => opts.dialect.quoteIdentifier(printValue(v)));
}

/**
 * A value as a SQL string literal, escaped by the dialect: `x'; DROP TABLE t;--` becomes
 * `'x''; DROP TABLE t;--'`. Lists become comma-separated literals (for `IN (…)`); null → NULL.
 */
export function sqlString(v: unknown, dialect: Dialect): string {
  if (v === undefined || v === null) return 'NULL';
  if (Array.isArray(v)) return v.map((x) => sqlString(x, dialect)).join(', ');
  return dialect.stringLiteral(typeof v === 'object' ? JSON.stringify(v) : printValue(v));
}
