import type { ManifestNode } from '../compiler/manifest.js';
import { assertNever } from '../compiler/manifest.js';
import type { SelectorAtom } from './selection-criteria.js';
import { hasWildcard, nameMatcher, pathMatcher } from './wildcard.js';

/** Per-node facts the methods need, precomputed once per selection (index = DAG index). */
export interface MethodContext {
  readonly nodes: readonly ManifestNode[];
}

/**
 * The nodes an atom's method matches, before graph operators, as marks over node indexes.
 * `selector:` atoms are resolved by the evaluator, not here. One O(nodes) pass per atom.
 */
export function matchMethod(atom: SelectorAtom, ctx: MethodContext): Uint8Array {
  const { nodes } = ctx;
  const marks = new Uint8Array(nodes.length);
  const pred = predicate(atom);
  for (let i = 0; i < nodes.length; i++) if (pred(nodes[i]!)) marks[i] = 1;
  return marks;
}

function predicate(atom: SelectorAtom): (n: ManifestNode) => boolean {
  const { value } = atom;
  switch (atom.method) {
    case 'fqn':
      return fqnPredicate(value);
    case 'tag': {
      const m = nameMatcher(value);
      return (n) => n.tags.some(m) || (n.config.tags ?? []).some(m);
    }
    case 'path':
      return pathPredicate(value);
    case 'file': {
      const m = nameMatcher(value);
      return (n) => {
        const base = n.originalFilePath.slice(n.originalFilePath.lastIndexOf('/') + 1);
        const dot = base.lastIndexOf('.');
        return m(base) || (dot > 0 && m(base.slice(0, dot)));
      };
    }
    case 'config':
      return configPredicate(atom.methodArgs, value);
    case 'resource_type': {
      const m = nameMatcher(value);
      return (n) => m(n.resourceType);
    }
    case 'source':
      return sourcePredicate(value);
    case 'test_type': {
      const generic = value === 'generic' || value === 'schema';
      return (n) => n.resourceType === 'test' && (n.testMetadata !== undefined) === generic;
    }
    case 'test_name': {
      const m = nameMatcher(value);
      return (n) => {
        if (n.resourceType !== 'test') return false;
        const meta = n.testMetadata;
        if (meta === undefined) return m(n.name);
        return (
          m(meta.name) || (meta.namespace !== undefined && m(`${meta.namespace}.${meta.name}`))
        );
      };
    }
    case 'package': {
      const m = nameMatcher(value);
      return (n) => m(n.packageName);
    }
    case 'selector':
      // Resolved by the evaluator; reaching here is a programming error.
      throw new Error('selector: atoms are resolved by the evaluator');
    default:
      return assertNever(atom.method, 'selector method');
  }
}

/**
 * dbt's fqn rule: the selector matches the node name (`patients`), or a prefix of the fqn with
 * or without the project name (`silver`, `silver.patients`, `my_project.silver`); a wildcard
 * part matches the rest of the dotted fqn (`silver.*`). Extension: a wildcard without dots
 * also matches the node name alone (`stg_*`), which is what users expect from `*` in names.
 */
function fqnPredicate(selector: string): (n: ManifestNode) => boolean {
  const parts = selector.split('.');
  const wildcardAt = parts.findIndex(hasWildcard);
  const rest = wildcardAt === -1 ? undefined : nameMatcher(parts.slice(wildcardAt).join('.'));
  const leaf = !selector.includes('.') && hasWildcard(selector) ? nameMatcher(selector) : undefined;
  const upTo = wildcardAt === -1 ? parts.length : wildcardAt;
  // Compares against flat[offset..]: offset 0 is the full fqn, 1 the fqn without the project.
  const matches = (flat: readonly string[], offset: number): boolean => {
    if (flat.length - offset < parts.length) return false;
    for (let i = 0; i < upTo; i++) if (flat[offset + i] !== parts[i]) return false;
    return rest === undefined ? true : rest(flat.slice(offset + wildcardAt).join('.'));
  };
  return (n) => {
    const fqn = n.fqn;
    if (fqn[fqn.length - 1] === selector) return true;
    if (leaf !== undefined && leaf(n.name)) return true;
    // Dots inside fqn segments act as namespace separators, as in dbt.
    const flat = fqn.some((seg) => seg.includes('.')) ? fqn.flatMap((seg) => seg.split('.')) : fqn;
    return matches(flat, 0) || matches(flat, 1);
  };
}

/** `path:` matches a file, or any folder above it, by exact path or glob. */
function pathPredicate(value: string): (n: ManifestNode) => boolean {
  const normalised = value.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  const m = pathMatcher(normalised);
  return (n) => {
    let p = n.originalFilePath.replace(/^(\.\/)+/, '');
    for (;;) {
      if (m(p)) return true;
      const slash = p.lastIndexOf('/');
      if (slash <= 0) return false;
      p = p.slice(0, slash);
    }
  };
}

/** `config.a.b:v` — compares scalars as text (wildcards allowed); lists match on any element. */
function configPredicate(keyPath: readonly string[], value: string): (n: ManifestNode) => boolean {
  const m = nameMatcher(value);
  const scalar = (v: unknown): boolean =>
    (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && m(String(v));
  return (n) => {
    let cur: unknown = n.config;
    for (const key of keyPath) {
      if (cur === null || typeof cur !== 'object' || Array.isArray(cur)) return false;
      cur = (cur as Readonly<Record<string, unknown>>)[key];
    }
    return Array.isArray(cur) ? cur.some(scalar) : scalar(cur);
  };
}

/** `source:emr`, `source:emr.patients`, `source:my_project.emr.patients` (wildcards per part). */
function sourcePredicate(value: string): (n: ManifestNode) => boolean {
  const parts = value.split('.').map(nameMatcher);
  return (n) => {
    if (n.resourceType !== 'source') return false;
    const full = [n.packageName, n.sourceName, n.name];
    // One part names the source; two parts source.table; three package.source.table.
    const target = parts.length === 1 ? [n.sourceName] : full.slice(3 - parts.length);
    return parts.every((p, i) => p(target[i]!));
  };
}
