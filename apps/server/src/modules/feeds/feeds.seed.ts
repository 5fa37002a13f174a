import type { SecretKeyConfig } from '../../kernel/crypto/secrets.js';
import { encryptSecret } from '../../kernel/crypto/secrets.js';
import { generateToken } from '../../kernel/crypto/tokens.js';
import type { Tx } from '../../kernel/db/database.js';
import { insertWebhookEndpoint } from './feeds.queries.js';

/**
 * Demo data for the seed (caller's transaction): an inbound webhook endpoint of an account. Its secret is
 * random and never shown (an API-created secret is shown once); rotating it in the console shows a new one
 * with the signing example.
 */
export async function seedWebhookEndpoint(
  tx: Tx,
  input: { config: SecretKeyConfig; tenantId: string; accountId: string; name: string; templateId: string | null; connectionIds: string[]; createdBy: string },
): Promise<string> {
  const row = await insertWebhookEndpoint(tx, {
    tenantId: input.tenantId,
    accountId: input.accountId,
    name: input.name,
    secretEncrypted: encryptSecret(input.config, `whsec_${generateToken(32)}`),
    templateId: input.templateId,
    connectionIds: input.connectionIds,
    createdBy: input.createdBy,
  });
  return row.id;
}
