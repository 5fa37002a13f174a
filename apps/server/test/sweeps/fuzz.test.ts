import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, request, type TestApp } from '../harness.js';
import { registerTenant, sweepPassword, type SweepTenant } from './fixtures.js';
import { fetchOpenApiDocument, listOperations, nastyValue, shapedBodyArbitrary, type Operation } from './openapi.js';

/**
 * Property-based bad input for every route in the OpenAPI document: arbitrary bodies (anything, malformed
 * JSON, objects shaped like the route's schema but wrong), query strings and path parameters, with and
 * without credentials. The server must never answer 5xx, and every error must be problem+json.
 */
const runsPerRoute = 30;
// Fixed so a failure reproduces; each route mixes in its own name so routes explore different inputs.
const baseSeed = 20_260_101;

const t: TestApp = await createTestApp();
const document = await fetchOpenApiDocument(t.app);
const operations = listOperations(document);

function seedFor(operation: Operation): number {
  let hash = baseSeed;
  for (const character of `${operation.method} ${operation.path}`) hash = (Math.imul(hash, 31) + character.charCodeAt(0)) | 0;
  return hash;
}

/** Lone surrogates cannot be percent-encoded; replace them as a browser would. */
const wellFormed = (value: string) => value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

const textValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.uuid(),
  nastyValue.map((value) => (typeof value === 'string' ? value : JSON.stringify(value) ?? '')),
);

/** A raw query string of printable ASCII, percent signs and all, as a careless or hostile client sends it. */
const rawQuery = fc.string({ unit: fc.constantFrom(...'abc=&%;[]{}+-_.~!$\'()*,:@/?09AZ'.split('')), maxLength: 40 });

type Credentials = 'owner' | 'none' | 'garbage-bearer' | 'garbage-api-key';

type Input = {
  pathValues: string[];
  query: { kind: 'pairs'; pairs: Array<[string, string]> } | { kind: 'raw'; raw: string };
  body: { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'raw'; text: string };
  credentials: Credentials;
};

function inputArbitrary(operation: Operation): fc.Arbitrary<Input> {
  const queryNames = operation.queryParams.map((parameter) => parameter.name);
  const queryKey = queryNames.length > 0 ? fc.oneof(fc.constantFrom(...queryNames), fc.string({ maxLength: 10 })) : fc.string({ maxLength: 10 });
  const jsonBodies: Array<fc.Arbitrary<unknown>> = [fc.anything(), nastyValue];
  if (operation.bodySchema) jsonBodies.push(shapedBodyArbitrary(operation.bodySchema, document), shapedBodyArbitrary(operation.bodySchema, document));
  return fc.record({
    pathValues: fc.array(textValue, { minLength: operation.pathParams.length, maxLength: operation.pathParams.length }),
    query: fc.oneof(
      fc.record({ kind: fc.constant('pairs' as const), pairs: fc.array(fc.tuple(queryKey, textValue), { maxLength: 4 }) }),
      fc.record({ kind: fc.constant('raw' as const), raw: rawQuery }),
    ),
    body: fc.oneof(
      { weight: 1, arbitrary: fc.constant({ kind: 'none' as const }) },
      { weight: 4, arbitrary: fc.oneof(...jsonBodies).map((value) => ({ kind: 'json' as const, value })) },
      { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((text) => ({ kind: 'raw' as const, text })) },
    ),
    credentials: fc.constantFrom<Credentials>('owner', 'owner', 'none', 'garbage-bearer', 'garbage-api-key'),
  });
}

