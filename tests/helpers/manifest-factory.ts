/**
 * A small typed factory for manifests in unit tests (graph, selectors, scheduler, and anyone
 * else who needs a Manifest without running the compiler).
 *
 *   const m = manifestOf([
 *     source('emr', 'patients', { folder: ['bronze'] }),
 *     model('patients', { folder: ['silver'], deps: ['emr.patients'], tags: ['phi'] }),
 *     model('dim_patient', { folder: ['gold'], deps: ['patients'] }),
 *     genericTest('not_null', 'patients', { column: 'patient_id' }),
 *   ]);
 *
 * `deps` entries are unique ids (`model.proj.x`), node names (models/seeds/snapshots), or
 * `source.table` for sources; they are resolved when the manifest is assembled.
 */
import type {
  Manifest,
  ManifestNode,
  Materialization,
  ModelNode,
  NodeConfig,
  SeedNode,
  SnapshotNode,
  SourceNode,
  TestNode,
} from '../../runner/compiler/manifest.js';

export const PROJECT = 'proj';

/** A node before its `deps` are resolved to unique ids. */
export interface NodeDraft {
  readonly node: ManifestNode;
  readonly deps: readonly string[];
}

export interface CommonOpts {
  /** Folders under the resource path: ['silver'] → models/silver/… and fqn proj.silver.x. */
  readonly folder?: readonly string[];
  readonly deps?: readonly string[];
  readonly tags?: readonly string[];
  readonly config?: Readonly<Record<string, unknown>>;
  /** Override the file path (relative to the project dir). */
  readonly path?: string;
  readonly packageName?: string;
}

function base(
  resourceType: ManifestNode['resourceType'],
  uniqueId: string,
  name: string,
  fqn: readonly string[],
  file: string,
  materialized: Materialization,
  opts: CommonOpts,
) {
  const tags = opts.tags ?? [];
  const config: NodeConfig = {
    materialized,
    enabled: true,
    tags,
    meta: {},
    ...opts.config,
  };
  return {
    resourceType,
    uniqueId,
    name,
    packageName: opts.packageName ?? PROJECT,
    fqn,
    originalFilePath: opts.path ?? file,
    line: 1,
    description: '',
    tags,
    meta: {},
    config,
    dependsOn: { nodes: [] as readonly string[], macros: [] as readonly string[] },
    columns: {},
    checksum: uniqueId,
  };
}

const rel = (schema: string, identifier: string) => ({ schema, identifier });

export function model(
  name: string,
  opts: CommonOpts & { readonly materialized?: Materialization } = {},
): NodeDraft {
  const folder = opts.folder ?? [];
  const file = ['models', ...folder, `${name}.sql`].join('/');
  const node: ModelNode = {
    ...base(
      'model',
      `model.${PROJECT}.${name}`,
      name,
      [PROJECT, ...folder, name],
      file,
      opts.materialized ?? 'view',
      opts,
    ),
    resourceType: 'model',
    relation: rel(folder[0] ?? 'main', name),
    rawSql: 'select 1',
    compiledSql: 'select 1',
    ctes: [],
  };
  return { node, deps: opts.deps ?? [] };
}

export function seed(name: string, opts: CommonOpts = {}): NodeDraft {
  const folder = opts.folder ?? [];
  const file = ['seeds', ...folder, `${name}.csv`].join('/');
  const node: SeedNode = {
    ...base(
      'seed',
      `seed.${PROJECT}.${name}`,
      name,
      [PROJECT, ...folder, name],
      file,
      'seed',
      opts,
    ),
    resourceType: 'seed',
    relation: rel('main', name),
    seedPath: file,
  };
  return { node, deps: opts.deps ?? [] };
}

export function snapshot(name: string, opts: CommonOpts = {}): NodeDraft {
  const folder = opts.folder ?? [];
  const file = ['snapshots', ...folder, `${name}.sql`].join('/');
  const node: SnapshotNode = {
    ...base(
      'snapshot',
      `snapshot.${PROJECT}.${name}`,
      name,
      [PROJECT, ...folder, name],
      file,
      'snapshot',
      opts,
    ),
    resourceType: 'snapshot',
    relation: rel('snapshots', name),
    rawSql: 'select 1',
    compiledSql: 'select 1',
    ctes: [],
  };
  return { node, deps: opts.deps ?? [] };
}

