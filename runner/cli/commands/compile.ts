import * as path from 'node:path';
import type { ResourceType } from '../../compiler/manifest.js';
import * as fs from 'node:fs';
import type { ParsedTemplate } from '../../compiler/compile-cache.js';
import { MDL_VERSION } from '../../compiler/compile-project.js';
import {
  dropSnapshot,
  recordingEnv,
  saveSnapshot,
  scanInputs,
  snapshotKey,
  takeSnapshot,
} from '../../compiler/compile-snapshot.js';
import type { ScannedInputs } from '../../compiler/compile-snapshot.js';
import { stampOf, tryIncrementalCompile } from '../../compiler/incremental-compile.js';
import {
  compiledFileText,
  serializeManifest,
  writeCompiledSql,
  writeManifestInBackground,
} from '../../compiler/write-artifacts.js';
import { loadProjectHead } from '../../project/load-project.js';
import { awaitedLater } from '../../util/off-thread.js';
import type { Command, Flags } from '../command.js';
import { projectOptions, selectionOptions } from '../common-options.js';
import { loadAndCompile, parseVarsFlag, projectDirOf } from '../load-and-compile.js';

/** `--select`/`--models`/`--exclude`/`--selector`/`--resource-type` as selection criteria. */
export function criteriaOf(flags: Flags): {
  select: string[];
  exclude: string[];
  selector?: string;
  resourceTypes?: ResourceType[];
} {
  const list = (v: unknown): string[] =>
    Array.isArray(v)
      ? v.filter((x): x is string => typeof x === 'string')
      : typeof v === 'string'
        ? [v]
        : [];
  const types = list(flags['resource-type']);
  return {
    select: [...list(flags.select), ...list(flags.models)],
    exclude: list(flags.exclude),
    ...(typeof flags.selector === 'string' ? { selector: flags.selector } : {}),
    ...(types.length === 0 ? {} : { resourceTypes: types as ResourceType[] }),
  };
}

/**
 * Stats of every input taken before the project is read (so an edit during the compile is seen
 * next time). Undefined scan when project.yml/targets cannot be read: the compile reports it.
 */
function startSnapshot(
  projectDir: string,
  targetName: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): {
  scannedAt: number;
  scan?: ScannedInputs;
  roots: string[];
  fixed: string[];
  envNames: Set<string>;
} {
  const scannedAt = Date.now();
  const envNames = new Set<string>();
  try {
    const head = loadProjectHead({
      projectDir,
      ...(targetName === undefined ? {} : { targetName }),
      env: recordingEnv(env, envNames),
    });
    const roots = [
      ...new Set([
        ...head.modelPaths,
        ...head.seedPaths,
        ...head.snapshotPaths,
        ...head.testPaths,
        ...head.macroPaths,
      ]),
    ];
    const fixed = ['project.yml', head.targetsRel, 'selectors.yml'];
    return { scannedAt, scan: scanInputs(head.dir, roots, fixed), roots, fixed, envNames };
  } catch {
    return { scannedAt, roots: [], fixed: [], envNames };
  }
}

/** `mdl compile`: manifest + compiled SQL under target/, offline. */
export const compileCommand: Command = {
  name: 'compile',
  summary:
    'render every model and test to SQL (offline) into target/compiled and target/manifest.json',
  usage: [
    'Usage: mdl compile [--project-dir DIR] [--target NAME] [--vars YAML] [--select SEL] [--no-cache]',
    '',
    'Writes target/manifest.json and target/compiled/<path>.sql. With --select, also prints the',
    "selected nodes' compiled SQL. Exit code 0 on success, 2 on project or compile errors",
    '(every problem is listed with file:line).',
  ].join('\n'),
  options: { ...projectOptions, ...selectionOptions, 'no-cache': { type: 'boolean' } },
  async run(flags, _positionals, io) {
    const started = performance.now();
    const useCache = flags['no-cache'] !== true;
    const criteria = criteriaOf(flags);
    const printing = criteria.select.length > 0 || criteria.selector !== undefined;
    const targetName = typeof flags.target === 'string' ? flags.target : undefined;
    const vars = parseVarsFlag(typeof flags.vars === 'string' ? flags.vars : undefined);
    const projectDir = projectDirOf(flags, io);
    // Only SQL files changed since the last compile: re-render just those (see incremental-compile.ts).
    const quick =
      useCache && !printing
        ? await tryIncrementalCompile({
            projectDir,
            ...(targetName === undefined ? {} : { targetName }),
            vars,
            env: io.env,
          })
        : undefined;
    if (quick !== undefined) {
      const ms = Math.round(performance.now() - started);
      io.stderr(
        `Compiled ${quick.summary} for target '${quick.targetName}' in ${ms} ms (${quick.changed} changed, ${quick.written} SQL files written) → ${path.relative(io.cwd, quick.manifestFile) || quick.manifestFile}\n`,
      );
      return 0;
    }
    const snap = useCache ? startSnapshot(projectDir, targetName, io.env) : undefined;
    const parsed = new Map<string, ParsedTemplate>();
    const { project, manifest } = await loadAndCompile(
      flags,
      snap === undefined ? io : { ...io, env: recordingEnv(io.env, snap.envNames) },
      { useCache, onParsed: (file, p) => parsed.set(file, p) },
    );
    // A snapshot must never outlive the manifest it indexes.
    dropSnapshot(project.targetPath);
    // Compiled files are written on another thread while the manifest is serialised here.
    const writing = awaitedLater(writeCompiledSql(manifest, project.targetPath));
    const serialized = serializeManifest(manifest);
    // Also written on another thread, while the snapshot is taken here.
    const writingManifest = awaitedLater(
      writeManifestInBackground(serialized.text, project.targetPath),
    );
    if (printing) {
      // Loaded only here: the graph library is not needed to compile.
      const { selectNodes } = await import('../../graph/select.js');
      const selected = selectNodes(manifest, criteria, project.selectors);
      for (const id of [...selected].sort()) {
        const n = manifest.nodes[id];
        const text = n === undefined ? undefined : compiledFileText(n);
        if (text !== undefined) io.stdout(`-- ${id}\n${text}\n`);
      }
    }
    const counts = new Map<string, number>();
    for (const n of Object.values(manifest.nodes))
      counts.set(n.resourceType, (counts.get(n.resourceType) ?? 0) + 1);
    const summary = ['model', 'snapshot', 'seed', 'test', 'source']
      .map((t) => `${counts.get(t) ?? 0} ${t}${(counts.get(t) ?? 0) === 1 ? '' : 's'}`)
      .join(', ');
    const snapshot =
      snap?.scan === undefined
        ? undefined
        : takeSnapshot({
            project,
            key: snapshotKey(MDL_VERSION, project.dir, targetName, vars),
            scannedAt: snap.scannedAt,
            scan: snap.scan,
            roots: snap.roots,
            fixed: snap.fixed,
            envNames: snap.envNames,
            env: io.env,
            parsed,
            manifest,
            serialized,
            summary,
          });
    const manifestFile = await writingManifest;
    if (snapshot !== undefined)
      saveSnapshot(project.targetPath, {
        ...snapshot,
        manifestStamp: stampOf(fs.statSync(manifestFile)),
      });
    const written = await writing;
    const ms = Math.round(performance.now() - started);
    io.stderr(
      `Compiled ${summary} for target '${manifest.metadata.target}' in ${ms} ms (${written} SQL files written) → ${path.relative(io.cwd, manifestFile) || manifestFile}\n`,
    );
    return 0;
  },
};
