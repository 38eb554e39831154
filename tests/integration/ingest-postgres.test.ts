/** EMR ingest against a real PostgreSQL server (scripts/services/postgres.sh → MDL_PG_URL). */
import { describe, it } from 'vitest';
import { serverIngestCases } from './ingest-server-cases.js';
import { serviceUrl } from './ingest-server-db.js';

const { url, required } = serviceUrl('MDL_PG_URL');

if (url !== undefined) describe('postgres ingest', () => serverIngestCases('pg', url));
else if (required)
  describe('postgres ingest', () => {
    it('needs MDL_PG_URL (MDL_REQUIRE_SERVICES=1)', () => {
      throw new Error('MDL_PG_URL is not set: run scripts/services/postgres.sh start');
    });
  });
else
  describe.skip('postgres ingest (MDL_PG_URL not set: run scripts/services/postgres.sh start)', () =>
    it('skipped', () => undefined));
