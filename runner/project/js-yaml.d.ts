// Minimal typings for the part of js-yaml mdl uses (the package ships none; avoids @types/js-yaml).
declare module 'js-yaml' {
  export interface LoaderState {
    readonly line: number;
    readonly position: number;
    readonly result: unknown;
  }
  export interface LoadOptions {
    readonly filename?: string;
    readonly schema?: unknown;
    readonly json?: boolean;
    readonly listener?: (event: 'open' | 'close', state: LoaderState) => void;
  }
  export const CORE_SCHEMA: unknown;
  export function load(text: string, options?: LoadOptions): unknown;
  const jsyaml: { load: typeof load; CORE_SCHEMA: unknown };
  export default jsyaml;
}
