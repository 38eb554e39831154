import { MdlError } from '../errors/mdl-error.js';
import { folderConfigFor, mergeConfig } from '../project/folder-config.js';
import { sha256 } from '../project/project-files.js';
import type { TestDeclaration } from '../project/types.js';
import { testRelation } from './build-nodes.js';
import { foldersOf } from './compile-context.js';
import type { CompileContext } from './compile-context.js';
import {
  builtinTestSql,
  BUILTIN_TESTS,
  checkBuiltinArgs,
  classifyTest,
  genericTestName,
  parseRelationArg,
  whereWrapped,
} from './generic-tests.js';
import type { ResolvedTestKind } from './generic-tests.js';
import type { NodeConfig, RelationName, TestNode } from './manifest.js';
import { postProcessConfig } from './post-process-config.js';
import type { PlaceholderRef, RelationValue } from './relation-value.js';
import { newScope } from './render-scope.js';
import { didYouMean } from './suggest.js';

/** A generic test declared in YAML, before rendering. */
export interface GenericTestDraft {
  readonly uniqueId: string;
  readonly name: string;
  readonly decl: TestDeclaration;
  readonly kind: ResolvedTestKind;
  readonly attachedId: string;
  readonly attachedRef: PlaceholderRef;
  readonly column?: string;
  readonly to?: PlaceholderRef;
  readonly fqn: readonly string[];
  readonly config: NodeConfig;
  readonly relation: RelationName;
  readonly tags: readonly string[];
}

interface Attachment {
  readonly id: string;
  readonly ref: PlaceholderRef;
  readonly label: string;
  readonly isSource: boolean;
  readonly ymlFile: string;
  readonly tests: readonly TestDeclaration[];
  readonly columns: readonly {
    readonly name: string;
    readonly tags: readonly string[];
    readonly tests: readonly TestDeclaration[];
  }[];
}

/**
 * Generic tests from YAML on models, seeds, snapshots and source tables. `refable` maps node
 * names to unique ids (enabled nodes); YAML entries for missing nodes are reported.
 */
export function buildGenericTests(
  ctx: CompileContext,
  refable: ReadonlyMap<string, string>,
  disabled: ReadonlyMap<string, string>,
): GenericTestDraft[] {
  const { project } = ctx;
  const attachments: Attachment[] = [];
  project.properties.nodes.forEach((n) => {
    const id = refable.get(n.name);
    if (id === undefined) {
      if (!disabled.has(n.name))
        ctx.diagnostics.add(
          new MdlError(
            'E_SCHEMA',
            `${n.kind}s entry '${n.name}' describes a ${n.kind} that does not exist.${didYouMean(n.name, refable.keys())}`,
            {
              file: n.origin.file,
              line: n.origin.line,
              hint: `add ${n.name}.sql (or .csv for a seed), or fix the name`,
            },
          ),
        );
      return;
    }
    attachments.push({
      id,
      ref: { kind: 'ref', name: n.name },
      label: n.name,
      isSource: false,
      ymlFile: n.origin.file,
      tests: n.tests,
      columns: n.columns,
    });
  });
  for (const s of project.properties.sources)
    for (const t of s.tables)
      attachments.push({
        id: `source.${project.name}.${s.name}.${t.name}`,
        ref: { kind: 'source', source: s.name, table: t.name },
        label: `${s.name}_${t.name}`,
        isSource: true,
        ymlFile: t.origin.file,
        tests: t.tests,
        columns: t.columns,
      });

  const drafts: GenericTestDraft[] = [];
  const customNames = (): string[] => [...BUILTIN_TESTS];
  for (const a of attachments) {
    const decls: { d: TestDeclaration; column: string | undefined; tags: readonly string[] }[] = [
      ...a.tests.map((d) => ({ d, column: undefined, tags: [] })),
      ...a.columns.flatMap((c) => c.tests.map((d) => ({ d, column: c.name, tags: c.tags }))),
    ];
    for (const { d, column, tags } of decls) {
      const kind = classifyTest(d.name);
      const col =
        column ?? (typeof d.args.column_name === 'string' ? d.args.column_name : undefined);
      if (kind.builtin === undefined && !ctx.engine.hasMacro(`test_${kind.name}`)) {
        ctx.diagnostics.add(
          new MdlError(
            'E_TEST',
            `unknown test '${d.name}'.${didYouMean(kind.name, customNames())}`,
            {
              file: d.origin.file,
              line: d.origin.line,
              hint: `use a built-in test (${BUILTIN_TESTS.join(', ')}) or define {% macro test_${kind.name}(model, column_name) %} in macros/`,
            },
          ),
        );
        continue;
      }
      if (kind.builtin !== undefined) {
        const problems = checkBuiltinArgs(kind.builtin, d, col);
        for (const p of problems) ctx.diagnostics.add(p);
        if (problems.length > 0) continue;
      }
      const to = typeof d.args.to === 'string' ? parseRelationArg(d.args.to) : undefined;
      const name = genericTestName(kind.name, a.label, col, d.args, a.isSource);
      const folders = foldersOf(a.ymlFile, [
        ...project.modelPaths,
        ...project.seedPaths,
        ...project.snapshotPaths,
      ]);
      const where = { file: d.origin.file, line: d.origin.line };
      const merged = mergeConfig(
        mergeConfig(
          { materialized: 'test', enabled: true, tags: [...tags], meta: {}, severity: 'error' },
          folderConfigFor(project.testConfig, folders, name),
        ),
        d.config,
      );
      const config = postProcessConfig(
        { ...merged, materialized: 'test' } as NodeConfig,
        where,
        ctx.diagnostics,
      );
      if (!config.enabled) continue;
      drafts.push({
        uniqueId: `test.${project.name}.${name}`,
        name,
        decl: d,
        kind,
        attachedId: a.id,
        attachedRef: a.ref,
        ...(col === undefined ? {} : { column: col }),
        ...(to === undefined ? {} : { to }),
        fqn: [project.name, ...folders, name],
        config,
        relation: testRelation(ctx, config, name),
        tags: config.tags,
      });
    }
  }
  return dedupeNames(ctx, drafts);
}

