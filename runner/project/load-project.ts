import * as fs from 'node:fs';
import * as path from 'node:path';
import { Diagnostics } from '../errors/diagnostics.js';
import { MdlError } from '../errors/mdl-error.js';
import { readFolderConfig } from './folder-config.js';
import { readPropertiesFile } from './load-properties.js';
import { PropertiesCache } from './properties-cache.js';
import { loadTargets } from './load-targets.js';
import { listFiles, readProjectFile, readProjectFiles, sha256 } from './project-files.js';
import type {
  NamedSelector,
  NodeProperties,
  Project,
  ProjectFile,
  SourceProperties,
} from './types.js';
import { childPath, parseYaml } from './yaml-data.js';
import { YamlReader } from './yaml-reader.js';
import { awaitedLater } from '../util/off-thread.js';

/** Options of {@link loadProject}. */
export interface LoadProjectOptions {
  /** Project directory (absolute, or relative to the process cwd only when the caller says so). */
  readonly projectDir: string;
  /** Target to validate strictly (env vars); default = targets.yml `default:`. */
  readonly targetName?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reuse validated YAML properties from `<target>/.mdl-cache/` (default true). */
  readonly useCache?: boolean;
}

const PROJECT_KEYS = [
  'name',
  'version',
  'config-version',
  'profile',
  'model-paths',
  'seed-paths',
  'macro-paths',
  'test-paths',
  'snapshot-paths',
  'analysis-paths',
  'docs-paths',
  'target-path',
  'clean-targets',
  'vars',
  'models',
  'seeds',
  'snapshots',
  'data_tests',
  'tests',
  'require-dbt-version',
  'quoting',
  'on-run-start',
  'on-run-end',
  'targets-path',
];

/** project.yml, targets.yml and selectors.yml of a project: everything but the node files. */
export interface ProjectHead {
  readonly dir: string;
  readonly name: string;
  readonly version: string;
  readonly modelPaths: readonly string[];
  readonly seedPaths: readonly string[];
  readonly macroPaths: readonly string[];
  readonly testPaths: readonly string[];
  readonly snapshotPaths: readonly string[];
  readonly targetPath: string;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly modelConfig: Project['modelConfig'];
  readonly seedConfig: Project['seedConfig'];
  readonly snapshotConfig: Project['snapshotConfig'];
  readonly testConfig: Project['testConfig'];
  readonly targets: Project['targets'];
  readonly selectors: readonly NamedSelector[];
  /** Project-relative path of the targets file. */
  readonly targetsRel: string;
  readonly projectYml: string;
  readonly targetsText: string;
  readonly selectorsText: string;
}

/**
 * Reads and validates project.yml, the targets file and selectors.yml (cheap: used on its own by
 * the incremental compile, which reads model files only when they changed).
 */
