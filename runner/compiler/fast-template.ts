/**
 * A fast path for the templates most models are: SQL text with `{{ … }}` expressions that are
 * literals, names, member reads, calls and filters (`{{ ref('a') }}`, `{{ config(materialized=
 * 'table') }}`, `{{ cents_to_dollars('amount') }}`, `{{ var('x') | sqlstring }}`). Parsing these
 * by hand is ~50× cheaper than Nunjucks' parser + code generator + `new Function`, which
 * dominates a cold compile of 10,000 models. Anything else (`{% %}` tags, whitespace control,
 * operators, unknown names or filters) returns undefined and the caller uses Nunjucks, so the
 * output is always what Nunjucks would produce.
 */

/** Expression tree of the supported subset. */
export type FastExpr =
  | { readonly t: 'lit'; readonly v: string | number | boolean | null }
  | { readonly t: 'list'; readonly items: readonly FastExpr[] }
  | { readonly t: 'name'; readonly name: string }
  | { readonly t: 'member'; readonly obj: FastExpr; readonly name: string }
  | {
      readonly t: 'call';
      readonly fn: FastExpr;
      readonly args: readonly FastExpr[];
      readonly kwargs: readonly (readonly [string, FastExpr])[];
    }
  | {
      readonly t: 'filter';
      readonly value: FastExpr;
      readonly name: string;
      readonly args: readonly FastExpr[];
    };

/** Text segments and expressions with the 1-based line where each expression starts. */
export type FastSegment = string | { readonly expr: FastExpr; readonly line: number };

/** Names used by a fast template (checked against known globals/filters before use). */
export interface FastTemplate {
  readonly segments: readonly FastSegment[];
  readonly names: ReadonlySet<string>;
  readonly filters: ReadonlySet<string>;
}

type Tok = { readonly k: 'name' | 'str' | 'num' | 'p'; readonly v: string };

/** Parses `source` into a fast template, or undefined when Nunjucks is needed. */
export function parseFastTemplate(source: string): FastTemplate | undefined {
  if (
    source.includes('{%') ||
    source.includes('{{-') ||
    source.includes('-}}') ||
    source.includes('{#-')
  )
    return undefined;
  const segments: FastSegment[] = [];
  const names = new Set<string>();
  const filters = new Set<string>();
  let i = 0;
  let text = '';
  let line = 1;
  const n = source.length;
  while (i < n) {
    const open = source.indexOf('{', i);
    if (open < 0 || open === n - 1) {
      text += source.slice(i);
      break;
    }
    const next = source[open + 1];
    if (next === '#') {
      const end = source.indexOf('#}', open + 2);
      if (end < 0) return undefined;
      text += source.slice(i, open);
      line += countNl(source, i, end + 2);
      i = end + 2;
      continue;
    }
    if (next !== '{') {
      text += source.slice(i, open + 1);
      i = open + 1;
      continue;
    }
    text += source.slice(i, open);
    line += countNl(source, i, open);
    const toks: Tok[] = [];
    const end = tokenize(source, open + 2, toks);
    if (end < 0) return undefined;
    const p = new ExprParser(toks, names, filters);
    const expr = p.parseExpr();
    if (expr === undefined || !p.done()) return undefined;
    if (text !== '') segments.push(text);
    text = '';
    segments.push({ expr, line });
    line += countNl(source, open, end);
    i = end;
  }
  if (text !== '') segments.push(text);
  return { segments, names, filters };
}

function countNl(s: string, from: number, to: number): number {
  let c = 0;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 10) c++;
  return c;
}

/** Tokenizes from `i` up to the closing `}}`; returns the index after it, or -1. */
function tokenize(s: string, start: number, out: Tok[]): number {
  let i = start;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '}' && s[i + 1] === '}') {
      return i + 2;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < s.length && /[A-Za-z0-9_]/.test(s[j]!)) j++;
      out.push({ k: 'name', v: s.slice(i, j) });
      i = j;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(s.slice(i, i + 40));
      if (m === null) return -1;
      out.push({ k: 'num', v: m[0] });
      i += m[0].length;
    } else if (c === "'" || c === '"') {
      let j = i + 1;
      let v = '';
      while (j < s.length && s[j] !== c) {
        if (s[j] === '\\') {
          j++;
          const e = s[j];
          v += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : (e ?? '');
        } else v += s[j];
        j++;
      }
      if (j >= s.length) return -1;
      out.push({ k: 'str', v });
      i = j + 1;
    } else if ('()[],=|.'.includes(c)) {
      // `==` or `|` followed by `|`… are operators we do not handle.
      if (c === '=' && s[i + 1] === '=') return -1;
      out.push({ k: 'p', v: c });
      i++;
    } else {
      return -1;
    }
  }
  return -1;
}

