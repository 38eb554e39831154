import * as path from 'node:path';
import type { ResourceType } from '../../compiler/manifest.js';
import {
  compiledFileText,
  writeCompiledSql,
  writeManifest,
} from '../../compiler/write-artifacts.js';
import { selectNodes } from '../../graph/select.js';
import type { Command, Flags } from '../command.js';
import { projectOptions, selectionOptions } from '../common-options.js';
import { loadAndCompile } from '../load-and-compile.js';

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
    const { project, manifest } = await loadAndCompile(flags, io, {
      useCache: flags['no-cache'] !== true,
    });
    const manifestFile = writeManifest(manifest, project.targetPath);
    const written = await writeCompiledSql(manifest, project.targetPath);
    const criteria = criteriaOf(flags);
    if (criteria.select.length > 0 || criteria.selector !== undefined) {
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
    const ms = Math.round(performance.now() - started);
    io.stderr(
      `Compiled ${summary} for target '${manifest.metadata.target}' in ${ms} ms (${written} SQL files written) → ${path.relative(io.cwd, manifestFile) || manifestFile}\n`,
    );
    return 0;
  },
};
