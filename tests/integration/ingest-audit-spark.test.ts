/**
 * The ingest audit tables on the Spark target (through the Connection interface and the Spark
 * dialect): watermark history survives re-creation, failed loads never advance the mark.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { sparkDialect } from '../../runner/dialects/spark-dialect.js';
import { AuditLog } from '../../runner/ingest/audit-log.js';
import {
  dropSchemas,
  requireSparkOrReport,
  sparkAvailable,
  uniqueSchema,
  withSpark,
} from './spark-service.js';

const schema = uniqueSchema('mdl_audit');
requireSparkOrReport('ingest audit on spark');

if (sparkAvailable)
  describe('ingest audit on spark', () => {
    afterAll(() => dropSchemas(schema));

    it('records loads and files; ensure() never wipes history', async () => {
      await withSpark(async (conn) => {
        const audit = new AuditLog(conn, sparkDialect, schema);
        await audit.ensure();
        const base = {
          dataSource: 'hos-a',
          tablename: 'dbo.patients',
          loadType: 'Incremental' as const,
          watermarkColumn: 'ModifiedDate',
        };
        await audit.recordLoad({
          ...base,
          rowsCopied: 3,
          newWatermark: '2024-01-02 10:00:00',
          status: 'succeeded',
          loadId: 'L1',
          startedAt: new Date(1_000),
          finishedAt: new Date(2_000),
        });
        await audit.recordLoad({
          ...base,
          rowsCopied: 0,
          oldWatermark: '2024-01-02 10:00:00',
          status: 'failed',
          error: "E_INGEST: it's broken",
          loadId: 'L2',
          startedAt: new Date(3_000),
          finishedAt: new Date(4_000),
        });
        await audit.ensure();
        expect(await audit.lastWatermark('hos-a', 'dbo.patients')).toBe('2024-01-02 10:00:00');
        expect([...(await audit.succeededLoadIds('hos-a', 'dbo.patients'))]).toEqual(['L1']);
        expect(await audit.lastWatermark('hos-b', 'dbo.patients')).toBeUndefined();
        await audit.recordFile({
          fileName: 'claims/x.csv',
          sha256: 'ab'.repeat(32),
          kind: 'claims',
          dataSource: 'hos-a',
          rows: 5,
          loadId: 'L3',
          status: 'succeeded',
          processedAt: new Date(5_000),
        });
        expect(await audit.isFileProcessed('ab'.repeat(32))).toBe(true);
        expect(await audit.isFileProcessed('cd'.repeat(32))).toBe(false);
      });
    }, 180_000);
  });
