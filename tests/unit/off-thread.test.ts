import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Flags } from '../../runner/cli/command.js';
import { compiledFileText, writeCompiledFiles } from '../../runner/compiler/write-artifacts.js';
import type { Manifest } from '../../runner/compiler/manifest.js';
import { writeFilesInBackground } from '../../runner/compiler/write-files.js';
import { MdlError } from '../../runner/errors/mdl-error.js';
import { readProjectFile, readProjectFiles } from '../../runner/project/project-files.js';
import { runOffThread } from '../../runner/util/off-thread.js';
import type { ThreadModules } from '../../runner/util/off-thread.js';
import { compileIn } from '../helpers/compile-in.js';

// Large compiles read and write their files on a worker thread. The thread runs a function from
// its source text, so these tests run the same functions both on a thread and inline.

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-thread-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function digest({ crypto }: ThreadModules, texts: readonly string[]): string[] {
  return texts.map((t) => crypto.createHash('sha1').update(t).digest('hex'));
}

function explode(_m: ThreadModules, what: string): never {
  throw new Error(`boom: ${what}`);
}

describe('runOffThread', () => {
  it('gives the same result on a worker thread as inline', async () => {
    const texts = ['a', 'é', 'select 1'];
    const inline = await runOffThread(digest, texts, false);
    const threaded = await runOffThread(digest, texts, true);
    expect(threaded).toEqual(inline);
    expect(inline[0]).toBe('86f7e437faa5a7fce15d1ddcb9eaeaea377667b8');
  });

  it('rejects when the function throws, on a thread and inline', async () => {
    await expect(runOffThread(explode, 'x', true)).rejects.toThrow('boom: x');
    await expect(runOffThread(explode, 'y', false)).rejects.toThrow('boom: y');
  });
});

describe('writeFilesInBackground', () => {
  it('writes every file (enough files to use the thread), creating folders', async () => {
    const dir = path.join(root, 'many');
    const files = Array.from({ length: 700 }, (_, i) => ({
      file: path.join(dir, `f_${i % 7}`, `m_${i}.sql`),
      text: `select ${i} as n -- ü\n`,
    }));
    await writeFilesInBackground(files);
    for (const f of [files[0]!, files[350]!, files[699]!])
      expect(fs.readFileSync(f.file, 'utf8')).toBe(f.text);
    expect(fs.readdirSync(path.join(dir, 'f_3')).length).toBe(100);
  });

  it('fails with E_WRITE naming the file that could not be written', async () => {
    const blocker = path.join(root, 'blocker');
    fs.writeFileSync(blocker, 'a file, not a folder');
    for (const n of [3, 600]) {
      const files = Array.from({ length: n }, (_, i) => ({
        file: i === n - 1 ? path.join(blocker, 'x.sql') : path.join(root, `ok${n}`, `${i}.sql`),
        text: 'select 1',
      }));
      const err = await writeFilesInBackground(files).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(MdlError);
      expect((err as MdlError).code).toBe('E_WRITE');
      expect((err as MdlError).file).toBe(path.join(blocker, 'x.sql'));
    }
  });
});

describe('writeCompiledFiles', () => {
  it('rewrites only changed files and, for a complete set, removes files of removed nodes', async () => {
    const target = path.join(root, 'target');
    const files = Array.from({ length: 600 }, (_, i) => ({
      rel: `m/${i}.sql`,
      text: `select ${i}`,
    }));
    expect(await writeCompiledFiles(target, files, true)).toBe(600);
    const changed = files.slice(1).map((f, i) => (i === 0 ? { ...f, text: 'select -1' } : f));
    expect(await writeCompiledFiles(target, changed, true)).toBe(1);
    expect(fs.existsSync(path.join(target, 'compiled', 'm', '0.sql'))).toBe(false);
    expect(fs.readFileSync(path.join(target, 'compiled', 'm', '1.sql'), 'utf8')).toBe('select -1');
    // A partial set (the incremental compile) keeps the other files.
    expect(await writeCompiledFiles(target, [{ rel: 'm/2.sql', text: 'select 2' }], false)).toBe(0);
    expect(await writeCompiledFiles(target, [{ rel: 'm/2.sql', text: 'select 22' }], false)).toBe(
      1,
    );
    expect(fs.existsSync(path.join(target, 'compiled', 'm', '599.sql'))).toBe(true);
  });
});

describe('readProjectFiles', () => {
  it('reads many files on a thread, in order, with the same hashes as readProjectFile', async () => {
    const dir = path.join(root, 'project');
    const rels = Array.from({ length: 1100 }, (_, i) => `models/f_${i % 11}/m_${i}.sql`);
    for (const [i, rel] of rels.entries()) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), `select ${i} as id -- ${'x'.repeat(i % 5)}\n`);
    }
    const read = await readProjectFiles(dir, rels);
    expect(read.map((f) => f.path)).toEqual(rels);
    for (const i of [0, 547, 1099]) expect(read[i]).toEqual(readProjectFile(dir, rels[i]!));
    await expect(readProjectFiles(dir, [...rels, 'models/missing.sql'])).rejects.toThrow(
      /missing\.sql/,
    );
  });
});

describe('mdl compile of a project large enough to use the threads', () => {
  it('writes every compiled file; a --no-cache recompile gives the same nodes', async () => {
    const dir = path.join(root, 'big');
    const write = (rel: string, text: string): void => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    };
    write('project.yml', 'name: big\nmodels:\n  big:\n    +materialized: view\n');
    write(
      'configs/targets.yml',
      'default: dev\ntargets:\n  dev: {type: duckdb, path: w.duckdb, schema: main}\n',
    );
    const n = 1100; // ≥ 1,000 files read and ≥ 500 written on threads
    for (let i = 0; i < n; i++)
      write(
        `models/f_${i % 10}/m_${i}.sql`,
        i === 0 ? 'select 1 as id' : `select id + ${i} as id from {{ ref('m_${i - 1}') }}`,
      );
    const run = (flags: Flags): Promise<string> => compileIn(dir, flags);
    expect(await run({})).toContain(`(${n} SQL files written)`);
    const manifest = JSON.parse(
      fs.readFileSync(path.join(dir, 'target', 'manifest.json'), 'utf8'),
    ) as Manifest;
    const models = Object.values(manifest.nodes).filter((x) => x.resourceType === 'model');
    expect(models).toHaveLength(n);
    for (const m of models)
      expect(
        fs.readFileSync(path.join(dir, 'target', 'compiled', m.originalFilePath), 'utf8'),
      ).toBe(compiledFileText(m));
    // The same project compiled from scratch without cache or snapshot gives the same nodes.
    const first = JSON.stringify(manifest.nodes);
    fs.rmSync(path.join(dir, 'target'), { recursive: true });
    await run({ 'no-cache': true });
    const again = JSON.parse(
      fs.readFileSync(path.join(dir, 'target', 'manifest.json'), 'utf8'),
    ) as Manifest;
    expect(JSON.stringify(again.nodes)).toBe(first);
  }, 60_000);
});
