import type { ManifestNode } from '../../compiler/manifest.js';
import { MdlError } from '../../errors/mdl-error.js';
import { selectNodesDetailed } from '../../graph/select.js';
import type { Command } from '../command.js';
import { projectOptions, selectionOptions } from '../common-options.js';
import { loadAndCompile } from '../load-and-compile.js';
import { criteriaOf } from './compile.js';

/** dbt's `ls` name: fqn joined by dots (`healthcare.silver.patients`), sources as `source:…`. */
function nameOf(n: ManifestNode): string {
  if (n.resourceType === 'source') return `source:${n.packageName}.${n.sourceName}.${n.name}`;
  return n.fqn.join('.');
}

function jsonOf(n: ManifestNode): string {
  return JSON.stringify({
    name: n.name,
    resource_type: n.resourceType,
    unique_id: n.uniqueId,
    original_file_path: n.originalFilePath,
    fqn: n.fqn,
    tags: n.tags,
    config: {
      materialized: n.config.materialized,
      schema: n.config.schema,
      enabled: n.config.enabled,
    },
    depends_on: n.dependsOn,
  });
}

/** `mdl ls`: list the selected nodes. */
export const lsCommand: Command = {
  name: 'ls',
  summary: 'list the nodes a selection picks (--output name|path|json)',
  usage: [
    'Usage: mdl ls [--select SEL…] [--exclude SEL…] [--selector NAME] [--resource-type TYPE…] [--output name|path|json]',
    '',
    'Examples: mdl ls --select silver+ ; mdl ls --select tag:phi,silver ; mdl ls --resource-type test',
  ].join('\n'),
  options: { ...projectOptions, ...selectionOptions, output: { type: 'string', short: 'o' } },
  async run(flags, _positionals, io) {
    const output = typeof flags.output === 'string' ? flags.output : 'name';
    if (output !== 'name' && output !== 'path' && output !== 'json')
      throw new MdlError('E_USAGE', `--output must be name, path or json (got '${output}')`);
    const { project, manifest } = await loadAndCompile(flags, io, { renderSql: false });
    const outcome = selectNodesDetailed(manifest, criteriaOf(flags), project.selectors);
    for (const atom of outcome.unmatched)
      io.stderr(`warning: the selection criterion '${atom}' does not match any node\n`);
    const lines: string[] = [];
    for (const id of [...outcome.selected].sort()) {
      const n = manifest.nodes[id];
      if (n === undefined) continue;
      lines.push(
        output === 'name' ? nameOf(n) : output === 'path' ? n.originalFilePath : jsonOf(n),
      );
    }
    const unique = output === 'path' ? [...new Set(lines)] : lines;
    io.stdout(unique.length === 0 ? '' : `${unique.join('\n')}\n`);
    return 0;
  },
};
