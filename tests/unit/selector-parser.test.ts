import { describe, expect, it } from 'vitest';
import { MdlError } from '../../runner/errors/mdl-error.js';
import { selectNodes } from '../../runner/graph/select.js';
import { parseAtom, parseSelectionText } from '../../runner/graph/selector-parser.js';
import { nameMatcher, pathMatcher } from '../../runner/graph/wildcard.js';
import { healthcareManifest } from '../helpers/manifest-factory.js';

describe('parseAtom', () => {
  it('reads depth operators around a method atom', () => {
    const a = parseAtom('2+tag:phi+3');
    expect(a).toMatchObject({
      method: 'tag',
      value: 'phi',
      parents: true,
      parentsDepth: 2,
      children: true,
      childrenDepth: 3,
    });
    expect(a.childrensParents).toBe(false);
    const b = parseAtom('+silver+');
    expect(b).toMatchObject({ method: 'fqn', value: 'silver', parents: true, children: true });
    expect(b.parentsDepth).toBeUndefined();
    expect(b.childrenDepth).toBeUndefined();
    expect(parseAtom('@patients')).toMatchObject({
      childrensParents: true,
      parents: false,
      value: 'patients',
    });
  });

  it('picks path for file-looking values and fqn otherwise', () => {
    expect(parseAtom('models/silver').method).toBe('path');
    expect(parseAtom('patients.sql').method).toBe('path');
    expect(parseAtom('silver.patients').method).toBe('fqn');
  });

  it('reads config key paths and keeps + inside values', () => {
    const a = parseAtom('config.meta.owner:rcm');
    expect(a.method).toBe('config');
    expect(a.methodArgs).toEqual(['meta', 'owner']);
    expect(parseAtom('config.incremental_strategy:delete+insert').value).toBe('delete+insert');
    expect(parseAtom('config.incremental_strategy:delete+insert').children).toBe(false);
  });

  it.each([
    ['', /empty selector/],
    ['+', /no value/],
    ['tag:', /no value/],
    ['colour:red', /unknown method 'colour'/],
    ['@+x', /cannot be combined/],
    ['config:table', /needs a key/],
    ['tag.x:y', /takes no '.x' argument/],
    ['resource_type:modle', /unknown resource type 'modle'/],
    ['test_type:unit', /unknown test type/],
    ['source:a.b.c.d', /source selectors are/],
  ])('rejects %j', (text, pattern) => {
    let err: unknown;
    try {
      parseAtom(text, { file: 'selectors.yml', line: 3 });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MdlError);
    const e = err as MdlError;
    expect(e.code).toBe('E_SELECTOR');
    expect(e.message).toContain(`'${text}'`);
    expect(e.message).toMatch(pattern);
    expect(e.line).toBe(3);
    expect(e.hint).toMatch(/valid forms: .*tag, path, file, config\.<key>, resource_type, source/);
  });

  it('splits CLI text on whitespace (union) and commas (intersection)', () => {
    const spec = parseSelectionText(['a b,c', 'd']);
    expect(spec?.kind).toBe('union');
    if (spec?.kind !== 'union') throw new Error('unreachable');
    expect(spec.parts.map((p) => p.kind)).toEqual(['atom', 'intersection', 'atom']);
    expect(parseSelectionText(['  ', ''])).toBeUndefined();
    expect(() => parseSelectionText(['a,,b'])).toThrow(/empty part/);
    expect(() => parseSelectionText(['a,'])).toThrow(/empty part/);
  });

  it('surfaces parse errors from selectNodes for --select and --exclude', () => {
    const m = healthcareManifest();
    expect(() => selectNodes(m, { select: ['colour:red'], exclude: [] }, [])).toThrow(
      /invalid selector 'colour:red'/,
    );
    expect(() => selectNodes(m, { select: [], exclude: ['tag:'] }, [])).toThrow(
      /invalid selector 'tag:'/,
    );
  });
});

describe('wildcards', () => {
  it('name patterns: * ? and classes, exact without wildcards', () => {
    expect(nameMatcher('stg_*')('stg_patients')).toBe(true);
    expect(nameMatcher('stg_*')('dim_patients')).toBe(false);
    expect(nameMatcher('c?t')('cpt')).toBe(true);
    expect(nameMatcher('c?t')('cppt')).toBe(false);
    expect(nameMatcher('hos-[ab]')('hos-b')).toBe(true);
    expect(nameMatcher('hos-[!ab]')('hos-b')).toBe(false);
    expect(nameMatcher('a.b')('aXb')).toBe(false);
    expect(nameMatcher('a+b')('a+b')).toBe(true);
  });

  it('path patterns: * stays in one folder, ** crosses folders', () => {
    expect(pathMatcher('models/*/x.sql')('models/silver/x.sql')).toBe(true);
    expect(pathMatcher('models/*/x.sql')('models/a/b/x.sql')).toBe(false);
    expect(pathMatcher('models/**/x.sql')('models/a/b/x.sql')).toBe(true);
    expect(pathMatcher('models/**/x.sql')('models/x.sql')).toBe(true);
    expect(pathMatcher('models/**')('models/a/b.sql')).toBe(true);
  });
});
