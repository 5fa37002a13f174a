import type { AiRun } from '@omni/contracts/ai';
import type { Tx } from '../../kernel/db/database.js';
import { toRunDto } from './ai.dto.js';
import { selectRunsByIds } from './ai.queries.js';

/** Runs by id in the caller's transaction, in the order asked (unknown ids left out). */
export async function getAgentRuns(tx: Tx, ids: string[]): Promise<AiRun[]> {
  const rows = await selectRunsByIds(tx, ids);
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    return row ? [toRunDto(row)] : [];
  });
}
