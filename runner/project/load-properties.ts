import type {
  ColumnProperties,
  NodeProperties,
  SourceProperties,
  SourceTableProperties,
  TestDeclaration,
} from './types.js';
import { childPath } from './yaml-data.js';
import { describe, isPlainMap } from './yaml-reader.js';
import type { YamlReader } from './yaml-reader.js';
import type { YamlMap } from './yaml-reader.js';

/** Keys of a test entry's arguments that are really test config (older dbt style). */
const TEST_CONFIG_KEYS = [
  'severity',
  'where',
  'warn_if',
  'error_if',
  'limit',
  'store_failures',
  'tags',
  'enabled',
  'meta',
];

/** What one YAML properties file declares. */
export interface FileProperties {
  readonly nodes: readonly NodeProperties[];
  readonly sources: readonly SourceProperties[];
}

/**
 * Validates one properties file (`version: 2`, `models:`, `seeds:`, `snapshots:`, `sources:`).
 * Problems go to the reader's diagnostics; what is valid is still returned.
 */
export function readPropertiesFile(r: YamlReader): FileProperties {
  const root = r.map('', r.data.value);
  if (root === undefined) return { nodes: [], sources: [] };
  r.knownKeys('', root, [
    'version',
    'models',
    'seeds',
    'snapshots',
    'sources',
    'macros',
    'exposures',
    'metrics',
    'semantic_models',
    'data_tests',
    'unit_tests',
    'groups',
  ]);
  const nodes: NodeProperties[] = [];
  for (const kind of ['model', 'seed', 'snapshot'] as const) {
    const key = `${kind}s`;
    r.list(key, root[key]).forEach((entry, i) => {
      const n = readNode(r, childPath(key, i), entry, kind);
      if (n !== undefined) nodes.push(n);
    });
  }
  const sources: SourceProperties[] = [];
  r.list('sources', root.sources).forEach((entry, i) => {
    const s = readSource(r, childPath('sources', i), entry);
    if (s !== undefined) sources.push(s);
  });
  return { nodes, sources };
}

function readNode(
  r: YamlReader,
  p: string,
  entry: unknown,
  kind: NodeProperties['kind'],
): NodeProperties | undefined {
  const m = r.map(p, entry);
  if (m === undefined) {
    if (entry === null) r.error(p, 'expected a mapping with at least `name:`');
    return undefined;
  }
  r.knownKeys(p, m, [
    'name',
    'description',
    'config',
    'meta',
    'columns',
    'tests',
    'data_tests',
    'docs',
    'access',
    'group',
    'latest_version',
    'versions',
    'constraints',
  ]);
  const name = r.requiredString(childPath(p, 'name'), m.name);
  if (name === undefined) return undefined;
  return {
    name,
    kind,
    description: r.string(childPath(p, 'description'), m.description) ?? '',
    config: r.map(childPath(p, 'config'), m.config) ?? {},
    meta: r.map(childPath(p, 'meta'), m.meta) ?? {},
    columns: readColumns(r, childPath(p, 'columns'), m.columns),
    tests: readTests(r, p, m),
    origin: r.origin(p),
  };
}

function readColumns(r: YamlReader, p: string, v: unknown): readonly ColumnProperties[] {
  const out: ColumnProperties[] = [];
  r.list(p, v).forEach((entry, i) => {
    const cp = childPath(p, i);
    const m = r.map(cp, entry);
    if (m === undefined) {
      if (entry === null) r.error(cp, 'expected a mapping with at least `name:`');
      return;
    }
    r.knownKeys(cp, m, [
      'name',
      'description',
      'data_type',
      'meta',
      'tags',
      'tests',
      'data_tests',
      'quote',
      'constraints',
      'policy_tags',
      'config',
    ]);
    const name = r.requiredString(childPath(cp, 'name'), m.name);
    if (name === undefined) return;
    const dataType = r.string(childPath(cp, 'data_type'), m.data_type);
    out.push({
      name,
      description: r.string(childPath(cp, 'description'), m.description) ?? '',
      ...(dataType === undefined ? {} : { dataType }),
      meta: r.map(childPath(cp, 'meta'), m.meta) ?? {},
      tags: r.stringList(childPath(cp, 'tags'), m.tags),
      tests: readTests(r, cp, m),
      origin: r.origin(cp),
    });
  });
  return out;
}

