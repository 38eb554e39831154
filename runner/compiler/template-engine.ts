import nunjucks from 'nunjucks';
import type { Dialect } from '../dialects/dialect.js';
import type { Diagnostics } from '../errors/diagnostics.js';
import { MdlError } from '../errors/mdl-error.js';
import type { MdlErrorCode } from '../errors/mdl-error.js';
import { sha256 } from '../project/project-files.js';
import type { ProjectFile } from '../project/types.js';
import type { MacroInfo } from './manifest.js';
import { parseFastTemplate } from './fast-template.js';
import type { FastExpr, FastTemplate } from './fast-template.js';
import { installContext } from './template-context.js';
import type { TemplateTarget } from './template-context.js';
import { printValue } from './render-scope.js';
import type { RenderScope } from './render-scope.js';

/** A template compiled once; rendered any number of times through {@link TemplateEngine.render}. */
export type CompiledTemplate =
  | { readonly kind: 'fast'; readonly fast: FastTemplate }
  | { readonly kind: 'nunjucks'; readonly tpl: nunjucks.Template };

interface KeywordArgs {
  readonly __keywords: true;
  readonly [k: string]: unknown;
}

const runtime = (nunjucks as unknown as { runtime: { makeKeywordArgs(o: object): KeywordArgs } })
  .runtime;

/** Options of {@link TemplateEngine}. */
export interface TemplateEngineOptions {
  readonly projectName: string;
  readonly macroFiles: readonly ProjectFile[];
  readonly projectVars: Readonly<Record<string, unknown>>;
  readonly cliVars: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly target: TemplateTarget;
  readonly dialect: Dialect;
}

/**
 * One Nunjucks environment per compile (autoescape off), with the dbt-style context installed as
 * globals that read the scope of the render in progress, and every project macro registered as a
 * global so models call them without `{% import %}`.
 */
export class TemplateEngine {
  private readonly env: nunjucks.Environment;
  private readonly globals: Record<string, unknown>;
  private current: RenderScope | undefined;
  private readonly macroNames = new Set<string>();
  private readonly macroList: MacroInfo[] = [];
  /** Hash of all macro files (part of the compile cache key). */
  readonly macrosHash: string;

