import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSandboxPosts, createPublishingTenant, createTarget, getTargetDetail, makeDue, readFirstMetrics, readTargetRow, type PublishingTenant } from '../../../test/factories/publishing.js';
import { createTestApp, type TestApp } from '../../../test/harness.js';
import { withSystemAccess } from '../../kernel/db/tenancy.js';
import type { TargetRow } from './publishing.queries.js';
import { AcceptedOutcomes } from './use-cases/accepted-outcomes.js';
import { dispatchDueTargets } from './use-cases/dispatch.js';
import { markAcceptedPublished, type AcceptedCall } from './use-cases/outcomes.js';
import { runStartedAttempt } from './use-cases/publish-target.js';

const call = (id: string): AcceptedCall => ({
  target: { id } as TargetRow,
  attemptNumber: 1,
  result: { externalId: `x_${id}`, url: null },
  finishedAt: new Date(),
});

/** How a lane's accepted calls are grouped into writes (use-cases/accepted-outcomes.ts); no database. */
describe('accepted outcomes, grouped', () => {
  function recorder(answer: (ids: string[]) => Promise<Set<string>> = async (ids) => new Set(ids)) {
    const writes: string[][] = [];
    const failures: number[] = [];
    const outcomes = new AcceptedOutcomes(
      async (accepted) => {
        const ids = accepted.map((entry) => entry.target.id);
        writes.push(ids);
        return answer(ids);
      },
      (_error, count) => failures.push(count),
      { lingerMs: 20, maximumBatch: 3 },
    );
    return { outcomes, writes, failures };
  }

  it('calls that end together are written together; more than the maximum go in the next write', async () => {
    const { outcomes, writes } = recorder();
    const answers = await Promise.all(['a', 'b', 'c', 'd'].map((id) => outcomes.record(call(id))));
    expect(answers).toEqual([true, true, true, true]);
    expect(writes).toEqual([['a', 'b', 'c'], ['d']]);
  });

  it('a call that ends while a write runs waits for the next write, not a second one at the same time', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let running = 0;
    let overlapped = false;
    const { outcomes, writes } = recorder(async (ids) => {
      running += 1;
      if (running > 1) overlapped = true;
      if (ids.includes('a')) await held;
      running -= 1;
      return new Set(ids);
    });
    const first = outcomes.record(call('a'));
    while (writes.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const later = [outcomes.record(call('b')), outcomes.record(call('c'))];
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(writes).toEqual([['a']]);
    release();
    expect(await Promise.all([first, ...later])).toEqual([true, true, true]);
    expect(writes).toEqual([['a'], ['b', 'c']]);
    expect(overlapped).toBe(false);
  });

  it('answers "not recorded" for a call the write left alone, and for every call of a write that failed', async () => {
    let fail = false;
    const { outcomes, failures } = recorder(async (ids) => {
      if (fail) throw new Error('connection reset');
      return new Set(ids.filter((id) => id !== 'taken-over'));
    });
    expect(await Promise.all([outcomes.record(call('ok')), outcomes.record(call('taken-over'))])).toEqual([true, false]);
    fail = true;
    expect(await Promise.all([outcomes.record(call('x')), outcomes.record(call('y'))])).toEqual([false, false]);
    expect(failures).toEqual([2]);
  });
});

