/** EMR ingest against a real MariaDB server (scripts/services/mariadb.sh → MDL_MARIADB_URL). */
import { describe, it } from 'vitest';
import { serverIngestCases } from './ingest-server-cases.js';
import { serviceUrl } from './ingest-server-db.js';

const { url, required } = serviceUrl('MDL_MARIADB_URL');

if (url !== undefined) describe('mariadb ingest', () => serverIngestCases('mysql', url));
else if (required)
  describe('mariadb ingest', () => {
    it('needs MDL_MARIADB_URL (MDL_REQUIRE_SERVICES=1)', () => {
      throw new Error('MDL_MARIADB_URL is not set: run scripts/services/mariadb.sh start');
    });
  });
else
  describe.skip('mariadb ingest (MDL_MARIADB_URL not set: run scripts/services/mariadb.sh start)', () =>
    it('skipped', () => undefined));
