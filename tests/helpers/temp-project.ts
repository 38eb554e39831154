import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileProject } from '../../runner/compiler/compile-project.js';
import type { CompileOptions } from '../../runner/compiler/compile-project.js';
import type { Manifest, ManifestNode } from '../../runner/compiler/manifest.js';
import { AggregateMdlError } from '../../runner/errors/diagnostics.js';
import type { MdlError } from '../../runner/errors/mdl-error.js';
import { loadProject } from '../../runner/project/load-project.js';
import type { Project } from '../../runner/project/types.js';

/** Minimal project.yml + targets.yml so tests only write what they exercise. */
export const DEFAULT_FILES: Readonly<Record<string, string>> = {
  'project.yml':
    'name: proj\nmodel-paths: [models]\nmacro-paths: [macros]\ntest-paths: [data-tests]\n',
  'configs/targets.yml':
    'default: dev\ntargets:\n  dev: {type: duckdb, path: dev.duckdb, schema: main}\n',
};

/** Writes `files` (relative path → content) into a fresh temp dir and returns it. */
export function writeProject(files: Readonly<Record<string, string>>, withDefaults = true): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-proj-'));
  const all = withDefaults ? { ...DEFAULT_FILES, ...files } : files;
  for (const [rel, content] of Object.entries(all)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return dir;
}

/** Loads and compiles a temp project (no cache unless asked). */
export async function compileFiles(
  files: Readonly<Record<string, string>>,
  opts: CompileOptions & { readonly env?: Readonly<Record<string, string | undefined>> } = {},
): Promise<{ project: Project; manifest: Manifest; dir: string }> {
  const dir = writeProject(files);
  const env = opts.env ?? {};
  const project = await loadProject({
    projectDir: dir,
    env,
    ...(opts.targetName === undefined ? {} : { targetName: opts.targetName }),
  });
  const manifest = await compileProject(project, { useCache: false, ...opts, env });
  return { project, manifest, dir };
}

/** The problems of a rejected load/compile (fails the test if it did not reject). */
export async function problemsOf(p: Promise<unknown>): Promise<readonly MdlError[]> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AggregateMdlError) return err.errors;
    return [err as MdlError];
  }
  throw new Error('expected the project to be rejected, but it compiled');
}

/** A node by unique id (fails loudly when missing). */
export function node(m: Manifest, id: string): ManifestNode {
  const n = m.nodes[id];
  if (n === undefined) throw new Error(`no node ${id}; have: ${Object.keys(m.nodes).join(', ')}`);
  return n;
}

/** compiledSql of a node. */
export function sqlOf(m: Manifest, id: string): string {
  const n = node(m, id);
  if (!('compiledSql' in n)) throw new Error(`${id} has no SQL`);
  return n.compiledSql;
}
