import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { ExecHarness } from '../helpers/exec-harness.js';
import { seedNode } from '../helpers/node-factory.js';

let h: ExecHarness;
beforeEach(() => {
  h = new ExecHarness();
});
afterEach(() => h.dispose());

describe('seeds', () => {
  const write = (name: string, content: string | Buffer) => {
    fs.mkdirSync(path.join(h.dir, 'seeds'), { recursive: true });
    fs.writeFileSync(path.join(h.dir, 'seeds', name), content);
    return `seeds/${name}`;
  };

  it('loads quoted fields, embedded commas/newlines, BOM and UTF-8 with column_types; reload replaces rows', async () => {
    const p = write(
      'cpt.csv',
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from(
          'Code,Description,Amount\r\n00100,"Anesthesia, salivary ""gland""",1.50\r\n00102,"Cleft lip\nrepair — Ünïcode",2\r\n',
        ),
      ]),
    );
    const s = seedNode('cpt', p, { column_types: { Code: 'VARCHAR' } });
    const res = await h.run([s], 'seed');
    expect(res.get('seed.t.cpt')?.status).toBe('success');
    expect(res.get('seed.t.cpt')?.rowsAffected).toBe(2);
    expect(await h.rows('SELECT Code, Description FROM main.cpt ORDER BY Code')).toEqual([
      { Code: '00100', Description: 'Anesthesia, salivary "gland"' },
      { Code: '00102', Description: 'Cleft lip\nrepair — Ünïcode' },
    ]);
    write('cpt.csv', 'Code,Description,Amount\n00103,x,1\n');
    await h.run([s], 'seed');
    expect(await h.rows('SELECT Code FROM main.cpt')).toEqual([{ Code: '00103' }]);
    write('cpt.csv', 'Code,Other\n1,2\n');
    expect((await h.run([s], 'seed')).get('seed.t.cpt')?.status).toBe('success');
    expect(
      (
        await h.rows(
          "SELECT column_name FROM information_schema.columns WHERE table_name = 'cpt' ORDER BY ordinal_position",
        )
      ).map((r) => r.column_name),
    ).toEqual(['Code', 'Other']);
    expect((await h.run([s], 'seed', { fullRefresh: true })).get('seed.t.cpt')?.rowsAffected).toBe(
      1,
    );
  });

  it('ragged rows, empty files, unclosed quotes and unknown column_types are E_SEED with file and line', async () => {
    const cases: [string, string, RegExp, Record<string, string>?][] = [
      ['ragged.csv', 'a,b\n1,2\n3,4,5\n', /line 3 has 3 fields, the header has 2/],
      ['short.csv', 'a,b\n1,"x\ny"\n3\n', /line 4 has 1 field, the header has 2/],
      ['empty.csv', '', /seed file is empty/],
      ['open.csv', 'a,b\n1,"never closed\n', /quoted field opened at line 2 is never closed/],
      ['types.csv', 'a,b\n1,2\n', /column_types names column 'zz'/, { zz: 'INTEGER' }],
    ];
    for (const [name, content, re, types] of cases) {
      const p = write(name, content);
      const s = seedNode(
        name.replace('.csv', ''),
        p,
        types === undefined ? {} : { column_types: types },
      );
      const r = (await h.run([s], 'seed')).get(s.uniqueId)!;
      expect(r.status, name).toBe('error');
      expect(r.errorCode, name).toBe('E_SEED');
      expect(r.message, name).toMatch(re);
    }
  });

  it('a value that does not fit column_types is E_SEED with the CSV line, never the value', async () => {
    const p = write('typed.csv', 'id,name\n1,Jane Secret\n2x,Bob Private\n');
    const s = seedNode('typed', p, { column_types: { id: 'INTEGER' } });
    const r = (await h.run([s], 'seed')).get(s.uniqueId)!;
    expect(r.status).toBe('error');
    expect(r.errorCode).toBe('E_SEED');
    expect(r.message).toContain('CSV Error on Line: 3');
    expect(r.message).not.toMatch(/Bob|Private|2x|Jane/);
  });
});
