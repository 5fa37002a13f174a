import { describe, expect, it } from 'vitest';
import { nextDispatchPauseMs } from './use-cases/dispatch.js';

/** How a running dispatcher paces itself between runs (runDispatcher); pure, no database. */
describe('dispatcher pacing', () => {
  const now = Date.parse('2026-11-23T12:00:00.000Z');
  const batch = 200;
  const claimed = (count: number) => Array.from({ length: count }, (_, index) => ({ id: `t${index}`, tenantId: 'a', network: 'x', tenantRank: 1 }));
  const dueIn = (ms: number | null) => (ms === null ? null : new Date(now + ms));

  it('runs again at once after a full batch: more is claimable right now', () => {
    expect(nextDispatchPauseMs({ claimed: claimed(batch), remaining: 500, nextDueAt: null }, batch, now)).toBe(0);
  });

  it('waits for a post coming due within a second until its time, but runs at most every 100 ms', () => {
    expect(nextDispatchPauseMs({ claimed: claimed(3), remaining: 0, nextDueAt: dueIn(650) }, batch, now)).toBe(650);
    expect(nextDispatchPauseMs({ claimed: claimed(3), remaining: 0, nextDueAt: dueIn(5) }, batch, now)).toBe(100);
  });

  it('stops when the next post is further away: the wake-up job queued for it takes over, nothing polls', () => {
    expect(nextDispatchPauseMs({ claimed: claimed(3), remaining: 0, nextDueAt: dueIn(1500) }, batch, now)).toBeNull();
    expect(nextDispatchPauseMs({ claimed: [], remaining: 0, nextDueAt: null }, batch, now)).toBeNull();
  });

  it('looks again every 100 ms while targets wait for capacity and the last run still claimed some', () => {
    expect(nextDispatchPauseMs({ claimed: claimed(12), remaining: 40, nextDueAt: null }, batch, now)).toBe(100);
    expect(nextDispatchPauseMs({ claimed: claimed(12), remaining: 40, nextDueAt: dueIn(900) }, batch, now)).toBe(100);
  });

  it('stops when targets wait for capacity but nothing could be claimed: the delayed fallback run takes over', () => {
    expect(nextDispatchPauseMs({ claimed: [], remaining: 40, nextDueAt: null }, batch, now)).toBeNull();
  });
});
