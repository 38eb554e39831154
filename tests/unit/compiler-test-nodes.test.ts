import { describe, expect, it } from 'vitest';
import { genericTestName } from '../../runner/compiler/generic-tests.js';
import { compileFiles, node, problemsOf, sqlOf } from '../helpers/temp-project.js';

const yml = `version: 2
models:
  - name: orders
    columns:
      - name: id
        tests: [unique, not_null]
      - name: status
        data_tests:
          - accepted_values:
              values: [open, "it's closed"]
      - name: customer_id
        tests:
          - relationships:
              to: ref('customers')
              field: id
              config: {severity: warn, where: "status <> 'void'"}
      - name: amount
        tests:
          - expression_is_true: {expression: '>= 0'}
          - positive
sources:
  - name: raw
    schema: raw
    tables:
      - name: events
        columns:
          - name: id
            tests: [not_null]
`;

describe('generic test nodes from YAML', () => {
  const files = {
    'models/orders.sql': 'select 1 as id',
    'models/customers.sql': 'select 1 as id',
    'models/schema.yml': yml,
    'macros/t.sql':
      '{% macro test_positive(model, column_name) %}select * from {{ model }} where {{ column_name }} <= 0{% endmacro %}',
    'data-tests/no_orders_without_customer.sql':
      "select * from {{ ref('orders') }} where customer_id is null",
  };

  it('names tests like dbt and attaches them to their model/source', async () => {
    const { manifest } = await compileFiles(files);
    const tests = Object.values(manifest.nodes)
      .filter((n) => n.resourceType === 'test')
      .map((n) => n.uniqueId)
      .sort();
    expect(tests).toEqual([
      'test.proj.accepted_values_orders_status__open__it_s_closed',
      'test.proj.expression_is_true_orders_amount___0',
      'test.proj.no_orders_without_customer',
      'test.proj.not_null_orders_id',
      'test.proj.positive_orders_amount',
      'test.proj.relationships_orders_customer_id__id__ref_customers_',
      'test.proj.source_not_null_raw_events_id',
      'test.proj.unique_orders_id',
    ]);
    const nn = node(manifest, 'test.proj.not_null_orders_id');
    expect(
      nn.resourceType === 'test' && [nn.attachedNode, nn.columnName, nn.testMetadata?.name],
    ).toEqual(['model.proj.orders', 'id', 'not_null']);
    expect(nn.dependsOn.nodes).toEqual(['model.proj.orders']);
    expect(nn.originalFilePath).toBe('models/schema.yml');
    expect(nn.line).toBe(6);
    expect(nn.config).toMatchObject({ materialized: 'test', severity: 'error' });
    expect(node(manifest, 'test.proj.source_not_null_raw_events_id').dependsOn.nodes).toEqual([
      'source.proj.raw.events',
    ]);
  });

  it('renders failing-row SELECTs; accepted_values literals are escaped; where wraps the model', async () => {
    const { manifest } = await compileFiles(files);
    expect(sqlOf(manifest, 'test.proj.not_null_orders_id')).toBe(
      'select id\nfrom "main"."orders"\nwhere id is null',
    );
    expect(sqlOf(manifest, 'test.proj.unique_orders_id')).toContain(
      'group by id\nhaving count(*) > 1',
    );
    expect(sqlOf(manifest, 'test.proj.accepted_values_orders_status__open__it_s_closed')).toContain(
      "where value_field not in ('open', 'it''s closed')",
    );
    const rel = node(manifest, 'test.proj.relationships_orders_customer_id__id__ref_customers_');
    expect(rel.dependsOn.nodes).toEqual(['model.proj.orders', 'model.proj.customers']);
    expect(rel.config.severity).toBe('warn');
    expect(sqlOf(manifest, rel.uniqueId)).toContain(
      `from (select * from "main"."orders" where status <> 'void') mdl_subquery`,
    );
    expect(sqlOf(manifest, rel.uniqueId)).toContain('from "main"."customers"');
    expect(sqlOf(manifest, 'test.proj.expression_is_true_orders_amount___0')).toBe(
      'select *\nfrom "main"."orders"\nwhere not (amount >= 0)',
    );
    expect(sqlOf(manifest, 'test.proj.positive_orders_amount')).toBe(
      'select * from "main"."orders" where amount <= 0',
    );
    expect(node(manifest, 'test.proj.positive_orders_amount').dependsOn.macros).toEqual([
      'macro.proj.test_positive',
    ]);
    const singular = node(manifest, 'test.proj.no_orders_without_customer');
    expect(singular.resourceType === 'test' && singular.testMetadata).toBeUndefined();
    expect(sqlOf(manifest, singular.uniqueId)).toBe(
      'select * from "main"."orders" where customer_id is null',
    );
    expect(singular.dependsOn.nodes).toEqual(['model.proj.orders']);
  });

  it('long names are cut with a stable hash; duplicates get a suffix', async () => {
    const long = genericTestName(
      'accepted_values',
      'a_really_long_model_name_for_testing',
      'status_column',
      { values: ['alpha', 'beta', 'gamma', 'delta'] },
      false,
    );
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^accepted_values_a_really_long_model_name_for_testing_[0-9a-f]{10}$/);
    expect(
      genericTestName(
        'accepted_values',
        'a_really_long_model_name_for_testing',
        'status_column',
        { values: ['alpha', 'beta', 'gamma', 'delta'] },
        false,
      ),
    ).toBe(long);
    const { manifest } = await compileFiles({
      'models/m.sql': 'select 1 as id',
      'models/s.yml':
        'version: 2\nmodels:\n  - name: m\n    columns:\n      - name: id\n        tests: [unique, unique]\n',
    });
    const ids = Object.keys(manifest.nodes).filter((k) => k.startsWith('test.'));
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(/^test\.proj\.unique_m_id_[0-9a-f]{8}$/);
  });

  it('unknown tests and bad arguments are E_TEST at the YAML line', async () => {
    const errs = await problemsOf(
      compileFiles({
        'models/m.sql': 'select 1 as id',
        'models/s.yml':
          'version: 2\nmodels:\n  - name: m\n    columns:\n      - name: id\n        tests:\n          - uniqe\n          - accepted_values: {quote: false}\n',
      }),
    );
    expect(errs.map((e) => [e.code, e.file, e.line, e.message])).toEqual([
      ['E_TEST', 'models/s.yml', 7, "unknown test 'uniqe'. Did you mean 'unique'?"],
      ['E_TEST', 'models/s.yml', 8, 'accepted_values: expected `values:` to be a non-empty list'],
    ]);
  });
});
