import * as path from 'node:path';
import { writeManifest } from '../../compiler/write-artifacts.js';
import type { Command } from '../command.js';
import { projectOptions } from '../common-options.js';
import { loadAndCompile } from '../load-and-compile.js';

/** `mdl parse`: the parse pass only (refs, sources, config, tests) → target/manifest.json. */
export const parseCommand: Command = {
  name: 'parse',
  summary:
    'parse the project (refs, sources, configs, tests) and write target/manifest.json without rendering SQL',
  usage: [
    'Usage: mdl parse [--project-dir DIR] [--target NAME] [--vars YAML]',
    '',
    "Like dbt parse: validates the project and the DAG; nodes' compiledSql stays empty.",
  ].join('\n'),
  options: { ...projectOptions },
  async run(flags, _positionals, io) {
    const { project, manifest } = await loadAndCompile(flags, io, { renderSql: false });
    const file = writeManifest(manifest, project.targetPath);
    io.stderr(
      `Parsed ${Object.keys(manifest.nodes).length} nodes → ${path.relative(io.cwd, file) || file}\n`,
    );
    return 0;
  },
};
