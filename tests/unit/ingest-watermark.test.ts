/** The overlap window applied to the previous high-water mark. */
import { describe, expect, it } from 'vitest';
import { widenLowerBound } from '../../runner/ingest/watermark.js';
import { bronzeTypeOf, toText } from '../../runner/ingest/source-types.js';

describe('widenLowerBound', () => {
  it('keeps the mark when there is no window', () => {
    expect(widenLowerBound('2024-01-02 10:00:00', 0)).toBe('2024-01-02 10:00:00');
  });
  it('subtracts seconds from timestamps, keeping separator and fraction', () => {
    expect(widenLowerBound('2024-01-01 00:00:30', 60)).toBe('2023-12-31 23:59:30');
    expect(widenLowerBound('2024-03-01T00:00:00.250000', 1)).toBe('2024-02-29T23:59:59.250000');
    expect(widenLowerBound('2024-03-01', 86_400)).toBe('2024-02-29');
  });
  it('subtracts from integer watermarks and leaves other text alone', () => {
    expect(widenLowerBound('9007199254740993', 3)).toBe('9007199254740990');
    expect(widenLowerBound('v-17', 5)).toBe('v-17');
  });
});

describe('source types', () => {
  it('maps source types to exact bronze types', () => {
    expect(bronzeTypeOf('pg', 'numeric', 12, 2)).toBe('DECIMAL(12,2)');
    expect(bronzeTypeOf('pg', 'numeric')).toBe('VARCHAR');
    expect(bronzeTypeOf('mssql', 'bigint')).toBe('BIGINT');
    expect(bronzeTypeOf('mssql', 'datetime2')).toBe('TIMESTAMP');
    expect(bronzeTypeOf('mssql', 'datetimeoffset')).toBe('TIMESTAMPTZ');
    expect(bronzeTypeOf('mysql', 'decimal', 10, 2)).toBe('DECIMAL(10,2)');
    expect(bronzeTypeOf('sqlite', 'DECIMAL(10,2)')).toBe('DECIMAL(10,2)');
    expect(bronzeTypeOf('sqlite', 'INT')).toBe('BIGINT');
    expect(bronzeTypeOf('sqlite', 'DATE')).toBe('DATE');
    expect(bronzeTypeOf('sqlite', 'NVARCHAR(50)')).toBe('VARCHAR');
  });
  it('renders driver values as exact text', () => {
    expect(toText(9_876_543_210n)).toBe('9876543210');
    expect(toText(0.1)).toBe('0.1');
    expect(toText(null)).toBeNull();
    expect(toText(new Date(Date.UTC(2024, 0, 2, 3, 4, 5)))).toBe('2024-01-02 03:04:05.000');
  });
});
