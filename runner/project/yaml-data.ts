import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { Node as YamlNode, Document } from 'yaml';
import type { Diagnostics } from '../errors/diagnostics.js';
import { MdlError } from '../errors/mdl-error.js';
import { fastParseYaml } from './fast-yaml.js';
import { childPath } from './yaml-data-path.js';

/**
 * A parsed YAML file as plain JS plus the 1-based line of every value path
 * (`models[2].columns[0].tests`), so validation can name file:line without keeping the YAML
 * AST around. Plain data, so it can be cached as JSON.
 */
export interface YamlData {
  readonly file: string;
  readonly value: unknown;
  readonly lines: Readonly<Record<string, number>>;
}

export { childPath };

/** Line of `path`, or of its nearest ancestor that has one. */
export function lineOf(data: YamlData, path: string): number {
  let p = path;
  for (;;) {
    const line = data.lines[p];
    if (line !== undefined) return line;
    if (p === '') return 1;
    const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
    p = cut <= 0 ? '' : p.slice(0, cut);
  }
}

/**
 * Parses YAML text. Syntax errors are added to `diagnostics` (E_YAML_PARSE with file:line) and
 * `undefined` is returned.
 */
export function parseYaml(
  content: string,
  file: string,
  diagnostics: Diagnostics,
): YamlData | undefined {
  const fast = fastParseYaml(content);
  if (fast !== undefined) return { file, ...fast };
  const lineCounter = new LineCounter();
  const doc = parseDocument(content, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      const pos = e.linePos?.[0] ?? lineCounter.linePos(e.pos[0]);
      diagnostics.add(
        new MdlError('E_YAML_PARSE', `malformed YAML: ${firstLine(e.message)}`, {
          file,
          ...(pos === undefined ? {} : { line: pos.line, column: pos.col }),
          hint: 'fix the YAML syntax (indentation, quotes, a missing ":" or "-")',
        }),
      );
    }
    return undefined;
  }
  const lines: Record<string, number> = {};
  const lineAt = (offset: number | undefined): number =>
    offset === undefined ? 1 : lineCounter.linePos(offset).line;
  const value = convert(doc, doc.contents, '', lines, lineAt, 0);
  return { file, value, lines };
}

function firstLine(s: string): string {
  const i = s.indexOf('\n');
  return i < 0 ? s : s.slice(0, i);
}

function convert(
  doc: Document,
  node: unknown,
  path: string,
  lines: Record<string, number>,
  lineAt: (offset: number | undefined) => number,
  depth: number,
): unknown {
  if (depth > 100) return null; // alias loops / absurd nesting
  if (node === null || node === undefined) return null;
  if (isAlias(node)) return convert(doc, node.resolve(doc), path, lines, lineAt, depth + 1);
  const n = node as YamlNode;
  if (lines[path] === undefined) lines[path] = lineAt(n.range?.[0]);
  if (isScalar(n)) return n.value ?? null;
  if (isSeq(n)) {
    return n.items.map((item, i) => {
      const p = childPath(path, i);
      return convert(doc, item, p, lines, lineAt, depth + 1);
    });
  }
  if (isMap(n)) {
    const out: Record<string, unknown> = {};
    for (const pair of n.items) {
      const rawKey = isScalar(pair.key) ? pair.key.value : pair.key;
      const key = String(rawKey);
      const p = childPath(path, key);
      if (isScalar(pair.key) || isMap(pair.key) || isSeq(pair.key))
        lines[p] = lineAt((pair.key as YamlNode).range?.[0]);
      out[key] = convert(doc, pair.value, p, lines, lineAt, depth + 1);
    }
    return out;
  }
  return null;
}
