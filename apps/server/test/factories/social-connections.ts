import type { FastifyInstance } from 'fastify';

/**
 * Connect a tenant's account to a network through the real OAuth flow (POST /api/social/connect/:network,
 * the callback with a code from the network's fake, the pending selection, POST /api/social/connections),
 * choosing the first destination the network lists. Only app.inject is used, so benchmarks can call it too.
 * `issueCode` asks the fake for an authorization code for this authorization URL (Meta fakes bind it to
 * redirect_uri, the X fake to code_challenge). Returns the new connection's id.
 */
export async function connectThroughOAuth(
  app: FastifyInstance,
  token: string,
  network: 'facebook' | 'instagram' | 'pinterest' | 'x' | 'linkedin',
  issueCode: (authorizationUrl: URL) => string,
): Promise<string> {
  const headers = { authorization: `Bearer ${token}` };
  const started = await app.inject({ method: 'POST', url: `/api/social/connect/${network}`, headers, payload: {} });
  if (started.statusCode !== 200) throw new Error(`${network} connect: ${started.statusCode} ${started.body}`);
  const authorizationUrl = new URL(started.json<{ authorizationUrl: string }>().authorizationUrl);
  const query = new URLSearchParams({ code: issueCode(authorizationUrl), state: authorizationUrl.searchParams.get('state') ?? '' });
  const callback = await app.inject({ method: 'GET', url: `/api/social/callback/${network}?${query.toString()}` });
  const selectionId = callback.statusCode === 302 ? new URL(String(callback.headers.location)).searchParams.get('selection') : null;
  if (!selectionId) throw new Error(`${network} callback: ${callback.statusCode} ${String(callback.headers.location ?? callback.body)}`);
  const selection = await app.inject({ method: 'GET', url: `/api/social/selections/${selectionId}`, headers });
  const destination = selection.json<{ destinations?: Array<{ externalId: string }> }>().destinations?.[0];
  if (!destination) throw new Error(`${network} selection: ${selection.statusCode} ${selection.body}`);
  const created = await app.inject({ method: 'POST', url: '/api/social/connections', headers, payload: { selectionId, destinationIds: [destination.externalId] } });
  if (created.statusCode !== 201) throw new Error(`${network} connection: ${created.statusCode} ${created.body}`);
  return created.json<{ items: Array<{ id: string }> }>().items[0]!.id;
}