export function loadProjectHead(
  opts: Omit<LoadProjectOptions, 'useCache'>,
  collect?: Diagnostics,
): ProjectHead {
  // With `collect`, problems are left for the caller to throw together with its own.
  const diagnostics = collect ?? new Diagnostics();
  const dir = path.resolve(opts.projectDir);
  const projectYml = readText(
    dir,
    'project.yml',
    'create project.yml with at least `name:` (or pass --project-dir)',
  );
  const data = parseYaml(projectYml, 'project.yml', diagnostics);
  diagnostics.throwIfAny('project.yml is invalid');
  const r = new YamlReader(data!, diagnostics);
  const root = r.map('', data!.value) ?? {};
  r.knownKeys('', root, PROJECT_KEYS);
  const name = r.requiredString('name', root.name) ?? 'project';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    r.error('name', 'expected letters, digits and _ (it is used in unique ids)');
  const paths = (key: string, def: string): readonly string[] => {
    const list = root[key] === undefined ? [def] : r.stringList(key, root[key]);
    return list.map((p) => p.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, ''));
  };
  const modelPaths = paths('model-paths', 'models');
  const seedPaths = paths('seed-paths', 'seeds');
  const macroPaths = paths('macro-paths', 'macros');
  const testPaths = paths('test-paths', 'tests');
  const snapshotPaths = paths('snapshot-paths', 'snapshots');
  const targetPath = path.resolve(dir, r.string('target-path', root['target-path']) ?? 'target');
  const vars = r.map('vars', root.vars) ?? {};
  const testBlock = root.data_tests ?? root.tests;
  const modelConfig = readFolderConfig(r, 'models', r.map('models', root.models), name);
  const seedConfig = readFolderConfig(r, 'seeds', r.map('seeds', root.seeds), name);
  const snapshotConfig = readFolderConfig(r, 'snapshots', r.map('snapshots', root.snapshots), name);
  const testConfig = readFolderConfig(
    r,
    root.data_tests === undefined ? 'tests' : 'data_tests',
    r.map('data_tests', testBlock),
    name,
  );

  // targets.yml
  const targetsRel = r.string('targets-path', root['targets-path']) ?? 'configs/targets.yml';
  const targetsText = readText(
    dir,
    targetsRel,
    'create configs/targets.yml with `default:` and `targets:` (see README)',
  );
  const targetsData = parseYaml(targetsText, targetsRel, diagnostics);
  const targets =
    targetsData === undefined
      ? undefined
      : loadTargets(
          targetsData,
          {
            projectDir: dir,
            ...(opts.targetName === undefined ? {} : { targetName: opts.targetName }),
            env: opts.env,
          },
          diagnostics,
        );

  // selectors.yml (raw; graph/ validates definitions)
  const selectorsText = fs.existsSync(path.join(dir, 'selectors.yml'))
    ? readText(dir, 'selectors.yml', '')
    : '';
  const selectors = selectorsText === '' ? [] : readSelectors(selectorsText, diagnostics);

  if (collect === undefined) diagnostics.throwIfAny('project is invalid');
  return {
    dir,
    name,
    version: r.string('version', root.version) ?? '0.0.0',
    modelPaths,
    seedPaths,
    macroPaths,
    testPaths,
    snapshotPaths,
    targetPath,
    vars,
    modelConfig,
    seedConfig,
    snapshotConfig,
    testConfig,
    targets: targets!,
    selectors,
    targetsRel,
    projectYml,
    targetsText,
    selectorsText,
  };
}

/**
 * Reads and validates a project: project.yml, configs/targets.yml, YAML properties files,
 * selectors.yml and the model/macro/test files with content hashes. The only stage that reads
 * the filesystem. All problems are collected and thrown together as one AggregateMdlError.
 */
