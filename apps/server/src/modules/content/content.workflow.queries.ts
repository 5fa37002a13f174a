import { sql } from 'drizzle-orm';
import type { Tx } from '../../kernel/db/database.js';

/**
 * Reads and writes of `posts` for workflows (use-cases/workflow-support.ts), beside content.queries.ts,
 * which owns the rest of the content tables: the post a workflow step made, and tags set as labels.
 */

/** The post of the account that this workflow step run made (its source names the step run), if any. */
export async function findPostOfWorkflowStep(tx: Tx, accountId: string, stepRunId: string): Promise<{ id: string; status: string } | null> {
  const rows = await tx.execute<{ id: string; status: string }>(sql`
    SELECT id, status FROM posts
     WHERE account_id = ${accountId} AND source ->> 'kind' = 'workflow' AND source ->> 'stepRunId' = ${stepRunId}
     ORDER BY created_at LIMIT 1`);
  return rows.rows[0] ?? null;
}

/** Replace a post's tags (no revision: tags are labels, not content). */
export async function updatePostTags(tx: Tx, postId: string, tags: string[]): Promise<void> {
  const values = sql.join(tags.map((tag) => sql`${tag}`), sql`, `);
  await tx.execute(sql`UPDATE posts SET tags = ARRAY[${values}]::text[], updated_at = now() WHERE id = ${postId}`);
}
