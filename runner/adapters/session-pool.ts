import type { Connection, ConnectionPool } from '../connections/connection.js';

/**
 * Up to `size` sessions opened lazily by `open` (a DuckDB session on one database, a Spark Thrift
 * Server or Databricks session), so a single-threaded run opens exactly one. `onClose` releases
 * what the sessions share (the DuckDB database and its file lock) after they are closed.
 */
export class SessionPool implements ConnectionPool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly waiters: ((c: Connection) => void)[] = [];
  private creating = 0;
  private closed = false;

  constructor(
    private readonly open: () => Promise<Connection>,
    private readonly size: number,
    private readonly onClose: () => Promise<void> = () => Promise.resolve(),
  ) {}

  async acquire(): Promise<Connection> {
    const free = this.idle.pop();
    if (free !== undefined) return free;
    if (this.all.size + this.creating < this.size) {
      this.creating += 1;
      try {
        const conn = await this.open();
        this.all.add(conn);
        return conn;
      } finally {
        this.creating -= 1;
      }
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  release(conn: Connection): void {
    if (!this.all.has(conn)) return;
    const waiter = this.waiters.shift();
    if (waiter !== undefined) waiter(conn);
    else this.idle.push(conn);
  }

  async cancelAll(): Promise<void> {
    await Promise.all([...this.all].map((c) => c.cancel()));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const conns = [...this.all];
    this.idle.length = 0;
    this.all.clear();
    await Promise.all(conns.map((c) => c.close()));
    await this.onClose();
  }
}