export function source(sourceName: string, table: string, opts: CommonOpts = {}): NodeDraft {
  const folder = opts.folder ?? [];
  const file = ['models', ...folder, 'sources.yml'].join('/');
  const node: SourceNode = {
    ...base(
      'source',
      `source.${PROJECT}.${sourceName}.${table}`,
      table,
      [PROJECT, ...folder, sourceName, table],
      file,
      'view',
      opts,
    ),
    resourceType: 'source',
    sourceName,
    relation: rel(sourceName, table),
  };
  return { node, deps: [] };
}

/**
 * A generic test (`not_null`, `relationships`, …) on `on` (one or more dependency references;
 * the first is the attached node). Named `<test>_<first dep name>[_<column>]` unless `name`.
 */
export function genericTest(
  testName: string,
  on: string | readonly string[],
  opts: CommonOpts & {
    readonly column?: string;
    readonly name?: string;
    readonly namespace?: string;
  } = {},
): NodeDraft {
  const deps = typeof on === 'string' ? [on] : on;
  const first = (deps[0] ?? 'x').split('.').pop()!;
  const name = opts.name ?? [testName, first, opts.column].filter((s) => s !== undefined).join('_');
  const folder = opts.folder ?? [];
  const file = ['models', ...folder, 'schema.yml'].join('/');
  const node: TestNode = {
    ...base(
      'test',
      `test.${PROJECT}.${name}`,
      name,
      [PROJECT, ...folder, name],
      file,
      'test',
      opts,
    ),
    resourceType: 'test',
    testMetadata: {
      name: testName,
      kwargs: {},
      ...(opts.namespace === undefined ? {} : { namespace: opts.namespace }),
    },
    ...(opts.column === undefined ? {} : { columnName: opts.column }),
    rawSql: 'select 1 where false',
    compiledSql: 'select 1 where false',
    ctes: [],
    relation: rel('audit', name),
  };
  return { node, deps: [...deps, ...(opts.deps ?? [])] };
}

/** A singular test: a .sql file under data-tests/ depending on `deps`. */
export function singularTest(name: string, opts: CommonOpts = {}): NodeDraft {
  const folder = opts.folder ?? [];
  const file = ['data-tests', ...folder, `${name}.sql`].join('/');
  const node: TestNode = {
    ...base(
      'test',
      `test.${PROJECT}.${name}`,
      name,
      [PROJECT, ...folder, name],
      file,
      'test',
      opts,
    ),
    resourceType: 'test',
    rawSql: 'select 1 where false',
    compiledSql: 'select 1 where false',
    ctes: [],
    relation: rel('audit', name),
  };
  return { node, deps: opts.deps ?? [] };
}

/** Resolves deps, fills dependsOn / parentMap / childMap, and returns a Manifest. */
export function manifestOf(drafts: readonly NodeDraft[]): Manifest {
  const byId = new Map<string, NodeDraft>();
  const byName = new Map<string, string>();
  for (const d of drafts) {
    if (byId.has(d.node.uniqueId)) throw new Error(`factory: duplicate node ${d.node.uniqueId}`);
    byId.set(d.node.uniqueId, d);
    const n = d.node;
    if (n.resourceType === 'source') byName.set(`${n.sourceName}.${n.name}`, n.uniqueId);
    else if (n.resourceType !== 'test') byName.set(n.name, n.uniqueId);
  }
  const resolve = (dep: string, from: string): string => {
    if (byId.has(dep)) return dep;
    const id = byName.get(dep);
    if (id === undefined) throw new Error(`factory: ${from} depends on unknown '${dep}'`);
    return id;
  };
  const nodes: Record<string, ManifestNode> = {};
  const parentMap: Record<string, string[]> = {};
  const childMap: Record<string, string[]> = {};
  for (const d of drafts) childMap[d.node.uniqueId] = [];
  for (const d of drafts) {
    const id = d.node.uniqueId;
    const parents = [...new Set(d.deps.map((dep) => resolve(dep, id)))];
    nodes[id] = { ...d.node, dependsOn: { nodes: parents, macros: [] } };
    parentMap[id] = parents;
    for (const p of parents) childMap[p]!.push(id);
  }
  return {
    metadata: {
      mdlVersion: '0.0.0-test',
      projectName: PROJECT,
      generatedAt: '2026-01-01T00:00:00.000Z',
      target: 'dev',
      targetType: 'duckdb',
      invocationId: 'test',
    },
    nodes,
    macros: {},
    childMap,
    parentMap,
  };
}

/** `model.proj.x`-style ids for assertions. */
export const ids = {
  model: (name: string): string => `model.${PROJECT}.${name}`,
  seed: (name: string): string => `seed.${PROJECT}.${name}`,
  snapshot: (name: string): string => `snapshot.${PROJECT}.${name}`,
  test: (name: string): string => `test.${PROJECT}.${name}`,
  source: (src: string, table: string): string => `source.${PROJECT}.${src}.${table}`,
};