/** Same-named tests (same test, same args, declared twice) get a short hash suffix. */
function dedupeNames(ctx: CompileContext, drafts: GenericTestDraft[]): GenericTestDraft[] {
  const counts = new Map<string, number>();
  for (const d of drafts) counts.set(d.name, (counts.get(d.name) ?? 0) + 1);
  return drafts.map((d, i) => {
    if ((counts.get(d.name) ?? 0) < 2) return d;
    // Declaration order makes the suffix deterministic even for `[unique, unique]` on one line.
    const name = `${d.name}_${sha256(`${d.decl.origin.file}:${d.decl.origin.line}:${d.attachedId}:${i}`).slice(0, 8)}`;
    return {
      ...d,
      name,
      uniqueId: `test.${ctx.project.name}.${name}`,
      fqn: [...d.fqn.slice(0, -1), name],
      relation: { ...d.relation, identifier: name },
    };
  });
}

/** Renders a generic test into its TestNode (failing-rows SELECT). */
export function renderGenericTest(
  ctx: CompileContext,
  d: GenericTestDraft,
  resolve: (p: PlaceholderRef) => RelationValue | undefined,
  toId: string | undefined,
  renderSql: boolean,
): TestNode {
  const attached = resolve(d.attachedRef);
  const toRel = d.to === undefined ? undefined : resolve(d.to);
  const kwargs: Record<string, unknown> = {
    ...d.decl.args,
    ...(d.column === undefined ? {} : { column_name: d.column }),
  };
  let sql = '';
  if (renderSql && attached !== undefined) {
    const model = whereWrapped(attached.toString(), d.config.where);
    if (d.kind.builtin !== undefined) {
      sql = builtinTestSql(
        d.kind.builtin,
        model,
        d.column,
        d.decl.args,
        ctx.dialect,
        toRel?.toString(),
      );
    } else {
      const scope = newScope(d.decl.origin.file, '', {
        resolve,
        lineOffset: d.decl.origin.line - 1,
      });
      sql = ctx.engine
        .callMacro(
          `test_${d.kind.name}`,
          { ...kwargs, model: d.config.where === undefined ? attached : model },
          scope,
        )
        .trim();
      for (const p of scope.problems) ctx.diagnostics.add(p);
    }
  }
  return {
    resourceType: 'test',
    uniqueId: d.uniqueId,
    name: d.name,
    packageName: ctx.project.name,
    fqn: d.fqn,
    originalFilePath: d.decl.origin.file,
    line: d.decl.origin.line,
    description: '',
    tags: d.tags,
    meta: d.config.meta,
    config: d.config,
    dependsOn: {
      nodes: [d.attachedId, ...(toId === undefined ? [] : [toId])],
      macros: d.kind.builtin === undefined ? [`macro.${ctx.project.name}.test_${d.kind.name}`] : [],
    },
    columns: {},
    checksum: sha256(JSON.stringify([d.decl.name, kwargs, d.config])),
    testMetadata: {
      name: d.kind.name,
      ...(d.kind.namespace === undefined ? {} : { namespace: d.kind.namespace }),
      kwargs,
    },
    attachedNode: d.attachedId,
    ...(d.column === undefined ? {} : { columnName: d.column }),
    rawSql: `{{ test_${d.kind.name}(**kwargs) }}`,
    compiledSql: sql,
    ctes: [],
    relation: d.relation,
  };
}
