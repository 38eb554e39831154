import { describe, expect, it } from 'vitest';
import { MdlError } from '../../runner/errors/mdl-error.js';
import type { NodeResult, NodeStatus } from '../../runner/execute/run-result.js';
import { runGraph } from '../../runner/execute/scheduler.js';
import type { SchedulerEvent } from '../../runner/execute/scheduler.js';
import { Dag } from '../../runner/graph/dag.js';

interface Behaviour {
  readonly status?: NodeStatus;
  readonly delayMs?: number;
  /** Reject (async) with this message. */
  readonly rejects?: string;
  /** Throw synchronously from runNode. */
  readonly throwsSync?: Error;
  /** Run until the signal aborts, then reject. */
  readonly untilAborted?: boolean;
}

/** A fake runNode that records starts/finishes and the peak concurrency. */
function fakeRunner(behaviour: Readonly<Record<string, Behaviour>> = {}, defaultDelay = 2) {
  const log: string[] = [];
  const started: string[] = [];
  const finishedAt = new Map<string, number>();
  const startedAt = new Map<string, number>();
  let clock = 0;
  let running = 0;
  let peak = 0;
  const runNode = (id: string, signal: AbortSignal): Promise<NodeResult> => {
    const b = behaviour[id] ?? {};
    if (b.throwsSync !== undefined) throw b.throwsSync;
    started.push(id);
    startedAt.set(id, ++clock);
    running++;
    peak = Math.max(peak, running);
    log.push(`start ${id}`);
    return new Promise<NodeResult>((resolve, reject) => {
      const done = (): void => {
        running--;
        finishedAt.set(id, ++clock);
        log.push(`end ${id}`);
      };
      if (b.untilAborted === true) {
        signal.addEventListener('abort', () => {
          done();
          reject(new Error('statement interrupted'));
        });
        return;
      }
      setTimeout(() => {
        done();
        if (b.rejects !== undefined) reject(new Error(b.rejects));
        else resolve(result(id, b.status ?? 'success'));
      }, b.delayMs ?? defaultDelay);
    });
  };
  return {
    runNode,
    log,
    started,
    startedAt,
    finishedAt,
    get peak() {
      return peak;
    },
  };
}

function result(uniqueId: string, status: NodeStatus): NodeResult {
  const now = new Date().toISOString();
  return { uniqueId, status, startedAt: now, completedAt: now, executionTimeMs: 0 };
}

function byId(results: readonly NodeResult[]): Map<string, NodeResult> {
  return new Map(results.map((r) => [r.uniqueId, r]));
}

/** Diamond + tail: a → b, a → c, b → d, c → d, d → e; f independent. */
const diamond = Dag.fromParentMap({ a: [], b: ['a'], c: ['a'], d: ['b', 'c'], e: ['d'], f: [] });
const all = (dag: Dag): ReadonlySet<string> => new Set(dag.ids);

