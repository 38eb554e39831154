import type { Adapter, Introspection } from '../adapters/adapter.js';
import type { Manifest } from '../compiler/manifest.js';

/** One structured log event (written as a JSON line to target/mdl.log). Never row values. */
export interface ExecLogEvent {
  readonly event: 'step' | 'node_start' | 'node_finish' | 'info' | 'warn';
  readonly node?: string;
  readonly label?: string;
  readonly ms?: number;
  readonly message?: string;
  readonly [key: string]: unknown;
}

/** Options of one invocation that affect how nodes are built. */
export interface ExecOptions {
  readonly fullRefresh: boolean;
  /** Unique per invocation; names temporary relations. */
  readonly runId: string;
}

/** Everything `executeNode` needs; built once per invocation. */
export interface RunContext {
  readonly adapter: Adapter;
  readonly manifest: Manifest;
  /** Absolute project directory (seeds are read relative to it). */
  readonly projectDir: string;
  /** The target's default schema (`<schema>_audit` holds stored test failures). */
  readonly targetSchema: string;
  readonly introspection: Introspection;
  readonly options: ExecOptions;
  readonly log: (e: ExecLogEvent) => void;
}