  constructor(
    private readonly opts: TemplateEngineOptions,
    diagnostics: Diagnostics,
  ) {
    this.env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: false });
    this.globals = (this.env as unknown as { globals: Record<string, unknown> }).globals;
    installContext(this.env, opts, () => this.scope());
    this.macrosHash = sha256(opts.macroFiles.map((f) => `${f.path}:${f.hash}`).join('\n'));
    for (const f of opts.macroFiles) this.loadMacros(f, diagnostics);
  }

  /** The scope of the render in progress (context functions record into it). */
  private scope(): RenderScope {
    if (this.current === undefined) throw new Error('template context used outside a render');
    return this.current;
  }

  /** Macros found in the project's macro files. */
  get macros(): readonly MacroInfo[] {
    return this.macroList;
  }

  hasMacro(name: string): boolean {
    return this.macroNames.has(name);
  }

  private loadMacros(file: ProjectFile, diagnostics: Diagnostics): void {
    let tpl: nunjucks.Template;
    try {
      tpl = new nunjucks.Template(file.content, this.env, file.path, true);
    } catch (err) {
      diagnostics.add(templateError(err, file.path, 0, 'E_TEMPLATE_SYNTAX'));
      return;
    }
    const t = tpl as unknown as {
      getExported(cb: (err: unknown, exported: Record<string, unknown>) => void): void;
    };
    t.getExported((err, exported) => {
      if (err !== null && err !== undefined) {
        diagnostics.add(templateError(err, file.path, 0, 'E_TEMPLATE_RENDER'));
        return;
      }
      for (const [name, fn] of Object.entries(exported)) {
        if (typeof fn !== 'function') continue;
        if (this.macroNames.has(name)) {
          diagnostics.add(
            new MdlError('E_DUPLICATE_NODE', `macro '${name}' is defined more than once`, {
              file: file.path,
              line: lineOfMacro(file.content, name),
              hint: 'rename one of the macros',
            }),
          );
          continue;
        }
        this.macroNames.add(name);
        const id = `macro.${this.opts.projectName}.${name}`;
        this.macroList.push({
          uniqueId: id,
          name,
          originalFilePath: file.path,
          line: lineOfMacro(file.content, name),
        });
        const macro = fn as (...args: unknown[]) => unknown;
        this.env.addGlobal(name, (...args: unknown[]) => {
          this.current?.macros.add(id);
          return macro(...args);
        });
      }
    });
  }

  /** Compiles a template once: the fast path when possible, else Nunjucks. */
  compile(file: string, source: string, lineOffset = 0): CompiledTemplate | MdlError {
    const fast = parseFastTemplate(source);
    if (fast !== undefined && this.fastUsable(fast)) return { kind: 'fast', fast };
    try {
      return { kind: 'nunjucks', tpl: new nunjucks.Template(source, this.env, file, true) };
    } catch (err) {
      return templateError(err, file, lineOffset, 'E_TEMPLATE_SYNTAX');
    }
  }

  private readonly knownFilters = new Map<string, boolean>();

  private fastUsable(t: FastTemplate): boolean {
    for (const n of t.names) if (!(n in this.globals)) return false;
    for (const f of t.filters) {
      let ok = this.knownFilters.get(f);
      if (ok === undefined) {
        try {
          this.env.getFilter(f);
          ok = true;
        } catch {
          ok = false;
        }
        this.knownFilters.set(f, ok);
      }
      if (!ok) return false;
    }
    return true;
  }

  /** Renders with `scope` as the context; template errors are recorded in the scope. */
  render(t: CompiledTemplate, scope: RenderScope): string {
    const prev = this.current;
    this.current = scope;
    try {
      if (t.kind === 'nunjucks') return t.tpl.render({});
      let out = '';
      for (const seg of t.fast.segments) {
        if (typeof seg === 'string') out += seg;
        else {
          try {
            const v = this.evaluate(seg.expr);
            out += printValue(v);
          } catch (err) {
            scope.problems.push(
              new MdlError('E_TEMPLATE_RENDER', err instanceof Error ? err.message : String(err), {
                file: scope.file,
                line: scope.lineOffset + seg.line,
                hint: 'check the expression on this line',
              }),
            );
          }
        }
      }
      return out;
    } catch (err) {
      scope.problems.push(templateError(err, scope.file, scope.lineOffset, 'E_TEMPLATE_RENDER'));
      return '';
    } finally {
      this.current = prev;
    }
  }

  /** Calls a project macro from code (custom generic tests) inside `scope`. */
  callMacro(name: string, kwargs: Readonly<Record<string, unknown>>, scope: RenderScope): string {
    const fn = this.globals[name] as ((...a: unknown[]) => unknown) | undefined;
    if (fn === undefined) return '';
    const prev = this.current;
    this.current = scope;
    try {
      const v = fn(runtime.makeKeywordArgs({ ...kwargs }));
      return printValue(v);
    } catch (err) {
      scope.problems.push(templateError(err, scope.file, scope.lineOffset, 'E_TEMPLATE_RENDER'));
      return '';
    } finally {
      this.current = prev;
    }
  }

  private evaluate(e: FastExpr): unknown {
    switch (e.t) {
      case 'lit':
        return e.v;
      case 'list':
        return e.items.map((x) => this.evaluate(x));
      case 'name':
        return this.globals[e.name];
      case 'member': {
        const o = this.evaluate(e.obj);
        if (o === undefined || o === null) return undefined;
        const v = (o as Record<string, unknown>)[e.name];
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(o) : v;
      }
      case 'call': {
        const fn = this.evaluate(e.fn);
        if (typeof fn !== 'function')
          throw new Error(`Unable to call \`${describeExpr(e.fn)}\`, which is undefined or falsey`);
        const args = e.args.map((a) => this.evaluate(a));
        if (e.kwargs.length > 0)
          args.push(
            runtime.makeKeywordArgs(
              Object.fromEntries(e.kwargs.map(([k, v]) => [k, this.evaluate(v)])),
            ),
          );
        return (fn as (...a: unknown[]) => unknown)(...args);
      }
      case 'filter': {
        const f = this.env.getFilter(e.name) as (...a: unknown[]) => unknown;
        return f(this.evaluate(e.value), ...e.args.map((a) => this.evaluate(a)));
      }
    }
  }
}

function describeExpr(e: FastExpr): string {
  return e.t === 'name'
    ? e.name
    : e.t === 'member'
      ? `${describeExpr(e.obj)}.${e.name}`
      : 'expression';
}

function lineOfMacro(content: string, name: string): number {
  const i = content.search(new RegExp(`macro\\s+${name}\\b`));
  return i < 0 ? 1 : content.slice(0, i).split('\n').length;
}

/** Turns a Nunjucks error (`(file) [Line 3, Column 5]\n  message`) into an MdlError. */
export function templateError(
  err: unknown,
  file: string,
  lineOffset: number,
  code: MdlErrorCode,
): MdlError {
  if (err instanceof MdlError) return err;
  const raw = err instanceof Error ? err.message : String(err);
  const m = /\[Line (\d+), Column (\d+)\]\s*([\s\S]*)$/.exec(raw);
  const text = (m?.[3] ?? raw.replace(/^\([^)]*\)\s*/, '')).replace(/^Error: /, '').trim();
  // Nunjucks reports parse errors 1-based but runtime errors with the node's 0-based line.
  const line =
    m === null ? undefined : lineOffset + Number(m[1]) + (code === 'E_TEMPLATE_RENDER' ? 1 : 0);
  return new MdlError(
    code,
    code === 'E_TEMPLATE_SYNTAX' ? `template syntax error: ${text}` : `template error: ${text}`,
    {
      file,
      ...(line === undefined ? {} : { line, column: Number(m![2]) }),
      hint:
        code === 'E_TEMPLATE_SYNTAX'
          ? 'check the {{ }} / {% %} tags near this line (unclosed block, bad expression)'
          : 'check the template expressions near this line',
    },
  );
}
