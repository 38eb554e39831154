import path from 'node:path';
import type {
  Manifest,
  ManifestNode,
  ModelNode,
  NodeConfig,
  RelationName,
  SeedNode,
  TestNode,
} from '../../runner/compiler/manifest.js';
import type { DuckDbTarget, Project } from '../../runner/project/types.js';

/** Hand-made nodes for strategy/executor tests (independent of the compiler). */
export function modelNode(
  name: string,
  sql: string,
  config: Partial<NodeConfig> = {},
  extra: Partial<ModelNode> = {},
): ModelNode {
  const relation: RelationName = {
    schema: typeof config.schema === 'string' ? config.schema : 'main',
    identifier: name,
  };
  return {
    resourceType: 'model',
    uniqueId: `model.t.${name}`,
    name,
    packageName: 't',
    fqn: ['t', name],
    originalFilePath: `models/${name}.sql`,
    line: 1,
    description: '',
    tags: [],
    meta: {},
    config: { materialized: 'view', enabled: true, tags: [], meta: {}, ...config },
    dependsOn: { nodes: [], macros: [] },
    columns: {},
    checksum: 'x',
    relation,
    rawSql: sql,
    compiledSql: sql,
    ctes: [],
    ...extra,
  };
}

export function seedNode(
  name: string,
  seedPath: string,
  config: Partial<NodeConfig> = {},
): SeedNode {
  return {
    resourceType: 'seed',
    uniqueId: `seed.t.${name}`,
    name,
    packageName: 't',
    fqn: ['t', name],
    originalFilePath: seedPath,
    line: 1,
    description: '',
    tags: [],
    meta: {},
    config: { materialized: 'seed', enabled: true, tags: [], meta: {}, ...config },
    dependsOn: { nodes: [], macros: [] },
    columns: {},
    checksum: 'x',
    relation: { schema: 'main', identifier: name },
    seedPath,
  };
}

export function testNode(
  name: string,
  sql: string,
  config: Partial<NodeConfig> = {},
  attachedNode?: string,
): TestNode {
  return {
    resourceType: 'test',
    uniqueId: `test.t.${name}`,
    name,
    packageName: 't',
    fqn: ['t', name],
    originalFilePath: `models/schema.yml`,
    line: 3,
    description: '',
    tags: [],
    meta: {},
    config: { materialized: 'test', enabled: true, tags: [], meta: {}, ...config },
    dependsOn: { nodes: attachedNode === undefined ? [] : [attachedNode], macros: [] },
    columns: {},
    checksum: 'x',
    rawSql: sql,
    compiledSql: sql,
    ctes: [],
    relation: { schema: 'main', identifier: name },
    ...(attachedNode === undefined ? {} : { attachedNode }),
  };
}

/** A manifest over hand-made nodes (parent/child maps from dependsOn). */
export function manifestFromNodes(nodes: readonly ManifestNode[]): Manifest {
  const parentMap: Record<string, string[]> = {};
  const childMap: Record<string, string[]> = {};
  for (const n of nodes) {
    parentMap[n.uniqueId] = [...n.dependsOn.nodes];
    childMap[n.uniqueId] ??= [];
    for (const p of n.dependsOn.nodes) (childMap[p] ??= []).push(n.uniqueId);
  }
  return {
    metadata: {
      mdlVersion: 'test',
      projectName: 't',
      generatedAt: '',
      target: 'dev',
      targetType: 'duckdb',
      invocationId: 'x',
    },
    nodes: Object.fromEntries(nodes.map((n) => [n.uniqueId, n])),
    macros: {},
    childMap,
    parentMap,
  };
}

/** The parts of a Project the executor reads, for tests without the project loader. */
export function fakeProject(dir: string, target: DuckDbTarget): Project {
  return {
    name: 't',
    dir,
    version: '1',
    modelPaths: ['models'],
    seedPaths: ['seeds'],
    macroPaths: [],
    testPaths: [],
    snapshotPaths: [],
    targetPath: path.join(dir, 'target'),
    vars: {},
    modelConfig: { config: {}, children: {} },
    seedConfig: { config: {}, children: {} },
    snapshotConfig: { config: {}, children: {} },
    testConfig: { config: {}, children: {} },
    modelFiles: [],
    snapshotFiles: [],
    testFiles: [],
    macroFiles: [],
    seedFiles: [],
    properties: { nodes: [], sources: [] },
    targets: {
      defaultTarget: target.name,
      targets: { [target.name]: target },
      file: 'configs/targets.yml',
    },
    selectors: [],
    configHash: 'x',
  };
}

/** A DuckDB target on a file in `dir`. */
export function duckTarget(dir: string, threads = 2): DuckDbTarget {
  return {
    type: 'duckdb',
    name: 'dev',
    path: path.join(dir, 'warehouse.duckdb'),
    schema: 'main',
    threads,
    settings: {},
  };
}
