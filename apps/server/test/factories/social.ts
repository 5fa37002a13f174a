import { expect } from 'vitest';
import type { FakeFacebook } from '../fakes/facebook.js';
import { request, type TestApp } from '../harness.js';
import type { RegisteredTenant } from './tenancy.js';

/** Connect one of the Facebook fake's pages through the API (OAuth round trip, destination choice): its connection id. */
export async function connectFacebookPage(t: TestApp, fake: FakeFacebook, tenant: RegisteredTenant, pageIndex = 0): Promise<string> {
  const started = await request(t.app, { method: 'POST', url: '/api/social/connect/facebook', token: tenant.token, payload: {} });
  const url = new URL(started.json().authorizationUrl);
  const callback = await request(t.app, {
    url: `/api/social/callback/facebook?code=${fake.issueCode(url.searchParams.get('redirect_uri')!)}&state=${url.searchParams.get('state')}`,
  });
  const selectionId = new URL(callback.headers.location as string).searchParams.get('selection')!;
  const created = await request(t.app, { method: 'POST', url: '/api/social/connections', token: tenant.token, payload: { selectionId, destinationIds: [fake.pages[pageIndex]!.id] } });
  expect(created.statusCode).toBe(201);
  return created.json().items[0].id as string;
}
