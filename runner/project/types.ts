/**
 * The typed, validated view of a project on disk. Produced by `loadProject` (the only stage that
 * reads the filesystem); consumed by the compiler. All paths are POSIX-style and relative to
 * `Project.dir` unless the field says "absolute".
 */

/** A value that is resolved only when a connection is opened (never written to artifacts). */
export interface SecretRef {
  readonly secret: string;
}

/** A config value as written: plain, or a deferred secret reference. */
export type ConfigValue = string | number | boolean | SecretRef;

/**
 * `secrets:` block of configs/targets.yml: where `secret('name')` values come from
 * (runner/secrets/). Holds no secret itself, only the provider and vault URL.
 */
export type SecretsConfig =
  | { readonly provider: 'env' }
  | { readonly provider: 'azure-key-vault'; readonly vaultUrl: string };

/** Connection target for the DuckDB embedded default. */
export interface DuckDbTarget {
  readonly type: 'duckdb';
  readonly name: string;
  /** Absolute path of the database file, or ':memory:'. */
  readonly path: string;
  /** Default schema for models without a folder/model schema. */
  readonly schema: string;
  /**
   * Catalog name for three-part relation names. Unset (the default) renders `schema.table`
   * in the database file opened as the main database.
   */
  readonly database?: string;
  readonly threads: number;
  readonly memoryLimit?: string;
  /** Extra DuckDB settings passed through (SET key = value). */
  readonly settings: Readonly<Record<string, string | number | boolean>>;
  /** The project's secret provider (from targets.yml `secrets:`; absent = env). */
  readonly secrets?: SecretsConfig;
}

/** Connection target for a Databricks SQL warehouse with Unity Catalog. */
export interface DatabricksTarget {
  readonly type: 'databricks';
  readonly name: string;
  readonly host: ConfigValue;
  readonly httpPath: ConfigValue;
  readonly catalog: string;
  readonly schema: string;
  readonly threads: number;
  readonly auth: 'pat' | 'oauth-m2m' | 'azure-ad';
  readonly token?: ConfigValue;
  readonly clientId?: ConfigValue;
  readonly clientSecret?: ConfigValue;
  readonly tenantId?: ConfigValue;
  /** Allow `CREATE CATALOG IF NOT EXISTS`. */
  readonly createCatalogs: boolean;
  /** The project's secret provider (from targets.yml `secrets:`; absent = env). */
  readonly secrets?: SecretsConfig;
}

/** Connection target for a self-hosted Spark Thrift Server with Delta Lake. */
export interface SparkTarget {
  readonly type: 'spark';
  readonly name: string;
  readonly host: ConfigValue;
  readonly port: number;
  readonly transport: 'binary' | 'http';
  readonly auth: 'NOSASL' | 'PLAIN' | 'NONE';
  readonly user?: ConfigValue;
  readonly password?: ConfigValue;
  readonly httpPath?: string;
  readonly schema: string;
  readonly threads: number;
  /** The project's secret provider (from targets.yml `secrets:`; absent = env). */
  readonly secrets?: SecretsConfig;
}

export type Target = DuckDbTarget | DatabricksTarget | SparkTarget;
export type TargetType = Target['type'];

/** configs/targets.yml after validation. */
export interface TargetsConfig {
  readonly defaultTarget: string;
  readonly targets: Readonly<Record<string, Target>>;
  /** Relative path of the file the targets came from (for messages). */
  readonly file: string;
  /** `secrets:` block (absent = env provider). */
  readonly secrets?: SecretsConfig;
}

/** A file with its content and a content hash (used for the compile cache). */
export interface ProjectFile {
  /** Path relative to the project dir, POSIX separators. */
  readonly path: string;
  readonly content: string;
  /** sha256 hex of the content. */
  readonly hash: string;
}

/** Where a YAML value came from, so validation errors can point at file:line. */
export interface YamlOrigin {
  readonly file: string;
  readonly line: number;
}

/** A column declared in a YAML properties file. */
export interface ColumnProperties {
  readonly name: string;
  readonly description: string;
  readonly dataType?: string;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly tags: readonly string[];
  /** Generic data tests declared on the column (raw YAML entries). */
  readonly tests: readonly TestDeclaration[];
  readonly origin: YamlOrigin;
}

