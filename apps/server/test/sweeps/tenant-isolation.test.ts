import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tx } from '../../src/kernel/db/database.js';
import { withTenant } from '../../src/kernel/db/tenancy.js';
import { createTestApp, type TestApp } from '../harness.js';
import { getPrimaryKey, listTenantTables, populateTenant, quoteIdentifier, registerTenant, type PrimaryKey, type SweepTenant } from './fixtures.js';

/**
 * Every table with a tenant_id column, found in the catalog (never listed by hand), must keep tenant B
 * away from tenant A's rows when B's transaction runs as the app role. A new table without a fixture row
 * fails the sweep, so no table escapes it.
 */
describe('tenant isolation sweep', () => {
  let t: TestApp;
  let tenantA: SweepTenant;
  let tenantB: SweepTenant;
  let tables: string[];

  beforeAll(async () => {
    t = await createTestApp();
    tenantA = await registerTenant(t, 'iso-a');
    tenantB = await registerTenant(t, 'iso-b');
    await populateTenant(t, tenantA);
    await populateTenant(t, tenantB);
    tables = await listTenantTables(t);
  });
  afterAll(() => t?.close());

  /** Run one statement as the app role inside withTenant(B), in its own transaction. */
  async function asTenantB<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return withTenant({ db: t.kernel.db, tenantId: tenantB.tenantId }, fn);
  }

  /** One of A's rows: its primary key values and the whole row as JSON (read as the owner). */
  async function sampleRowOfA(table: string, key: PrimaryKey) {
    const rows = await t.owner.query<{ row: Record<string, unknown> }>(
      `SELECT to_jsonb(x) AS row FROM public.${quoteIdentifier(table)} x WHERE tenant_id = $1 LIMIT 1`,
      [tenantA.tenantId],
    );
    const row = rows.rows[0]?.row;
    if (!row) return null;
    return { row, keyValues: key.columns.map((column) => row[column]) };
  }

  function keyCondition(key: PrimaryKey, values: unknown[]) {
    return sql.join(
      key.columns.map((column, index) => sql`${sql.identifier(column)}::text = ${String(values[index])}`),
      sql` AND `,
    );
  }

  it('finds the foundation’s tenant tables in the catalog', () => {
    expect(tables).toEqual(expect.arrayContaining(['accounts', 'memberships', 'invitations', 'profiles', 'api_keys', 'audit_log', 'mail_messages', 'outbox_events', 'tenant_domains', 'ai_provider_settings', 'ai_runs', 'ai_usage_daily', 'ai_budgets', 'ai_rate_buckets', 'hitl_policies', 'campaigns', 'campaign_posts', 'workflows', 'workflow_versions', 'workflow_runs', 'workflow_step_runs', 'workflow_triggers', 'workflow_webhook_receipts', 'workflow_event_waits']));
  });

  it('every tenant table has row-level security enabled and forced, and a policy', async () => {
    const problems: string[] = [];
    for (const table of tables) {
      const flags = await t.owner.query<{ relrowsecurity: boolean; relforcerowsecurity: boolean; policies: number }>(
        `SELECT c.relrowsecurity, c.relforcerowsecurity,
                (SELECT count(*)::int FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname) AS policies
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relname = $1`,
        [table],
      );
      const row = flags.rows[0]!;
      if (!row.relrowsecurity) problems.push(`${table}: row-level security is not enabled`);
      if (!row.relforcerowsecurity) problems.push(`${table}: row-level security is not forced`);
      if (row.policies === 0) problems.push(`${table}: has no policy`);
    }
    expect(problems).toEqual([]);
  });

  it('every tenant table’s policy reads the tenant and system access once per statement (initplans), not per row', async () => {
    const policies = await t.owner.query<{ tablename: string; qual: string }>(
      `SELECT tablename, qual FROM pg_policies WHERE schemaname = 'public' AND policyname = 'tenant_isolation' AND tablename = ANY($1::text[])`,
      [[...tables, 'tenants']],
    );
    expect(policies.rows.map((row) => row.tablename).sort()).toEqual([...tables, 'tenants'].sort());
    const column = (table: string) => (table === 'tenants' ? 'id' : 'tenant_id');
    const perRow = policies.rows
      .filter((row) => row.qual.replace(/\s+/g, ' ') !== `((${column(row.tablename)} = ( SELECT app_tenant_id() AS app_tenant_id)) OR ( SELECT app_system_access() AS app_system_access))`)
      .map((row) => `${row.tablename}: USING ${row.qual} (write it as ${column(row.tablename)} = (SELECT app_tenant_id()) OR (SELECT app_system_access()), migration 0027)`);
    expect(perRow).toEqual([]);
  });

  it('tenant A has at least one row in every tenant table', async () => {
    const missing: string[] = [];
    for (const table of tables) {
      const count = await t.owner.query<{ count: number }>(`SELECT count(*)::int AS count FROM public.${quoteIdentifier(table)} WHERE tenant_id = $1`, [tenantA.tenantId]);
      if (count.rows[0]!.count === 0) missing.push(`add a fixture row for ${table} (test/sweeps/fixtures.ts populateTenant)`);
    }
    expect(missing).toEqual([]);
  });

  it('tenant B reads none of A’s rows, by id or without a WHERE clause, while A reads its own', async () => {
    const leaks: string[] = [];
    for (const table of tables) {
      const key = await getPrimaryKey(t, table);
      const sample = await sampleRowOfA(table, key);
      if (!sample) continue; // reported by the fixture test above
      const tableName = sql.identifier(table);
      const byId = await asTenantB((tx) => tx.execute(sql`SELECT 1 FROM ${tableName} WHERE ${keyCondition(key, sample.keyValues)}`));
      if (byId.rowCount !== 0) leaks.push(`${table}: B selected A's row by id`);
      const byTenant = await asTenantB((tx) => tx.execute(sql`SELECT 1 FROM ${tableName} WHERE tenant_id = ${tenantA.tenantId}`));
      if (byTenant.rowCount !== 0) leaks.push(`${table}: B selected A's rows by tenant_id`);
      const everything = await asTenantB((tx) => tx.execute<{ tenant_id: string | null }>(sql`SELECT tenant_id FROM ${tableName}`));
      const foreign = everything.rows.filter((row) => row.tenant_id !== tenantB.tenantId);
      if (foreign.length > 0) leaks.push(`${table}: an unfiltered SELECT as B returned ${foreign.length} rows of other tenants`);
      // The control: the same query as A finds the row, so "none" above means isolation, not a bad query.
      const asA = await withTenant({ db: t.kernel.db, tenantId: tenantA.tenantId }, (tx) => tx.execute(sql`SELECT 1 FROM ${tableName} WHERE ${keyCondition(key, sample.keyValues)}`));
      if (asA.rowCount !== 1) leaks.push(`${table}: A could not read its own row (control failed)`);
    }
    expect(leaks).toEqual([]);
  });

  it('tenant B’s UPDATE and DELETE of A’s rows affect nothing', async () => {
    const problems: string[] = [];
    for (const table of tables) {
      const key = await getPrimaryKey(t, table);
      const sample = await sampleRowOfA(table, key);
      if (!sample) continue;
      const tableName = sql.identifier(table);
      const statements = {
        'UPDATE by id': sql`UPDATE ${tableName} SET tenant_id = tenant_id WHERE ${keyCondition(key, sample.keyValues)}`,
        'UPDATE by tenant': sql`UPDATE ${tableName} SET tenant_id = tenant_id WHERE tenant_id = ${tenantA.tenantId}`,
        'UPDATE claiming the row': sql`UPDATE ${tableName} SET tenant_id = ${tenantB.tenantId} WHERE ${keyCondition(key, sample.keyValues)}`,
        'DELETE by id': sql`DELETE FROM ${tableName} WHERE ${keyCondition(key, sample.keyValues)}`,
        'DELETE by tenant': sql`DELETE FROM ${tableName} WHERE tenant_id = ${tenantA.tenantId}`,
      };
      for (const [label, statement] of Object.entries(statements)) {
        const result = await asTenantB((tx) => tx.execute(statement));
        if (result.rowCount !== 0) problems.push(`${table}: ${label} as B affected ${result.rowCount} rows`);
      }
      const still = await t.owner.query<{ row: Record<string, unknown> }>(
        `SELECT to_jsonb(x) AS row FROM public.${quoteIdentifier(table)} x WHERE ${key.columns.map((column, index) => `${quoteIdentifier(column)}::text = $${index + 1}`).join(' AND ')}`,
        sample.keyValues.map(String),
      );
      if (JSON.stringify(still.rows[0]?.row) !== JSON.stringify(sample.row)) problems.push(`${table}: A's row changed`);
    }
    expect(problems).toEqual([]);
  });

  it('tenant B cannot insert a row carrying A’s tenant id (a copy of A’s row under a new id)', async () => {
    const accepted: string[] = [];
    for (const table of tables) {
      const key = await getPrimaryKey(t, table);
      const sample = await sampleRowOfA(table, key);
      if (!sample) continue;
      const columns = await t.owner.query<{ column_name: string }>(
        `SELECT column_name FROM information_schema.columns
          WHERE table_schema = 'public' AND table_name = $1 AND is_identity = 'NO' AND is_generated = 'NEVER'
          ORDER BY ordinal_position`,
        [table],
      );
      const copy: Record<string, unknown> = { ...sample.row };
      key.columns.forEach((column, index) => {
        if (key.types[index] === 'uuid') copy[column] = randomUUID();
      });
      const columnList = sql.join(columns.rows.map((column) => sql.identifier(column.column_name)), sql`, `);
      const tableName = sql.identifier(table);
      let outcome = 'inserted';
      try {
        await asTenantB((tx) =>
          tx.execute(sql`INSERT INTO ${tableName} (${columnList}) SELECT ${columnList} FROM jsonb_populate_record(NULL::${tableName}, ${JSON.stringify(copy)}::jsonb)`),
        );
      } catch (error) {
        const cause = (error as { cause?: Error }).cause;
        outcome = (cause ?? (error as Error)).message;
      }
      if (!/new row violates row-level security policy/.test(outcome)) accepted.push(`${table}: expected a row-level security error, got: ${outcome}`);
    }
    expect(accepted).toEqual([]);
  });

  it('tenant B sees only its own tenant row and cannot change A’s', async () => {
    const visible = await asTenantB((tx) => tx.execute<{ id: string }>(sql`SELECT id FROM tenants`));
    expect(visible.rows).toEqual([{ id: tenantB.tenantId }]);
    const renamed = await asTenantB((tx) => tx.execute(sql`UPDATE tenants SET name = 'Hijacked' WHERE id = ${tenantA.tenantId}`));
    expect(renamed.rowCount).toBe(0);
  });
});
