import type { AiModelUsage, AiPriceList, UpsertAiPriceBody } from '@omni/contracts/ai';
import { assertCan } from '../../kernel/access.js';
import type { Tx } from '../../kernel/db/database.js';
import { withSystemAccess, withSystemAccessRead } from '../../kernel/db/tenancy.js';
import { AppError } from '../../kernel/errors.js';
import type { ServiceContext } from '../../kernel/module.js';
import { aiPermissions } from './ai.permissions.js';
import { deletePrice, selectPrice, selectPrices, selectUsageByModelSince, upsertPrice, type ModelUsageRow, type PriceRow } from './ai.queries.js';

/**
 * Model prices (super admins, /platform/ai): what runAgent charges per million tokens, platform-wide.
 * Each price shows the calls and tokens recorded under it in the last 30 days across workspaces; models
 * run at no cost without a price of their own are listed apart, so a missing price is noticed.
 */

const usageWindowDays = 30;
const pricedKinds = new Set(['openai-compatible', 'anthropic']);
const noUsage: AiModelUsage = { calls: 0, inputTokens: 0, outputTokens: 0, costMicros: 0 };

const usageOf = (row: ModelUsageRow): AiModelUsage => ({
  calls: Number(row.calls),
  inputTokens: Number(row.input_tokens),
  outputTokens: Number(row.output_tokens),
  costMicros: Number(row.cost_micros),
});

const pricesOf = (row: PriceRow) => ({ inputMicrosPerMillion: Number(row.input_micros_per_million), outputMicrosPerMillion: Number(row.output_micros_per_million) });

/** The first UTC day of the window (today included), as ai_usage_daily counts days. */
function windowStart(now = new Date()): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (usageWindowDays - 1))).toISOString().slice(0, 10);
}

async function readPriceList(tx: Tx): Promise<AiPriceList> {
  const prices = await selectPrices(tx);
  const usage = await selectUsageByModelSince(tx, windowStart());
  const key = (provider: string, model: string) => `${provider}\u0000${model}`;
  const usageByKey = new Map(usage.map((row) => [key(row.provider, row.model), usageOf(row)]));
  const priced = new Set(prices.map((row) => key(row.provider, row.model)));
  return {
    items: prices.map((row) => ({
      provider: row.provider,
      model: row.model,
      ...pricesOf(row),
      updatedAt: new Date(row.updated_at).toISOString(),
      usage30d: usageByKey.get(key(row.provider, row.model)) ?? noUsage,
    })),
    // A dated model name the provider answered with (gpt-4o-mini-2024-07-18) is charged at the requested
    // model's price, so it has a cost and is not listed here.
    unpriced: usage
      .filter((row) => pricedKinds.has(row.provider) && !priced.has(key(row.provider, row.model)) && Number(row.cost_micros) === 0)
      .map((row) => ({ provider: row.provider, model: row.model, usage30d: usageOf(row) })),
  };
}

/** Offline runs are free by definition: their price is not the platform's to set. */
function requirePricedKind(provider: string): void {
  if (provider === 'offline') throw new AppError('unprocessable', 'ai.offline_price_fixed', 'Offline runs are always free; their price cannot be changed.', { errors: [{ path: 'provider', message: 'Offline is free.' }] });
}

export async function listAiPrices(ctx: ServiceContext): Promise<AiPriceList> {
  assertCan(ctx, aiPermissions.platform);
  return withSystemAccessRead(ctx, 'ai: prices and their usage across tenants', readPriceList);
}

/** Add or change a model's price; runs from now on are charged by it (recorded costs stay as they were). */
export async function upsertAiPrice(ctx: ServiceContext, body: UpsertAiPriceBody): Promise<AiPriceList> {
  assertCan(ctx, aiPermissions.platform);
  requirePricedKind(body.provider);
  ctx.audit.targetType = 'ai_price';
  ctx.audit.targetId = `${body.provider}/${body.model}`;
  const { list, previous } = await withSystemAccess(ctx, 'ai: set a model price', async (tx) => {
    const before = await selectPrice(tx, body.provider, body.model);
    await upsertPrice(tx, body);
    return { list: await readPriceList(tx), previous: before ? pricesOf(before) : null };
  });
  ctx.audit.metadata = { inputMicrosPerMillion: body.inputMicrosPerMillion, outputMicrosPerMillion: body.outputMicrosPerMillion, previous };
  return list;
}

/** Remove a model's price: its runs cost 0 from now on (and are logged as unpriced). */
export async function deleteAiPrice(ctx: ServiceContext, provider: string, model: string): Promise<AiPriceList> {
  assertCan(ctx, aiPermissions.platform);
  requirePricedKind(provider);
  ctx.audit.targetType = 'ai_price';
  ctx.audit.targetId = `${provider}/${model}`;
  return withSystemAccess(ctx, 'ai: remove a model price', async (tx) => {
    const deleted = await deletePrice(tx, provider, model);
    if (!deleted) throw new AppError('not_found', 'ai.price_not_found', `No price for ${provider} model “${model}”.`);
    ctx.audit.metadata = { previous: pricesOf(deleted) };
    return readPriceList(tx);
  });
}
