import type { ParseArgsConfig } from 'node:util';

/** Flags every project command accepts. */
export const projectOptions = {
  'project-dir': { type: 'string' },
  target: { type: 'string', short: 't' },
  vars: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Flags of commands that select nodes. */
export const selectionOptions = {
  select: { type: 'string', short: 's', multiple: true },
  models: { type: 'string', short: 'm', multiple: true },
  exclude: { type: 'string', multiple: true },
  selector: { type: 'string' },
  'resource-type': { type: 'string', multiple: true },
} as const satisfies NonNullable<ParseArgsConfig['options']>;