export async function loadProject(opts: LoadProjectOptions): Promise<Project> {
  await Promise.resolve(); // async by contract: callers may later stream large projects
  const diagnostics = new Diagnostics();
  const head = loadProjectHead(opts, diagnostics);
  const { dir, modelPaths, seedPaths, macroPaths, testPaths, snapshotPaths, targetPath } = head;
  // files
  const sqlUnder = (roots: readonly string[]): string[] =>
    roots.flatMap((p) => listFiles(dir, p, ['.sql']));
  const snapshotFileSet = new Set(sqlUnder(snapshotPaths));
  const templateLists = [
    sqlUnder(modelPaths).filter((f) => !snapshotFileSet.has(f)),
    [...snapshotFileSet].sort(),
    sqlUnder(testPaths),
    macroPaths.flatMap((p) => listFiles(dir, p, ['.sql', '.njk'])),
  ];
  // Template files are read (on another thread when many) while the YAML below is parsed here.
  const reading = awaitedLater(readProjectFiles(dir, templateLists.flat()));
  const seedFiles = seedPaths
    .flatMap((p) => listFiles(dir, p, ['.csv']))
    .map((f) => ({ path: f, hash: sha256(fs.readFileSync(path.join(dir, f), 'utf8')) }));

  // YAML properties next to models, seeds and snapshots
  const nodes: NodeProperties[] = [];
  const sources: SourceProperties[] = [];
  const ymlFiles = [
    ...new Set(
      [...modelPaths, ...seedPaths, ...snapshotPaths].flatMap((p) =>
        listFiles(dir, p, ['.yml', '.yaml']),
      ),
    ),
  ].sort();
  const propertyHashes: string[] = [];
  const cache = opts.useCache === false ? undefined : PropertiesCache.load(targetPath);
  for (const f of ymlFiles) {
    const file = readProjectFile(dir, f);
    propertyHashes.push(`${f}:${file.hash}`);
    let props = cache?.get(f, file.hash);
    if (props === undefined) {
      const before = diagnostics.size;
      const yd = parseYaml(file.content, f, diagnostics);
      if (yd === undefined) continue;
      props = readPropertiesFile(new YamlReader(yd, diagnostics));
      if (diagnostics.size === before) cache?.set(f, file.hash, props);
    }
    nodes.push(...props.nodes);
    sources.push(...props.sources);
  }
  reportDuplicateSources(sources, diagnostics);
  const read = await reading;
  const [modelFiles, snapshotFiles, testFiles, macroFiles] = templateLists.map((list) =>
    read.splice(0, list.length),
  ) as [ProjectFile[], ProjectFile[], ProjectFile[], ProjectFile[]];
  diagnostics.throwIfAny('project is invalid');
  cache?.save();

  return {
    name: head.name,
    dir,
    version: head.version,
    modelPaths,
    seedPaths,
    macroPaths,
    testPaths,
    snapshotPaths,
    targetPath,
    vars: head.vars,
    modelConfig: head.modelConfig,
    seedConfig: head.seedConfig,
    snapshotConfig: head.snapshotConfig,
    testConfig: head.testConfig,
    modelFiles,
    snapshotFiles,
    testFiles,
    macroFiles,
    seedFiles,
    properties: { nodes, sources },
    targets: head.targets,
    selectors: head.selectors,
    configHash: sha256(
      [head.projectYml, head.targetsText, head.selectorsText, ...propertyHashes].join('\u0000'),
    ),
  };
}

function readText(dir: string, rel: string, hint: string): string {
  try {
    return fs.readFileSync(path.join(dir, rel), 'utf8');
  } catch (err) {
    throw new MdlError('E_FILE_NOT_FOUND', `cannot read ${rel} in ${dir}`, {
      file: rel,
      hint,
      cause: err,
    });
  }
}

function readSelectors(text: string, diagnostics: Diagnostics): readonly NamedSelector[] {
  const data = parseYaml(text, 'selectors.yml', diagnostics);
  if (data === undefined) return [];
  const r = new YamlReader(data, diagnostics);
  const root = r.map('', data.value);
  if (root === undefined) return [];
  r.knownKeys('', root, ['selectors']);
  const out: NamedSelector[] = [];
  r.list('selectors', root.selectors).forEach((entry, i) => {
    const p = childPath('selectors', i);
    const m = r.map(p, entry);
    if (m === undefined) return;
    r.knownKeys(p, m, ['name', 'description', 'definition', 'default']);
    const name = r.requiredString(childPath(p, 'name'), m.name);
    if (m.definition === undefined) r.error(childPath(p, 'definition'), 'is required');
    if (name === undefined) return;
    out.push({
      name,
      description: r.string(childPath(p, 'description'), m.description) ?? '',
      definition: m.definition,
      default: r.boolean(childPath(p, 'default'), m.default) ?? false,
      origin: r.origin(p),
    });
  });
  return out;
}

function reportDuplicateSources(
  sources: readonly SourceProperties[],
  diagnostics: Diagnostics,
): void {
  const seen = new Map<string, SourceProperties>();
  for (const s of sources) {
    const prev = seen.get(s.name);
    if (prev !== undefined) {
      diagnostics.add(
        new MdlError(
          'E_DUPLICATE_NODE',
          `source '${s.name}' is declared twice (also at ${prev.origin.file}:${prev.origin.line})`,
          {
            file: s.origin.file,
            line: s.origin.line,
            hint: 'merge the two declarations into one `sources:` entry',
          },
        ),
      );
    } else seen.set(s.name, s);
  }
}