class ExprParser {
  private pos = 0;
  constructor(
    private readonly toks: readonly Tok[],
    private readonly names: Set<string>,
    private readonly filters: Set<string>,
  ) {}

  done(): boolean {
    return this.pos === this.toks.length;
  }

  private peek(v?: string): Tok | undefined {
    const t = this.toks[this.pos];
    if (t === undefined) return undefined;
    if (v !== undefined && !(t.k === 'p' && t.v === v)) return undefined;
    return t;
  }

  parseExpr(): FastExpr | undefined {
    let e = this.parsePostfix();
    while (e !== undefined && this.peek('|') !== undefined) {
      this.pos++;
      const name = this.toks[this.pos];
      if (name?.k !== 'name') return undefined;
      this.pos++;
      this.filters.add(name.v);
      let args: FastExpr[] = [];
      if (this.peek('(') !== undefined) {
        const a = this.parseArgs();
        if (a === undefined || a.kwargs.length > 0) return undefined;
        args = a.args;
      }
      e = { t: 'filter', value: e, name: name.v, args };
    }
    return e;
  }

  private parsePostfix(): FastExpr | undefined {
    let e = this.parsePrimary();
    for (;;) {
      if (e === undefined) return undefined;
      if (this.peek('.') !== undefined) {
        this.pos++;
        const name = this.toks[this.pos];
        if (name?.k !== 'name') return undefined;
        this.pos++;
        e = { t: 'member', obj: e, name: name.v };
      } else if (this.peek('(') !== undefined) {
        const a = this.parseArgs();
        if (a === undefined) return undefined;
        e = { t: 'call', fn: e, args: a.args, kwargs: a.kwargs };
      } else return e;
    }
  }

  private parsePrimary(): FastExpr | undefined {
    const t = this.toks[this.pos];
    if (t === undefined) return undefined;
    this.pos++;
    switch (t.k) {
      case 'str':
        return { t: 'lit', v: t.v };
      case 'num':
        return { t: 'lit', v: Number(t.v) };
      case 'name':
        if (t.v === 'true' || t.v === 'True') return { t: 'lit', v: true };
        if (t.v === 'false' || t.v === 'False') return { t: 'lit', v: false };
        if (t.v === 'none' || t.v === 'None') return { t: 'lit', v: null };
        // Keywords of Nunjucks' expression language that change meaning.
        if (['and', 'or', 'not', 'in', 'is', 'if', 'else'].includes(t.v)) return undefined;
        this.names.add(t.v);
        return { t: 'name', name: t.v };
      case 'p': {
        if (t.v !== '[') return undefined;
        const items: FastExpr[] = [];
        if (this.peek(']') !== undefined) {
          this.pos++;
          return { t: 'list', items };
        }
        for (;;) {
          const e = this.parseExpr();
          if (e === undefined) return undefined;
          items.push(e);
          if (this.peek(',') !== undefined) this.pos++;
          else if (this.peek(']') !== undefined) {
            this.pos++;
            return { t: 'list', items };
          } else return undefined;
        }
      }
    }
  }

  private parseArgs(): { args: FastExpr[]; kwargs: [string, FastExpr][] } | undefined {
    this.pos++; // (
    const args: FastExpr[] = [];
    const kwargs: [string, FastExpr][] = [];
    if (this.peek(')') !== undefined) {
      this.pos++;
      return { args, kwargs };
    }
    for (;;) {
      const t = this.toks[this.pos];
      const after = this.toks[this.pos + 1];
      if (t?.k === 'name' && after?.k === 'p' && after.v === '=') {
        this.pos += 2;
        const v = this.parseExpr();
        if (v === undefined) return undefined;
        kwargs.push([t.v, v]);
      } else {
        if (kwargs.length > 0) return undefined; // positional after keyword
        const v = this.parseExpr();
        if (v === undefined) return undefined;
        args.push(v);
      }
      if (this.peek(',') !== undefined) this.pos++;
      else if (this.peek(')') !== undefined) {
        this.pos++;
        return { args, kwargs };
      } else return undefined;
    }
  }
}
