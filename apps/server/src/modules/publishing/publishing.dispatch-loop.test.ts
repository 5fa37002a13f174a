import { describe, expect, it } from 'vitest';
import { nextLaneStep } from './use-cases/lane.js';

/** How a running publishing lane paces itself between claims (use-cases/lane.ts); pure, no database. */
describe('publishing lane pacing', () => {
  const now = Date.parse('2026-11-23T12:00:00.000Z');
  const claimed = (count: number) => Array.from({ length: count }, (_, index) => ({ id: `t${index}`, tenantId: 'a', network: 'x', tenantRank: 1 }));
  const dueIn = (ms: number | null) => (ms === null ? null : new Date(now + ms));
  const step = (result: { claimed: number; remaining: number; nextDueAt: Date | null }, input: { requested: number; inFlight?: number; lookaheadMs?: number }) =>
    nextLaneStep({ ...result, claimed: claimed(result.claimed) }, { now, inFlight: input.inFlight ?? 0, lookaheadMs: input.lookaheadMs ?? 1000, requested: input.requested });

  it('waits for a slot after taking all it asked for: more may be claimable as soon as a call ends', () => {
    expect(step({ claimed: 32, remaining: 500, nextDueAt: null }, { requested: 32, inFlight: 32 })).toEqual({ wait: 'slot' });
    expect(step({ claimed: 4, remaining: 0, nextDueAt: null }, { requested: 4, inFlight: 32 })).toEqual({ wait: 'slot' });
  });

  it('waits for a post coming due within the look-ahead until its time', () => {
    expect(step({ claimed: 3, remaining: 0, nextDueAt: dueIn(650) }, { requested: 32 })).toEqual({ wait: 'time', ms: 650 });
    expect(step({ claimed: 0, remaining: 0, nextDueAt: dueIn(0) }, { requested: 32 })).toEqual({ wait: 'time', ms: 0 });
  });

  it('stops when the next post is further away, or with no look-ahead (tests): the wake-up job queued for it takes over', () => {
    expect(step({ claimed: 3, remaining: 0, nextDueAt: dueIn(1500) }, { requested: 32 })).toBeNull();
    expect(step({ claimed: 0, remaining: 0, nextDueAt: null }, { requested: 32 })).toBeNull();
    expect(step({ claimed: 3, remaining: 0, nextDueAt: dueIn(650) }, { requested: 32, lookaheadMs: 0 })).toBeNull();
  });

  it('looks again every 100 ms while targets wait for capacity its own calls are using', () => {
    expect(step({ claimed: 12, remaining: 40, nextDueAt: null }, { requested: 32 })).toEqual({ wait: 'time', ms: 100 });
    expect(step({ claimed: 0, remaining: 40, nextDueAt: dueIn(900) }, { requested: 20, inFlight: 12 })).toEqual({ wait: 'time', ms: 100 });
  });

  it('stops when targets wait for capacity held elsewhere and it has nothing in flight: the delayed fallback run takes over', () => {
    expect(step({ claimed: 0, remaining: 40, nextDueAt: null }, { requested: 32 })).toBeNull();
  });
});
