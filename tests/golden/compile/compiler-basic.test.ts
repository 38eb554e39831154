import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../../runner/compiler/compile-project.js';
import { compiledFileText } from '../../../runner/compiler/write-artifacts.js';
import { loadProject } from '../../../runner/project/load-project.js';

// Golden compiled SQL for tests/fixtures/basic, per target. Regenerate after an intended change
// with: UPDATE_GOLDEN=1 npx vitest run tests/golden/compile
const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.resolve(here, '../../fixtures/basic');
const update = process.env.UPDATE_GOLDEN === '1';

/** Golden file name per node: models/… keep their path; tests go under tests/<name>.sql. */
function goldenName(n: { resourceType: string; originalFilePath: string; name: string }): string {
  return n.resourceType === 'test' ? `tests/${n.name}.sql` : n.originalFilePath;
}

for (const target of ['dev', 'prod'] as const) {
  describe(`golden compiled SQL (basic, target ${target})`, () => {
    it('matches tests/golden/compile/basic-' + target, async () => {
      // Compile a copy so the fixture never gets a target/ folder.
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdl-golden-'));
      fs.cpSync(fixture, dir, { recursive: true });
      const project = await loadProject({ projectDir: dir, targetName: target, env: {} });
      const manifest = await compileProject(project, {
        targetName: target,
        env: {},
        useCache: false,
      });
      const goldenDir = path.join(here, `basic-${target}`);
      const produced = new Map<string, string>();
      for (const n of Object.values(manifest.nodes)) {
        const text = compiledFileText(n);
        if (text !== undefined) produced.set(goldenName(n), text);
      }
      expect(produced.size).toBe(14);
      if (update) {
        fs.rmSync(goldenDir, { recursive: true, force: true });
        for (const [rel, text] of produced) {
          fs.mkdirSync(path.dirname(path.join(goldenDir, rel)), { recursive: true });
          fs.writeFileSync(path.join(goldenDir, rel), text);
        }
      }
      const expected = fs
        .readdirSync(goldenDir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.sql'))
        .map((f) => f.split(path.sep).join('/'))
        .sort();
      expect([...produced.keys()].sort()).toEqual(expected);
      for (const [rel, text] of produced)
        expect(text, rel).toBe(fs.readFileSync(path.join(goldenDir, rel), 'utf8'));
    });
  });
}
