import { randomUUID } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, request, type TestApp } from '../harness.js';
import { listTenantRowIds, populateTenant, registerTenant, snapshotTenantRows, type SweepTenant } from './fixtures.js';
import { fetchOpenApiDocument, fillPath, listOperations, minimalValue, type OpenApiDocument, type Operation } from './openapi.js';

/** Routes for platform administrators: cross-tenant by design, so B's owner must be refused outright. */
const superAdminPrefixes = ['/api/platform/', '/api/dev/'];
const isSuperAdminRoute = (operation: Operation) => superAdminPrefixes.some((prefix) => operation.path.startsWith(prefix));

type Credentials = { token?: string; apiKey?: string };

const isProblem = (response: LightMyRequestResponse) => String(response.headers['content-type'] ?? '').startsWith('application/problem+json');

/**
 * Every route with a path parameter, read from the OpenAPI document, called by tenant B with each of
 * tenant A's row ids: nothing of A's may be read, changed or even confirmed to exist.
 */
describe('id routes sweep', () => {
  let t: TestApp;
  let tenantA: SweepTenant;
  let tenantB: SweepTenant;
  let apiKeyOfB: string;
  let document: OpenApiDocument;
  let operations: Operation[];
  let idsOfA: Array<{ table: string; id: string }>;
  let snapshotBefore: Record<string, string[]>;

  beforeAll(async () => {
    t = await createTestApp();
    tenantA = await registerTenant(t, 'ids-a');
    tenantB = await registerTenant(t, 'ids-b');
    await populateTenant(t, tenantA);
    ({ apiKeySecret: apiKeyOfB } = await populateTenant(t, tenantB));
    document = await fetchOpenApiDocument(t.app);
    operations = listOperations(document).filter((operation) => operation.pathParams.length > 0);
    idsOfA = await listTenantRowIds(t, tenantA.tenantId);
    snapshotBefore = await snapshotTenantRows(t, tenantA.tenantId);
  });
  afterAll(() => t?.close());

  function callAs(credentials: Credentials, operation: Operation, id: string) {
    const values = Object.fromEntries(operation.pathParams.map((name) => [name, id]));
    return request(t.app, {
      method: operation.method,
      url: fillPath(operation.path, values),
      token: credentials.token,
      headers: credentials.apiKey ? { 'x-api-key': credentials.apiKey } : {},
      ...(operation.bodySchema ? { payload: minimalValue(operation.bodySchema, document) as object } : {}),
    });
  }

  it('finds routes with path parameters and ids of A’s rows to try', () => {
    expect(operations.map((operation) => `${operation.method} ${operation.path}`)).toEqual(
      expect.arrayContaining(['GET /api/accounts/{id}', 'PATCH /api/accounts/{id}', 'DELETE /api/accounts/{id}', 'DELETE /api/invitations/{id}', 'GET /api/content/imports/{id}', 'GET /api/ai/runs/{id}']),
    );
    expect(idsOfA.map((entry) => entry.table)).toEqual(expect.arrayContaining(['tenants', 'accounts', 'invitations', 'profiles', 'api_keys', 'memberships', 'ai_runs']));
  });

  const problemCode = (response: LightMyRequestResponse) => (isProblem(response) ? String(response.json().code) : '');

  const callers: Array<[label: string, credentialsOf: () => Credentials, strictNotFound: boolean]> = [
    ['B’s owner (bearer token)', () => ({ token: tenantB.accessToken }), true],
    ['B’s API key', () => ({ apiKey: apiKeyOfB }), false],
  ];
  for (const [label, credentialsOf, strictNotFound] of callers) {
    const expectation = strictNotFound ? 'GET/PATCH/DELETE answer 404 problem+json' : 'answers exactly as for an id that exists nowhere';
    it(`${label} never gets a 2xx or 5xx with A’s ids, and ${expectation}`, async () => {
      const failures: string[] = [];
      for (const operation of operations.filter((candidate) => !isSuperAdminRoute(candidate))) {
        // What the route says about an id that exists nowhere: A's ids must not be told apart from it.
        const baseline = await callAs(credentialsOf(), operation, randomUUID());
        for (const { table, id } of idsOfA) {
          const response = await callAs(credentialsOf(), operation, id);
          const where = `${operation.method} ${operation.path} with ${table} ${id}`;
          if (response.statusCode < 300 || response.statusCode >= 500) {
            failures.push(`${where} → ${response.statusCode} ${response.body.slice(0, 200)}`);
          } else if (response.statusCode !== baseline.statusCode || problemCode(response) !== problemCode(baseline)) {
            failures.push(`${where} → ${response.statusCode} ${problemCode(response)}, but an unknown id gets ${baseline.statusCode} ${problemCode(baseline)}`);
          } else if (strictNotFound && ['GET', 'PATCH', 'DELETE'].includes(operation.method) && (response.statusCode !== 404 || !isProblem(response))) {
            failures.push(`${where} → ${response.statusCode} (expected 404 problem+json) ${response.body.slice(0, 200)}`);
          }
        }
      }
      expect(failures).toEqual([]);
      // The sweep proves something only if B was signed in throughout.
      const { token, apiKey } = credentialsOf();
      const stillSignedIn = await request(t.app, { url: '/api/tenant', token, headers: apiKey ? { 'x-api-key': apiKey } : {} });
      expect(stillSignedIn.statusCode).toBe(200);
      // Every :id route times every tenant row id: it grows with each module, so it gets more than the default.
    }, 300_000);
  }

  it('super-admin routes refuse B’s owner with 403 problem+json', async () => {
    const failures: string[] = [];
    const superAdminOperations = listOperations(document).filter(isSuperAdminRoute);
    expect(superAdminOperations.length).toBeGreaterThan(0);
    for (const operation of superAdminOperations) {
      for (const { table, id } of operation.pathParams.length > 0 ? idsOfA : [{ table: 'none', id: '' }]) {
        const response = await callAs({ token: tenantB.accessToken }, operation, id);
        if (response.statusCode !== 403 || !isProblem(response)) {
          failures.push(`${operation.method} ${operation.path} with ${table} ${id} → ${response.statusCode} ${response.body.slice(0, 200)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('leaves every one of A’s rows exactly as it was', async () => {
    expect(await snapshotTenantRows(t, tenantA.tenantId)).toEqual(snapshotBefore);
  });
});
