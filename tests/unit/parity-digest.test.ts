/** The canonical per-table hashing shared by the Spark parity e2e test and `npm run bench:spark`. */
import { describe, expect, it } from 'vitest';
import {
  canon,
  describeVerdict,
  digest,
  verdictMatches,
} from '../../bench/lib/healthcare-parity.js';

describe('parity digest', () => {
  const rows = [
    { id: 1n, amount: '12.50', at: '2024-01-02 03:04:05.000', tags: ['a'] },
    { id: 2n, amount: '7', at: '2024-01-02T03:04:05', tags: [] },
  ];

  it('is independent of row order and of engine spellings of equal values', () => {
    const spark = [
      { id: 2, amount: 7, at: '2024-01-02 03:04:05', tags: [] },
      { id: '1', amount: 12.5, at: '2024-01-02T03:04:05', tags: ['a'] },
    ];
    expect(digest(spark, ['id', 'amount', 'at', 'tags'])).toBe(
      digest(rows, ['id', 'amount', 'at', 'tags']),
    );
    expect(canon('12.500000')).toBe(canon(12.5));
    expect(canon(null)).toBe('null');
  });

  it('changes when one value, one row or the multiset changes', () => {
    const cols = ['id', 'amount', 'at', 'tags'];
    const base = digest(rows, cols);
    expect(digest([{ ...rows[0]!, amount: '12.51' }, rows[1]!], cols)).not.toBe(base);
    expect(digest([rows[0]!], cols)).not.toBe(base);
    expect(digest([rows[0]!, rows[0]!], cols)).not.toBe(base);
    expect(digest([rows[0]!, { ...rows[1]!, tags: ['b'] }], cols)).not.toBe(base);
  });

  it('verdict lines name tables and columns, never values', () => {
    const line = describeVerdict({
      kind: 'different',
      table: 'silver.claims',
      duckRows: 3,
      sparkRows: 3,
      columns: ['claim_amount'],
    });
    expect(line).toContain('silver.claims');
    expect(line).toContain('DIFFERENT in: claim_amount');
    expect(
      verdictMatches({ kind: 'different', table: 't', duckRows: 1, sparkRows: 1, columns: [] }),
    ).toBe(false);
    expect(verdictMatches({ kind: 'missing-on-spark', table: 't', duckRows: 1 })).toBe(false);
    expect(verdictMatches({ kind: 'count-only', table: 't', rows: 2, sparkRows: 3 })).toBe(false);
    expect(verdictMatches({ kind: 'identical', table: 't', rows: 2, hash: 'x' })).toBe(true);
  });
});
