import type { Connection, ConnectionPool } from '../connections/connection.js';
import type { DuckDbConnection, DuckDbDatabase } from '../connections/duckdb-connection.js';

/**
 * Up to `size` sessions on ONE DuckDB database (sessions share the buffer pool and the file
 * lock). Sessions are created lazily, so a single-threaded run opens exactly one.
 */
export class DuckDbPool implements ConnectionPool {
  private readonly idle: DuckDbConnection[] = [];
  private readonly all = new Set<DuckDbConnection>();
  private readonly waiters: ((c: DuckDbConnection) => void)[] = [];
  private creating = 0;

  constructor(
    private readonly db: DuckDbDatabase,
    private readonly size: number,
  ) {}

  async acquire(): Promise<Connection> {
    const free = this.idle.pop();
    if (free !== undefined) return free;
    if (this.all.size + this.creating < this.size) {
      this.creating += 1;
      try {
        const conn = await this.db.connect();
        this.all.add(conn);
        return conn;
      } finally {
        this.creating -= 1;
      }
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(conn: Connection): void {
    const c = conn as DuckDbConnection;
    if (!this.all.has(c)) return;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter(c);
    else this.idle.push(c);
  }

  async cancelAll(): Promise<void> {
    for (const c of this.all) await c.cancel();
  }

  async close(): Promise<void> {
    this.idle.length = 0;
    this.all.clear();
    await this.db.close();
  }
}