/**
 * A synthetic manifest of `count` models for performance checks: `layers` folders, each model
 * depending on up to `fanIn` models of the previous layer, plus one not_null test per model.
 */
export function syntheticManifest(count: number, layers = 10, fanIn = 3): Manifest {
  const drafts: NodeDraft[] = [];
  const perLayer = Math.ceil(count / layers);
  for (let i = 0; i < count; i++) {
    const layer = Math.floor(i / perLayer);
    const deps: string[] = [];
    if (layer > 0) {
      for (let k = 0; k < fanIn; k++) {
        const j = (layer - 1) * perLayer + ((i * 7 + k * 13) % perLayer);
        if (j < count) deps.push(`m${j}`);
      }
    }
    drafts.push(
      model(`m${i}`, { folder: [`layer${layer}`], deps, tags: i % 5 === 0 ? ['five'] : [] }),
    );
    drafts.push(genericTest('not_null', `m${i}`, { column: 'id' }));
  }
  return manifestOf(drafts);
}

/**
 * A small medallion-shaped manifest used across graph/selector tests:
 *
 *   emr.patients → patients ─→ dim_patient ─┐
 *   emr.encounters → encounters ───────────→ fact_transactions → kpi_ar_aging
 *   claims.claims → claims ────────────────┘          └────────→ kpi_denials ← claims
 *   cpt_codes (seed) → cpt
 *
 * Tests: not_null_patients_patient_id, unique_dim_patient_patient_key,
 * relationships_fact_transactions_patient_key (fact + dim), accepted_values_claims_status,
 * not_null_emr_patients (source), assert_positive_amounts (singular, on fact_transactions).
 */
export function healthcareManifest(): Manifest {
  return manifestOf([
    source('emr', 'patients', { folder: ['bronze'], tags: ['phi'] }),
    source('emr', 'encounters', { folder: ['bronze'] }),
    source('claims', 'claims', { folder: ['bronze'] }),
    seed('cpt_codes', { tags: ['codes'] }),
    model('patients', {
      folder: ['silver'],
      deps: ['emr.patients'],
      tags: ['phi'],
      materialized: 'table',
      config: { meta: { pii: true, owner: 'rcm' } },
    }),
    model('encounters', { folder: ['silver'], deps: ['emr.encounters'], materialized: 'table' }),
    model('claims', {
      folder: ['silver'],
      deps: ['claims.claims'],
      tags: ['finance'],
      materialized: 'incremental',
      config: { unique_key: ['claim_id'], incremental_strategy: 'merge' },
    }),
    model('cpt', { folder: ['silver'], deps: ['cpt_codes'], tags: ['codes'] }),
    model('dim_patient', {
      folder: ['gold'],
      deps: ['patients'],
      tags: ['phi'],
      materialized: 'table',
      config: { meta: { pii: true } },
    }),
    model('fact_transactions', {
      folder: ['gold'],
      deps: ['encounters', 'claims', 'dim_patient'],
      materialized: 'incremental',
      tags: ['finance'],
    }),
    model('kpi_ar_aging', {
      folder: ['gold', 'kpi'],
      deps: ['fact_transactions'],
      tags: ['finance', 'kpi'],
    }),
    model('kpi_denials', {
      folder: ['gold', 'kpi'],
      deps: ['fact_transactions', 'claims'],
      tags: ['kpi'],
    }),
    genericTest('not_null', 'patients', { folder: ['silver'], column: 'patient_id' }),
    genericTest('unique', 'dim_patient', { folder: ['gold'], column: 'patient_key' }),
    genericTest('relationships', ['fact_transactions', 'dim_patient'], {
      folder: ['gold'],
      column: 'patient_key',
    }),
    genericTest('accepted_values', 'claims', {
      folder: ['silver'],
      column: 'status',
      config: { severity: 'warn' },
    }),
    genericTest('not_null', 'emr.patients', { folder: ['bronze'], name: 'not_null_emr_patients' }),
    singularTest('assert_positive_amounts', { deps: ['fact_transactions'] }),
  ]);
}

/** Short, readable names for assertions: `patients`, `emr.patients` (sources), test names. */
export function shortNames(uniqueIds: Iterable<string>): string[] {
  // `<type>.<project>.<rest>` → `<rest>` (sources keep `source.table`).
  return [...uniqueIds].map((id) => id.split('.').slice(2).join('.')).sort();
}
