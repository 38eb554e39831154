/** CSV record cutting for the PostgreSQL COPY fast path: never inside a quoted field. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvRecordCutter } from '../../runner/ingest/pg-copy-out.js';
import { parseCsv } from '../../runner/ingest/csv-text.js';

const field = fc.oneof(
  fc.constantFrom('', 'plain', 'x,y', 'say "hi"', 'two\nlines', '"', '\n'),
  fc.string({ maxLength: 8 }),
);
const quote = (v: string): string =>
  /[",\n]/.test(v) || v === '' ? `"${v.replaceAll('"', '""')}"` : v;

describe('CsvRecordCutter', () => {
  it('cuts only at record ends, whatever the chunking (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(field, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }),
        fc.integer({ min: 1, max: 40 }),
        (records, sizes, partBytes) => {
          const text = records.map((r) => `${r.map(quote).join(',')}\n`).join('');
          const buf = Buffer.from(text);
          const cutter = new CsvRecordCutter();
          const parts: Buffer[][] = [[]];
          let bytes = 0;
          let at = 0;
          for (let k = 0; at < buf.length; k++) {
            const chunk = buf.subarray(at, at + (sizes[k % sizes.length] ?? 1));
            at += chunk.length;
            const cut = cutter.scan(chunk, bytes + chunk.length >= partBytes);
            if (cut < 0) {
              parts[parts.length - 1]?.push(chunk);
              bytes += chunk.length;
            } else {
              parts[parts.length - 1]?.push(chunk.subarray(0, cut));
              parts.push([chunk.subarray(cut)]);
              bytes = chunk.length - cut;
            }
          }
          const texts = parts.map((p) => Buffer.concat(p).toString()).filter((t) => t !== '');
          // every part is whole records, and together they are the input
          expect(texts.join('')).toBe(text);
          const reparsed = texts.flatMap((t) => parseCsv(t).map((r) => r.fields));
          expect(reparsed).toEqual(records.filter((r) => !(r.length === 1 && r[0] === '')));
        },
      ),
      { numRuns: 300 },
    );
  });
});
