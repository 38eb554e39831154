import jsyaml from 'js-yaml';
import { childPath } from './yaml-data-path.js';

interface EventNode {
  readonly line: number;
  result: unknown;
  readonly children: EventNode[];
}

/**
 * Fast YAML → {value, lines} using js-yaml (several times faster than `yaml`'s document API,
 * which dominated loading 10,000-model projects). Lines come from js-yaml's open/close events,
 * matched against the composed value; when the shapes do not line up (merge keys, anchors) or the
 * text does not parse, returns undefined and the caller uses the `yaml` package, which also
 * produces the error messages.
 */
export function fastParseYaml(
  content: string,
): { value: unknown; lines: Record<string, number> } | undefined {
  const root: EventNode = { line: 0, result: undefined, children: [] };
  const stack: EventNode[] = [root];
  let value: unknown;
  try {
    value = jsyaml.load(content, {
      schema: jsyaml.CORE_SCHEMA,
      listener: (event, state) => {
        if (event === 'open') {
          const n: EventNode = { line: state.line, result: undefined, children: [] };
          stack[stack.length - 1]!.children.push(n);
          stack.push(n);
        } else {
          const n = stack.pop();
          if (n !== undefined) n.result = state.result;
        }
      },
    });
  } catch {
    return undefined;
  }
  if (content.includes('&') || content.includes('<<')) {
    // Anchors/merge keys: leave exact semantics and lines to the `yaml` package.
    if (/(^|[\s[{,])[&*][A-Za-z0-9_-]/m.test(content) || content.includes('<<:')) return undefined;
  }
  const lines: Record<string, number> = {};
  const top = collapse(root.children[0]);
  if (value === undefined || value === null) return { value: null, lines: { '': 1 } };
  if (top === undefined || !match(top, value, '', lines)) return undefined;
  return { value, lines };
}

/** js-yaml wraps some nodes twice (block entries); keep the innermost with the same result. */
function collapse(n: EventNode | undefined): EventNode | undefined {
  let cur = n;
  while (cur !== undefined && cur.children.length === 1 && cur.children[0]!.result === cur.result)
    cur = cur.children[0];
  return cur;
}

function match(n: EventNode, value: unknown, path: string, lines: Record<string, number>): boolean {
  if (n.result !== value && !(Number.isNaN(n.result) && Number.isNaN(value))) return false;
  lines[path] ??= n.line + 1;
  if (Array.isArray(value)) {
    if (n.children.length !== value.length) return false;
    return value.every((item, i) => {
      const c = collapse(n.children[i]);
      return c !== undefined && match(c, item, childPath(path, i), lines);
    });
  }
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    if (n.children.length !== keys.length * 2) return false;
    for (let i = 0; i < keys.length; i++) {
      const k = collapse(n.children[2 * i]);
      const v = collapse(n.children[2 * i + 1]);
      if (k === undefined || v === undefined || String(k.result) !== keys[i]) return false;
      const p = childPath(path, keys[i]!);
      lines[p] = k.line + 1;
      if (!match(v, (value as Record<string, unknown>)[keys[i]!], p, lines)) return false;
    }
    return true;
  }
  return n.children.length === 0;
}
