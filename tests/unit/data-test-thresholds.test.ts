import { describe, expect, it } from 'vitest';
import { MdlError } from '../../runner/errors/mdl-error.js';
import { parseThreshold, testStatus } from '../../runner/materializations/test-thresholds.js';

const where = { node: 'test.t.x', file: 'models/schema.yml', line: 4 };

describe('warn_if / error_if thresholds', () => {
  it('parses comparisons with optional spaces and aliases', () => {
    expect(parseThreshold('>0', 'warn_if', where)).toEqual({ op: '>', value: 0 });
    expect(parseThreshold(' >= 10 ', 'error_if', where)).toEqual({ op: '>=', value: 10 });
    expect(parseThreshold('<>0', 'error_if', where)).toEqual({ op: '!=', value: 0 });
    expect(parseThreshold('==3', 'error_if', where)).toEqual({ op: '=', value: 3 });
  });

  it('rejects anything else with E_CONFIG at the test', () => {
    const err = (() => {
      try {
        parseThreshold('> lots', 'error_if', where);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(MdlError);
    expect((err as MdlError).code).toBe('E_CONFIG');
    expect((err as MdlError).file).toBe('models/schema.yml');
    expect((err as MdlError).message).toContain("error_if '> lots'");
  });

  it('follows dbt: error severity fails on error_if, else warns on warn_if', () => {
    expect(testStatus(0, {}, where)).toBe('pass');
    expect(testStatus(1, {}, where)).toBe('fail');
    expect(testStatus(1, { severity: 'warn' }, where)).toBe('warn');
    expect(testStatus(5, { error_if: '>10', warn_if: '>0' }, where)).toBe('warn');
    expect(testStatus(11, { error_if: '>10', warn_if: '>0' }, where)).toBe('fail');
    expect(testStatus(11, { severity: 'warn', error_if: '>10' }, where)).toBe('warn');
    expect(testStatus(3, { error_if: '>=10', warn_if: '>=5' }, where)).toBe('pass');
  });
});