describe('accepted outcomes, written', () => {
  let t: TestApp;
  let tenants: PublishingTenant[];

  beforeAll(async () => {
    t = await createTestApp();
    tenants = [await createPublishingTenant(t), await createPublishingTenant(t)];
  });
  afterAll(() => t?.close());

  /** Targets of both tenants, due and claimed (their attempts started, as a lane's claim starts them). */
  async function claimTargets(perTenant: number): Promise<TargetRow[]> {
    const ids: string[] = [];
    for (const tenant of tenants) {
      for (let index = 0; index < perTenant; index += 1) {
        const target = await createTarget(t, tenant, { text: `Together ${index}` });
        await makeDue(t, target.id);
        ids.push(target.id);
      }
    }
    const claim = await withSystemAccess(t.kernel, 'test: dispatch', (tx) => dispatchDueTargets(t.kernel, tx));
    const mine = claim.started.filter((row) => ids.includes(row.id));
    // Anything else the claim started (this process's other tenants) goes out the usual way.
    for (const row of claim.started) if (!ids.includes(row.id)) await runStartedAttempt(t.kernel, row);
    expect(mine.map((row) => row.id).sort()).toEqual([...ids].sort());
    return mine;
  }

  it('publishes the accepted calls of several tenants in one write: attempts closed, transitions, events in each tenant, first snapshot due', async () => {
    const targets = await claimTargets(2);
    /** What each write published (all of them, not left to their own transactions). */
    const written: string[][] = [];
    const outcomes = new AcceptedOutcomes(
      async (accepted) => {
        const published = await withSystemAccess(t.kernel, 'test: record accepted posts', (tx) => markAcceptedPublished(tx, accepted));
        written.push([...published]);
        return published;
      },
      (error) => {
        throw error;
      },
      // Written when all four have ended, however far apart the calls end on a busy machine.
      { lingerMs: 60_000, maximumBatch: targets.length },
    );
    const results = await Promise.all(targets.map((target) => runStartedAttempt(t.kernel, target, undefined, outcomes)));
    expect(results).toEqual(targets.map(() => 'published'));
    expect(written.map((ids) => [...ids].sort())).toEqual([targets.map((target) => target.id).sort()]);

    for (const target of targets) {
      const tenant = tenants.find((candidate) => candidate.tenant.id === target.tenantId)!;
      const detail = await getTargetDetail(t, tenant, target.id);
      expect(detail.status).toBe('published');
      expect(detail.externalId).toMatch(/^sandbox_/);
      expect(detail.attempts).toEqual([expect.objectContaining({ attemptNumber: 1, outcome: 'published', errorKind: null, errorMessage: null })]);
      expect(detail.attempts[0]!.finishedAt).not.toBeNull();
      expect(detail.transitions.map((transition) => `${transition.from}→${transition.to}: ${transition.reason}`).slice(1)).toEqual([
        'scheduled→publishing: attempt 1 started',
        'publishing→published: attempt 1 accepted by sandbox',
      ]);
      const row = await readTargetRow(t, target.id);
      expect(row).toMatchObject({ dispatched_at: null, next_attempt_at: null, last_error: null, last_error_kind: null });
      expect(await countSandboxPosts(t, row.idempotency_key)).toBe(1);
      const first = await readFirstMetrics(t, target.id);
      expect(first.dueAt ?? first.jobRunAt).toEqual(new Date(first.publishedAt!.getTime() + 3600_000));
      const events = await t.owner.query(`SELECT tenant_id, payload FROM outbox_events WHERE type = 'publishing.target_published' AND payload->>'targetId' = $1`, [target.id]);
      expect(events.rows).toEqual([
        {
          tenant_id: target.tenantId,
          payload: { targetId: target.id, accountId: target.accountId, connectionId: target.connectionId, network: 'sandbox', status: 'published', externalId: detail.externalId },
        },
      ]);
    }
  });

  it('leaves a target the sweeper took over meanwhile to its own transaction, which records the late acceptance once', async () => {
    const [taken, other] = await claimTargets(1);
    // The sweeper's verdict while the call ran: the attempt timed out, its outcome unknown.
    await t.owner.query(
      `WITH closed AS (UPDATE publish_attempts SET finished_at = now(), outcome = 'unknown_outcome' WHERE target_id = $1 AND attempt_number = 1)
       UPDATE publish_targets SET status = 'unconfirmed' WHERE id = $1`,
      [taken!.id],
    );
    const batched: string[] = [];
    const outcomes = new AcceptedOutcomes(
      async (accepted) => {
        const published = await withSystemAccess(t.kernel, 'test: record accepted posts', (tx) => markAcceptedPublished(tx, accepted));
        batched.push(...published);
        return published;
      },
      (error) => {
        throw error;
      },
      { lingerMs: 60_000, maximumBatch: 2 },
    );
    expect(await Promise.all([taken!, other!].map((target) => runStartedAttempt(t.kernel, target, undefined, outcomes)))).toEqual(['published', 'published']);
    expect(batched).toEqual([other!.id]);
    const attempts = await t.owner.query('SELECT attempt_number, outcome, error_message FROM publish_attempts WHERE target_id = $1', [taken!.id]);
    expect(attempts.rows).toEqual([{ attempt_number: 1, outcome: 'published', error_message: 'Accepted by the network after the attempt timed out.' }]);
    const transitions = await t.owner.query(`SELECT from_status, to_status FROM publish_target_transitions WHERE target_id = $1 AND to_status = 'published'`, [taken!.id]);
    expect(transitions.rows).toEqual([{ from_status: 'unconfirmed', to_status: 'published' }]);
    for (const target of [taken!, other!]) expect((await readTargetRow(t, target.id)).status).toBe('published');
  });
});