/**
 * A generic test as written in YAML: `unique`, `{accepted_values: {values: [...]}}`,
 * `{relationships: {to: "ref('x')", field: id, config: {severity: warn}}}`.
 */
export interface TestDeclaration {
  /** Test name, possibly namespaced (`mdl.unique`, `my_macro_test`). */
  readonly name: string;
  readonly args: Readonly<Record<string, unknown>>;
  /** `config:` block of the test entry, if any. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly origin: YamlOrigin;
}

/** Properties of a model/seed/snapshot from YAML (`models:` / `seeds:` / `snapshots:` lists). */
export interface NodeProperties {
  readonly name: string;
  readonly kind: 'model' | 'seed' | 'snapshot';
  readonly description: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly columns: readonly ColumnProperties[];
  readonly tests: readonly TestDeclaration[];
  readonly origin: YamlOrigin;
}

/** A table of a source declared in YAML (`sources:`). */
export interface SourceTableProperties {
  readonly name: string;
  readonly identifier?: string;
  readonly description: string;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly columns: readonly ColumnProperties[];
  readonly tests: readonly TestDeclaration[];
  /** External files read in place, e.g. bronze Parquet: `{location: 'data/bronze/x/*.parquet'}`. */
  readonly external?: { readonly location: string; readonly fileFormat: string };
  readonly config: Readonly<Record<string, unknown>>;
  readonly origin: YamlOrigin;
}

export interface SourceProperties {
  readonly name: string;
  readonly description: string;
  readonly schema: string;
  readonly catalog?: string;
  readonly meta: Readonly<Record<string, unknown>>;
  readonly tables: readonly SourceTableProperties[];
  readonly origin: YamlOrigin;
}

/** All YAML properties found under the model/seed/snapshot paths, merged. */
export interface PropertiesIndex {
  readonly nodes: readonly NodeProperties[];
  readonly sources: readonly SourceProperties[];
}

/**
 * A folder config tree like dbt's `models:` block in project.yml. Keys that are not config keys
 * (e.g. `silver`) are folder names and nest; keys prefixed with `+` or known config keys apply
 * to that folder and below.
 */
export interface FolderConfig {
  readonly config: Readonly<Record<string, unknown>>;
  readonly children: Readonly<Record<string, FolderConfig>>;
}

/** A named selector from selectors.yml. */
export interface NamedSelector {
  readonly name: string;
  readonly description: string;
  /** The selector definition (dbt YAML or CLI-string form), validated by graph/. */
  readonly definition: unknown;
  readonly default: boolean;
  readonly origin: YamlOrigin;
}

/** The loaded project. */
export interface Project {
  readonly name: string;
  /** Absolute project directory. */
  readonly dir: string;
  readonly version: string;
  readonly modelPaths: readonly string[];
  readonly seedPaths: readonly string[];
  readonly macroPaths: readonly string[];
  readonly testPaths: readonly string[];
  readonly snapshotPaths: readonly string[];
  /** Absolute path of the artifacts folder (default `<dir>/target`). */
  readonly targetPath: string;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly modelConfig: FolderConfig;
  readonly seedConfig: FolderConfig;
  readonly snapshotConfig: FolderConfig;
  readonly testConfig: FolderConfig;
  /** `.sql` files under model paths (models) and snapshot paths. */
  readonly modelFiles: readonly ProjectFile[];
  readonly snapshotFiles: readonly ProjectFile[];
  /** `.sql` files under test paths (singular tests). */
  readonly testFiles: readonly ProjectFile[];
  /** `.sql`/`.njk` files under macro paths. */
  readonly macroFiles: readonly ProjectFile[];
  /** `.csv` seed files (content not read here; seeds stream at run time). */
  readonly seedFiles: readonly { readonly path: string; readonly hash: string }[];
  readonly properties: PropertiesIndex;
  readonly targets: TargetsConfig;
  readonly selectors: readonly NamedSelector[];
  /** Hash of project.yml + targets + selectors (invalidates the compile cache). */
  readonly configHash: string;
}
