import { describe, expect, it } from 'vitest';
import { findCycle, formatCycle } from '../../runner/graph/find-cycle.js';

describe('findCycle', () => {
  it('returns undefined for an acyclic graph', () => {
    expect(findCycle({ a: [], b: ['a'], c: ['a', 'b'], d: ['c'] })).toBeUndefined();
    expect(findCycle({})).toBeUndefined();
  });

  it('reports a three-node cycle in data-flow order, first node repeated', () => {
    // b depends on a, c on b, a on c: a → b → c → a
    expect(findCycle({ a: ['c'], b: ['a'], c: ['b'] })).toEqual(['a', 'b', 'c', 'a']);
  });

  it('is deterministic regardless of key order and rotates to the smallest id', () => {
    const m1 = { z: ['y'], y: ['x'], x: ['z'], root: [] };
    const m2 = { root: [], x: ['z'], y: ['x'], z: ['y'] };
    expect(findCycle(m1)).toEqual(['x', 'y', 'z', 'x']);
    expect(findCycle(m2)).toEqual(['x', 'y', 'z', 'x']);
  });

  it('reports a self-loop', () => {
    expect(findCycle({ a: ['a'] })).toEqual(['a', 'a']);
  });

  it('finds a cycle downstream of acyclic parts and ignores ids only seen as parents', () => {
    const cycle = findCycle({ m: ['ext'], n: ['m', 'q'], p: ['n'], q: ['p'] });
    expect(cycle).toEqual(['n', 'p', 'q', 'n']);
    expect(formatCycle(cycle!)).toBe('n → p → q → n');
  });

  it('handles a 20,000-node chain without recursion', () => {
    const map: Record<string, string[]> = { n0: [] };
    for (let i = 1; i < 20_000; i++) map[`n${i}`] = [`n${i - 1}`];
    expect(findCycle(map)).toBeUndefined();
    map.n0 = ['n19999'];
    const cycle = findCycle(map);
    expect(cycle?.length).toBe(20_001);
    expect(cycle?.[0]).toBe('n0');
    expect(cycle?.[1]).toBe('n1');
  });
});