describe('runGraph', () => {
  it('runs every selected node once, parents before children', async () => {
    const fake = fakeRunner();
    const results = await runGraph({
      dag: diamond,
      selected: all(diamond),
      threads: 3,
      failFast: false,
      runNode: fake.runNode,
    });
    expect(results.map((r) => r.uniqueId).sort()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
    expect(results.every((r) => r.status === 'success')).toBe(true);
    for (const id of diamond.ids) {
      for (const p of diamond.parents(id))
        expect(fake.finishedAt.get(p)!).toBeLessThan(fake.startedAt.get(id)!);
    }
  });

  it('never exceeds the thread count and uses it when work is available', async () => {
    const parentMap: Record<string, string[]> = { root: [] };
    for (let i = 0; i < 40; i++)
      parentMap[`w${String(i).padStart(2, '0')}`] = i % 2 === 0 ? ['root'] : [];
    const dag = Dag.fromParentMap(parentMap);
    for (const threads of [1, 3, 8]) {
      const fake = fakeRunner({}, 1);
      await runGraph({ dag, selected: all(dag), threads, failFast: false, runNode: fake.runNode });
      expect(fake.peak).toBeLessThanOrEqual(threads);
      expect(fake.peak).toBe(threads);
      expect(fake.started).toHaveLength(41);
    }
  });

  it('prioritises the longest downstream chain, then unique id', async () => {
    const dag = Dag.fromParentMap({ a: [], b: [], z1: [], z2: ['z1'], z3: ['z2'] });
    const fake = fakeRunner({}, 1);
    await runGraph({ dag, selected: all(dag), threads: 1, failFast: false, runNode: fake.runNode });
    expect(fake.started).toEqual(['z1', 'z2', 'a', 'b', 'z3']);
  });

  it('orders through unselected nodes: a → b (unselected) → c waits for a', async () => {
    const dag = Dag.fromParentMap({ a: [], b: ['a'], c: ['b'] });
    const fake = fakeRunner({ a: { delayMs: 15 } });
    const results = await runGraph({
      dag,
      selected: new Set(['a', 'c']),
      threads: 4,
      failFast: false,
      runNode: fake.runNode,
    });
    expect(fake.started).toEqual(['a', 'c']);
    expect(fake.finishedAt.get('a')!).toBeLessThan(fake.startedAt.get('c')!);
    expect(results).toHaveLength(2);
  });

  it('skips selected descendants of an error, also through unselected nodes, naming the failed node', async () => {
    const dag = Dag.fromParentMap({ a: [], b: ['a'], c: ['b'], d: ['c'], x: [] });
    const fake = fakeRunner({ a: { status: 'error' } });
    const results = byId(
      await runGraph({
        dag,
        selected: new Set(['a', 'c', 'd', 'x']),
        threads: 2,
        failFast: false,
        runNode: fake.runNode,
      }),
    );
    expect(results.get('a')?.status).toBe('error');
    for (const id of ['c', 'd']) {
      expect(results.get(id)?.status).toBe('skipped');
      expect(results.get(id)?.skippedBecause).toBe('a');
      expect(results.get(id)?.message).toContain('a');
    }
    expect(results.get('x')?.status).toBe('success');
    expect(fake.started.sort()).toEqual(['a', 'x']);
  });

  it('skips after a failing test but not after warn or pass', async () => {
    const dag = Dag.fromParentMap({
      t_fail: [],
      t_warn: [],
      t_pass: [],
      m1: ['t_fail'],
      m2: ['t_warn'],
      m3: ['t_pass'],
    });
    const fake = fakeRunner({
      t_fail: { status: 'fail' },
      t_warn: { status: 'warn' },
      t_pass: { status: 'pass' },
    });
    const r = byId(
      await runGraph({
        dag,
        selected: all(dag),
        threads: 2,
        failFast: false,
        runNode: fake.runNode,
      }),
    );
    expect(r.get('m1')).toMatchObject({ status: 'skipped', skippedBecause: 't_fail' });
    expect(r.get('m2')?.status).toBe('success');
    expect(r.get('m3')?.status).toBe('success');
  });

  it('turns a rejection or a synchronous throw into an error result and skips descendants', async () => {
    const dag = Dag.fromParentMap({ a: [], b: [], a2: ['a'], b2: ['b'] });
    const fake = fakeRunner({
      a: { rejects: 'boom' },
      b: { throwsSync: new MdlError('E_SQL', 'bad sql') },
    });
    const r = byId(
      await runGraph({
        dag,
        selected: all(dag),
        threads: 2,
        failFast: false,
        runNode: fake.runNode,
      }),
    );
    expect(r.get('a')).toMatchObject({ status: 'error', message: 'boom', errorCode: 'E_INTERNAL' });
    expect(r.get('b')).toMatchObject({ status: 'error', message: 'bad sql', errorCode: 'E_SQL' });
    expect(r.get('a2')).toMatchObject({ status: 'skipped', skippedBecause: 'a' });
    expect(r.get('b2')).toMatchObject({ status: 'skipped', skippedBecause: 'b' });
  });

  it('turns a resolved non-result into an error result', async () => {
    const dag = Dag.fromParentMap({ a: [], b: ['a'] });
    const results = byId(
      await runGraph({
        dag,
        selected: all(dag),
        threads: 1,
        failFast: false,
        runNode: () => Promise.resolve(undefined as unknown as NodeResult),
      }),
    );
    expect(results.get('a')).toMatchObject({
      status: 'error',
      message: 'runNode returned no valid result for a',
    });
    expect(results.get('b')).toMatchObject({ status: 'skipped', skippedBecause: 'a' });
  });

  it('--fail-fast aborts running nodes (cancelled) and skips the rest', async () => {
    const dag = Dag.fromParentMap({ a: [], b: [], c: [], d: [], e: ['b'] });
    const fake = fakeRunner({ a: { status: 'error', delayMs: 5 }, b: { untilAborted: true } });
    const r = byId(
      await runGraph({
        dag,
        selected: all(dag),
        threads: 2,
        failFast: true,
        runNode: fake.runNode,
      }),
    );
    expect(r.get('a')?.status).toBe('error');
    expect(r.get('b')).toMatchObject({ status: 'cancelled', errorCode: 'E_CANCELLED' });
    expect(r.get('b')?.message).toContain('--fail-fast');
    // e's parent b was cancelled by the stop: e names the node that failed first.
    for (const id of ['c', 'd', 'e']) {
      expect(r.get(id)).toMatchObject({ status: 'skipped', skippedBecause: 'a' });
      expect(r.get(id)?.message).toContain('--fail-fast stopped the run after a failed');
    }
    expect(fake.started.sort()).toEqual(['a', 'b']);
    expect(r.size).toBe(5);
  });

  it('without --fail-fast independent work continues after a failure', async () => {
    const dag = Dag.fromParentMap({ a: [], b: [], c: [] });
    const fake = fakeRunner({ a: { status: 'error' } });
    const r = byId(
      await runGraph({
        dag,
        selected: all(dag),
        threads: 1,
        failFast: false,
        runNode: fake.runNode,
      }),
    );
    expect([...r.values()].filter((x) => x.status === 'success')).toHaveLength(2);
  });

  it('an external abort (Ctrl-C) cancels running nodes and skips the rest', async () => {
    const dag = Dag.fromParentMap({ a: [], b: [], c: ['a'] });
    const ctl = new AbortController();
    const fake = fakeRunner({ a: { untilAborted: true }, b: { untilAborted: true } });
    const events: SchedulerEvent[] = [];
    const promise = runGraph({
      dag,
      selected: all(dag),
      threads: 2,
      failFast: false,
      signal: ctl.signal,
      runNode: fake.runNode,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'start' && events.filter((x) => x.type === 'start').length === 2)
          ctl.abort();
      },
    });
    const r = byId(await promise);
    expect(r.get('a')?.status).toBe('cancelled');
    expect(r.get('b')?.status).toBe('cancelled');
    expect(r.get('c')?.status).toBe('skipped');
    expect(r.get('c')?.message).toContain('interrupted');
  });

  it('an already-aborted signal runs nothing', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const fake = fakeRunner();
    const results = await runGraph({
      dag: diamond,
      selected: all(diamond),
      threads: 2,
      failFast: false,
      signal: ctl.signal,
      runNode: fake.runNode,
    });
    expect(fake.started).toEqual([]);
    expect(results.every((x) => x.status === 'skipped')).toBe(true);
    expect(results).toHaveLength(6);
  });

  it('emits start and finish events with unique 1-based indexes and the selected total', async () => {
    const events: SchedulerEvent[] = [];
    const fake = fakeRunner({ b: { status: 'error' } });
    await runGraph({
      dag: diamond,
      selected: new Set(['a', 'b', 'd', 'f']),
      threads: 2,
      failFast: false,
      runNode: fake.runNode,
      onEvent: (e) => events.push(e),
    });
    const starts = events.filter((e) => e.type === 'start');
    const finishes = events.filter((e) => e.type === 'finish');
    expect(starts).toHaveLength(3); // d is skipped without starting
    expect(finishes).toHaveLength(4);
    expect(new Set(finishes.map((e) => e.index))).toEqual(new Set([1, 2, 3, 4]));
    expect(events.every((e) => e.total === 4)).toBe(true);
    for (const s of starts) {
      if (s.type !== 'start') continue;
      const f = finishes.find((e) => e.type === 'finish' && e.result.uniqueId === s.id);
      expect(f?.index).toBe(s.index);
    }
  });

  it('rejects with a listener error after running nodes settle', async () => {
    const fake = fakeRunner();
    await expect(
      runGraph({
        dag: diamond,
        selected: all(diamond),
        threads: 2,
        failFast: false,
        runNode: fake.runNode,
        onEvent: (e) => {
          if (e.type === 'finish') throw new Error('listener broke');
        },
      }),
    ).rejects.toThrow('listener broke');
    expect(fake.started.length).toBeLessThan(6);
  });

  it('validates threads and the selected ids', async () => {
    const fake = fakeRunner();
    await expect(
      runGraph({
        dag: diamond,
        selected: all(diamond),
        threads: 0,
        failFast: false,
        runNode: fake.runNode,
      }),
    ).rejects.toThrow(/threads/);
    await expect(
      runGraph({
        dag: diamond,
        selected: new Set(['zz']),
        threads: 1,
        failFast: false,
        runNode: fake.runNode,
      }),
    ).rejects.toThrow(/not in the graph/);
  });

  it('resolves at once for an empty selection', async () => {
    const fake = fakeRunner();
    expect(
      await runGraph({
        dag: diamond,
        selected: new Set(),
        threads: 1,
        failFast: false,
        runNode: fake.runNode,
      }),
    ).toEqual([]);
  });

  it('schedules 10,000 nodes with bounded concurrency and no deep recursion', async () => {
    const parentMap: Record<string, string[]> = {};
    for (let i = 0; i < 10_000; i++)
      parentMap[`n${i}`] = i === 0 ? [] : i % 100 === 0 ? [`n${i - 1}`, 'n0'] : [`n${i - 1}`];
    // A 10,000-long chain with every other node unselected, and a failure at the top.
    const dag = Dag.fromParentMap(parentMap);
    const selected = new Set(dag.ids.filter((id) => Number(id.slice(1)) % 2 === 0));
    let calls = 0;
    const results = await runGraph({
      dag,
      selected,
      threads: 4,
      failFast: false,
      runNode: (id) => {
        calls++;
        return Promise.resolve(result(id, id === 'n2' ? 'error' : 'success'));
      },
    });
    expect(calls).toBe(2);
    expect(results).toHaveLength(5000);
    expect(results.filter((r) => r.status === 'skipped' && r.skippedBecause === 'n2')).toHaveLength(
      4998,
    );
  });
});