function buildRequest(operation: Operation, input: Input, ownerToken: string): InjectOptions & { token?: string } {
  let index = 0;
  const path = operation.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(wellFormed(input.pathValues[index++] ?? '')));
  const query =
    input.query.kind === 'raw'
      ? input.query.raw
      : input.query.pairs.map(([key, value]) => `${encodeURIComponent(wellFormed(key))}=${encodeURIComponent(wellFormed(value))}`).join('&');
  const headers: Record<string, string> = {};
  let payload: string | undefined;
  if (input.body.kind === 'json') {
    const text = JSON.stringify(input.body.value);
    if (text !== undefined) {
      payload = text;
      headers['content-type'] = 'application/json';
    }
  } else if (input.body.kind === 'raw') {
    payload = input.body.text;
    headers['content-type'] = 'application/json';
  }
  if (input.credentials === 'garbage-bearer') headers.authorization = 'Bearer not.a.jwt';
  if (input.credentials === 'garbage-api-key') headers['x-api-key'] = 'omni_fake_0123456789abcdef';
  return {
    method: operation.method,
    url: query ? `${path}?${query}` : path,
    headers,
    payload,
    token: input.credentials === 'owner' ? ownerToken : undefined,
  };
}

/** What is wrong with the response, or null when it is acceptable. */
function judge(response: LightMyRequestResponse): string | null {
  if (response.statusCode >= 500) return `answered ${response.statusCode}: ${response.body.slice(0, 300)}`;
  if (response.statusCode < 400) return null;
  if (!String(response.headers['content-type'] ?? '').startsWith('application/problem+json')) {
    return `answered ${response.statusCode} as ${response.headers['content-type']}, not problem+json`;
  }
  const body = JSON.parse(response.body) as { status?: unknown; code?: unknown; detail?: unknown };
  if (body.status !== response.statusCode) return `problem status ${String(body.status)} differs from ${response.statusCode}`;
  if (typeof body.code !== 'string' || body.code.length === 0) return 'problem has no code';
  if (typeof body.detail !== 'string' || body.detail.length === 0) return 'problem has no detail';
  return null;
}

describe('fuzz sweep', () => {
  let owner: SweepTenant;

  beforeAll(async () => {
    owner = await registerTenant(t, 'fuzz');
  });
  afterAll(() => t.close());

  /** Fuzzed calls may sign the owner out (logout, revoke); sign in again so each route is tried signed in. */
  async function ensureOwnerSession(): Promise<string> {
    const profile = await request(t.app, { url: '/api/auth/profile', token: owner.accessToken });
    if (profile.statusCode === 200) return owner.accessToken;
    const login = await request(t.app, { method: 'POST', url: '/api/auth/login', payload: { email: owner.email, password: sweepPassword } });
    expect(login.statusCode).toBe(200);
    const switched = await request(t.app, {
      method: 'POST',
      url: '/api/auth/switch',
      token: login.json().accessToken,
      payload: { tenantId: owner.tenantId, accountId: owner.accountId },
    });
    expect(switched.statusCode).toBe(200);
    owner = { ...owner, accessToken: switched.json().accessToken };
    return owner.accessToken;
  }

  it('reads the foundation routes from the OpenAPI document', () => {
    expect(operations.map((operation) => `${operation.method} ${operation.path}`)).toEqual(
      expect.arrayContaining(['POST /api/auth/login', 'POST /api/auth/register', 'GET /api/accounts', 'PATCH /api/accounts/{id}', 'GET /api/audit']),
    );
  });

  for (const operation of operations) {
    it(`${operation.method} ${operation.path} answers arbitrary input without a 5xx, and every error as problem+json`, async () => {
      const token = await ensureOwnerSession();
      const result = await fc.check(
        fc.asyncProperty(inputArbitrary(operation), async (input) => {
          const response = await request(t.app, buildRequest(operation, input, token));
          const problem = judge(response);
          if (problem) throw new Error(problem);
        }),
        { numRuns: runsPerRoute, seed: seedFor(operation), endOnFailure: true },
      );
      if (result.failed) {
        const cause = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
        // Counterexamples can hold 100 kB strings; keep the report readable.
        throw new Error(`${cause}\n${(fc.defaultReportMessage(result) ?? '').slice(0, 3000)}`);
      }
    });
  }
});
