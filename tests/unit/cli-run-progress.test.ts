import { describe, expect, it } from 'vitest';
import type { CliIo } from '../../runner/cli/command.js';
import { ProgressReporter, resultLine } from '../../runner/cli/progress-reporter.js';
import type { NodeResult, RunResults } from '../../runner/execute/run-result.js';
import { manifestFromNodes, modelNode, testNode } from '../helpers/node-factory.js';

const manifest = manifestFromNodes([
  modelNode('patients', 'select 1', {
    materialized: 'table',
    schema: 'silver',
    quarantine: [{ name: 'missing_dob', when: 'dob is null' }],
  }),
  testNode('not_null_patients_id', 'select 1'),
]);
const base = { startedAt: '', completedAt: '', executionTimeMs: 1234 };
const ok: NodeResult = {
  uniqueId: 'model.t.patients',
  status: 'success',
  rowsAffected: 12345,
  quarantined: 7,
  ...base,
};
const failed: NodeResult = {
  uniqueId: 'test.t.not_null_patients_id',
  status: 'fail',
  failures: 3,
  message: '3 failing rows',
  ...base,
};

function capture(isTty: boolean): { io: CliIo; out: string[] } {
  const out: string[] = [];
  return {
    out,
    io: { stdout: (t) => void out.push(t), stderr: () => undefined, isTty, cwd: '/', env: {} },
  };
}

describe('progress output', () => {
  it('one line per node with kind, relation, rows, quarantined and seconds', () => {
    expect(resultLine(ok, manifest.nodes['model.t.patients'], 3, 12)).toBe(
      ' 3/12 OK     table silver.patients [12,345 rows, 7 quarantined, 1.23s]',
    );
    expect(resultLine(failed, manifest.nodes['test.t.not_null_patients_id'], 12, 12)).toBe(
      '12/12 FAIL   test not_null_patients_id [3 failing, 1.23s]',
    );
  });

  it('json mode prints one parseable object per event and a summary', () => {
    const { io, out } = capture(false);
    const r = new ProgressReporter(io, manifest, 'json');
    r.handle({ type: 'start', id: 'model.t.patients', index: 1, total: 2 });
    r.handle({ type: 'finish', result: ok, index: 1, total: 2 });
    const run: RunResults = {
      metadata: { invocationId: 'i', command: 'build', generatedAt: '' },
      elapsedMs: 10,
      results: [ok, failed],
      args: {},
    };
    r.summary(run);
    const events = out
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.type)).toEqual(['start', 'finish', 'summary']);
    expect(events[1]?.rowsAffected).toBe(12345);
    expect(events[2]?.counts).toMatchObject({ success: 1, fail: 1 });
  });

  it('plain summary lists counts, quarantined rows per model and problems', () => {
    const { io, out } = capture(false);
    const r = new ProgressReporter(io, manifest, 'plain');
    r.summary({
      metadata: { invocationId: 'i', command: 'build', generatedAt: '' },
      elapsedMs: 2500,
      results: [ok, failed],
      args: {},
    });
    const text = out.join('');
    expect(text).toContain('Finished in 2.50s: OK=1  FAIL=1');
    expect(text).toMatch(/Quarantined rows per model:\n {2}silver\.patients\s+7/);
    expect(text).toContain('FAIL test.t.not_null_patients_id: 3 failing rows');
    expect(text).not.toContain('\x1b');
  });

  it('tty mode redraws a status line of running nodes', () => {
    const { io, out } = capture(true);
    const r = new ProgressReporter(io, manifest, 'tty');
    r.handle({ type: 'start', id: 'model.t.patients', index: 1, total: 2 });
    expect(out.join('')).toContain('… running silver.patients');
    r.handle({ type: 'finish', result: ok, index: 1, total: 2 });
    expect(out.join('')).toContain('\r\x1b[2K1/2 OK     table silver.patients');
  });
});
