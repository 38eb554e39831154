import type { RelationName } from './manifest.js';

/**
 * What `ref()`, `source()` and `this` return in templates. Printing it (`{{ ref('x') }}`) gives
 * the quoted relation name; `.schema`, `.identifier`, `.database`/`.catalog` give the parts.
 */
export class RelationValue {
  constructor(
    readonly rel: RelationName,
    private readonly rendered: string,
  ) {}
  get schema(): string {
    return this.rel.schema;
  }
  get identifier(): string {
    return this.rel.identifier;
  }
  get name(): string {
    return this.rel.identifier;
  }
  get catalog(): string | undefined {
    return this.rel.catalog;
  }
  get database(): string | undefined {
    return this.rel.catalog;
  }
  toString(): string {
    return this.rendered;
  }
}

/** Kinds of relation placeholders written by the parse pass. */
export type PlaceholderRef =
  | { readonly kind: 'ref'; readonly pkg?: string; readonly name: string }
  | { readonly kind: 'source'; readonly source: string; readonly table: string }
  | { readonly kind: 'this' };

const MARK = '\u0001';
const SEP = '\u0002';

/** The token the parse pass prints where a relation name will go. */
export function placeholder(p: PlaceholderRef): string {
  switch (p.kind) {
    case 'ref':
      return `${MARK}ref${SEP}${p.pkg ?? ''}${SEP}${p.name}${MARK}`;
    case 'source':
      return `${MARK}source${SEP}${p.source}${SEP}${p.table}${MARK}`;
    case 'this':
      return `${MARK}this${MARK}`;
  }
}

const PLACEHOLDER = new RegExp(`${MARK}([^${MARK}]*)${MARK}`, 'g');

/**
 * Replaces every placeholder in `sql` using `resolve`. Returns undefined when a placeholder was
 * mangled by a filter (e.g. `| upper`) so the caller falls back to a full render.
 */
export function substitutePlaceholders(
  sql: string,
  resolve: (p: PlaceholderRef) => string | undefined,
): string | undefined {
  if (!sql.includes(MARK)) return sql;
  let ok = true;
  const out = sql.replace(PLACEHOLDER, (_m, body: string) => {
    const parts = body.split(SEP);
    let p: PlaceholderRef | undefined;
    if (parts[0] === 'ref' && parts.length === 3)
      p =
        parts[1] === ''
          ? { kind: 'ref', name: parts[2]! }
          : { kind: 'ref', pkg: parts[1]!, name: parts[2]! };
    else if (parts[0] === 'source' && parts.length === 3)
      p = { kind: 'source', source: parts[1]!, table: parts[2]! };
    else if (parts[0] === 'this' && parts.length === 1) p = { kind: 'this' };
    const r = p === undefined ? undefined : resolve(p);
    if (r === undefined) ok = false;
    return r ?? '';
  });
  return ok && !out.includes(MARK) ? out : undefined;
}

/**
 * The parse-pass stand-in for a relation: prints a placeholder; reading a part (`.schema`) marks
 * the template as needing a full render once all relations are known.
 */
export class PlaceholderRelation {
  constructor(
    private readonly ref: PlaceholderRef,
    private readonly onPartRead: () => void,
    private readonly guessName: string,
  ) {}
  get schema(): string {
    this.onPartRead();
    return '';
  }
  get identifier(): string {
    this.onPartRead();
    return this.guessName;
  }
  get name(): string {
    this.onPartRead();
    return this.guessName;
  }
  get catalog(): string | undefined {
    this.onPartRead();
    return undefined;
  }
  get database(): string | undefined {
    this.onPartRead();
    return undefined;
  }
  toString(): string {
    return placeholder(this.ref);
  }
}
