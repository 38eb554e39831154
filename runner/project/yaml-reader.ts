import type { Diagnostics } from '../errors/diagnostics.js';
import { MdlError } from '../errors/mdl-error.js';
import type { MdlErrorCode } from '../errors/mdl-error.js';
import type { YamlOrigin } from './types.js';
import { childPath, lineOf } from './yaml-data.js';
import type { YamlData } from './yaml-data.js';

/** A plain JS object (YAML mapping). */
export type YamlMap = Readonly<Record<string, unknown>>;

export function isPlainMap(v: unknown): v is YamlMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Schema checks over a {@link YamlData}: each accessor validates one value, reports a problem
 * as `path: expected …` at file:line, and returns a safe fallback so validation continues and
 * every problem of the file is reported in one pass.
 */
export class YamlReader {
  constructor(
    readonly data: YamlData,
    private readonly diagnostics: Diagnostics,
  ) {}

  get file(): string {
    return this.data.file;
  }

  origin(path: string): YamlOrigin {
    return { file: this.data.file, line: lineOf(this.data, path) };
  }

  error(path: string, message: string, hint?: string, code: MdlErrorCode = 'E_SCHEMA'): void {
    this.diagnostics.add(
      new MdlError(code, path === '' ? message : `${path}: ${message}`, {
        file: this.data.file,
        line: lineOf(this.data, path),
        ...(hint === undefined ? {} : { hint }),
      }),
    );
  }

  /** A mapping or undefined when absent/null. */
  map(path: string, v: unknown): YamlMap | undefined {
    if (v === undefined || v === null) return undefined;
    if (!isPlainMap(v)) {
      this.error(path, `expected a mapping (key: value), got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  list(path: string, v: unknown): readonly unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.error(path, `expected a list, got ${describe(v)}`);
      return [];
    }
    return v;
  }

  string(path: string, v: unknown): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    if (typeof v !== 'string') {
      this.error(path, `expected a string, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  requiredString(path: string, v: unknown): string | undefined {
    if (v === undefined || v === null || v === '') {
      this.error(path, 'is required (expected a non-empty string)');
      return undefined;
    }
    return this.string(path, v);
  }

  /** A string or a list of strings, as a list. */
  stringList(path: string, v: unknown): readonly string[] {
    if (v === undefined || v === null) return [];
    if (typeof v === 'string') return [v];
    if (!Array.isArray(v)) {
      this.error(path, `expected a list of strings, got ${describe(v)}`);
      return [];
    }
    const out: string[] = [];
    v.forEach((item, i) => {
      const s = this.string(childPath(path, i), item);
      if (s !== undefined) out.push(s);
    });
    return out;
  }

  boolean(path: string, v: unknown): boolean | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') {
      this.error(path, `expected true or false, got ${describe(v)}`);
      return undefined;
    }
    return v;
  }

  integer(path: string, v: unknown): number | undefined {
    if (v === undefined || v === null) return undefined;
    const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n)) {
      this.error(path, `expected an integer, got ${describe(v)}`);
      return undefined;
    }
    return n;
  }

  /** Reports keys of `m` that are not in `allowed`. */
  knownKeys(path: string, m: YamlMap, allowed: readonly string[]): void {
    for (const k of Object.keys(m)) {
      if (!allowed.includes(k))
        this.error(
          childPath(path, k),
          `unknown key '${k}'`,
          `allowed keys here: ${allowed.join(', ')}`,
        );
    }
  }
}

/** Short type description for messages (never the value itself: it may be sensitive). */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `a ${typeof v}`;
}