/** `tests:` and `data_tests:` (dbt ≥1.8 name) of a node/column/source table. */
function readTests(r: YamlReader, parent: string, m: YamlMap): readonly TestDeclaration[] {
  const out: TestDeclaration[] = [];
  for (const key of ['data_tests', 'tests']) {
    const p = childPath(parent, key);
    r.list(p, m[key]).forEach((entry, i) => {
      const t = readTest(r, childPath(p, i), entry);
      if (t !== undefined) out.push(t);
    });
  }
  return out;
}

function readTest(r: YamlReader, p: string, entry: unknown): TestDeclaration | undefined {
  if (typeof entry === 'string') {
    if (entry.trim() === '') {
      r.error(p, 'expected a test name');
      return undefined;
    }
    return { name: entry.trim(), args: {}, config: {}, origin: r.origin(p) };
  }
  if (!isPlainMap(entry) || Object.keys(entry).length !== 1) {
    r.error(
      p,
      `expected a test name or a mapping {test_name: {arguments…}}, got ${describe(entry)}`,
    );
    return undefined;
  }
  const [name, rawArgs] = Object.entries(entry)[0] as [string, unknown];
  const ap = childPath(p, name);
  const argsMap = rawArgs === null ? {} : r.map(ap, rawArgs);
  if (argsMap === undefined) return undefined;
  const args: Record<string, unknown> = {};
  let config: Record<string, unknown> = {
    ...(r.map(childPath(ap, 'config'), argsMap.config) ?? {}),
  };
  for (const [k, v] of Object.entries(argsMap)) {
    if (k === 'config') continue;
    if (k === 'arguments' && isPlainMap(v)) Object.assign(args, v);
    else if (TEST_CONFIG_KEYS.includes(k)) config = { ...config, [k]: v };
    else args[k] = v;
  }
  return { name, args, config, origin: r.origin(p) };
}

function readSource(r: YamlReader, p: string, entry: unknown): SourceProperties | undefined {
  const m = r.map(p, entry);
  if (m === undefined) return undefined;
  r.knownKeys(p, m, [
    'name',
    'description',
    'schema',
    'database',
    'catalog',
    'meta',
    'tables',
    'config',
    'loader',
    'freshness',
    'loaded_at_field',
    'tags',
    'quoting',
  ]);
  const name = r.requiredString(childPath(p, 'name'), m.name);
  if (name === undefined) return undefined;
  const catalog =
    r.string(childPath(p, 'catalog'), m.catalog) ?? r.string(childPath(p, 'database'), m.database);
  const tables: SourceTableProperties[] = [];
  const tp = childPath(p, 'tables');
  r.list(tp, m.tables).forEach((t, i) => {
    const ip = childPath(tp, i);
    const tm = r.map(ip, t);
    if (tm === undefined) return;
    r.knownKeys(ip, tm, [
      'name',
      'identifier',
      'description',
      'meta',
      'columns',
      'tests',
      'data_tests',
      'external',
      'config',
      'loaded_at_field',
      'freshness',
      'tags',
      'quoting',
    ]);
    const tname = r.requiredString(childPath(ip, 'name'), tm.name);
    if (tname === undefined) return;
    const identifier = r.string(childPath(ip, 'identifier'), tm.identifier);
    const ep = childPath(ip, 'external');
    const ext = r.map(ep, tm.external);
    let external: SourceTableProperties['external'];
    if (ext !== undefined) {
      r.knownKeys(ep, ext, ['location', 'file_format', 'options', 'partitions']);
      const location = r.requiredString(childPath(ep, 'location'), ext.location);
      const fileFormat = r.string(childPath(ep, 'file_format'), ext.file_format) ?? 'parquet';
      if (location !== undefined) external = { location, fileFormat };
    }
    tables.push({
      name: tname,
      ...(identifier === undefined ? {} : { identifier }),
      description: r.string(childPath(ip, 'description'), tm.description) ?? '',
      meta: r.map(childPath(ip, 'meta'), tm.meta) ?? {},
      columns: readColumns(r, childPath(ip, 'columns'), tm.columns),
      tests: readTests(r, ip, tm),
      ...(external === undefined ? {} : { external }),
      config: r.map(childPath(ip, 'config'), tm.config) ?? {},
      origin: r.origin(ip),
    });
  });
  return {
    name,
    description: r.string(childPath(p, 'description'), m.description) ?? '',
    schema: r.string(childPath(p, 'schema'), m.schema) ?? name,
    ...(catalog === undefined ? {} : { catalog }),
    meta: r.map(childPath(p, 'meta'), m.meta) ?? {},
    tables,
    origin: r.origin(p),
  };
}
