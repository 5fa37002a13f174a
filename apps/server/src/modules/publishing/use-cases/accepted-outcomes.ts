import type { Tx } from '../../../kernel/db/database.js';
import { withSystemAccess } from '../../../kernel/db/tenancy.js';
import type { Kernel } from '../../../kernel/kernel.js';
import { markAcceptedPublished, type AcceptedCall } from './outcomes.js';

/**
 * The outcomes of a lane's accepted calls, written together: a call the network accepted waits up to
 * lingerMs for others, then one transaction publishes them all (markAcceptedPublished: one statement for
 * the targets, attempts and transitions, one for the events and the one job that delivers them). During a
 * burst, a transaction per few dozen posts instead of one per post, each with its own five round trips
 * and commit.
 *
 * What is recorded is the same as runStartedAttempt's own transaction records, and exactly-once does not
 * change: the attempt row with the idempotency key was committed before the call; if this process dies
 * before the write, the attempt stays open and the sweeper reconciles it (looks the post up) as it would
 * after a crash between call and outcome. published_at is when the network's answer came, not the write.
 * A call whose target is no longer publishing on that attempt (the sweeper took over meanwhile), and every
 * call of a write that failed, is answered "not recorded": the caller records it on its own.
 *
 * One write at a time per lane: calls that end during a write wait for the next.
 */
export class AcceptedOutcomes {
  private pending: Array<AcceptedCall & { recorded: (published: boolean) => void }> = [];
  private timer: NodeJS.Timeout | null = null;
  private writing = false;

  constructor(
    private readonly write: (accepted: AcceptedCall[]) => Promise<Set<string>>,
    private readonly onWriteFailed: (error: unknown, count: number) => void,
    private readonly options: { lingerMs: number; maximumBatch: number } = acceptedOutcomesBatching,
  ) {}

  /** True once the call's outcome is committed as published; false: record it on its own. */
  record(call: AcceptedCall): Promise<boolean> {
    return new Promise((resolve) => {
      this.pending.push({ ...call, recorded: resolve });
      if (this.pending.length >= this.options.maximumBatch && this.timer && !this.writing) {
        clearTimeout(this.timer);
        this.timer = null;
      }
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.writing || this.timer || this.pending.length === 0) return;
    const delay = this.pending.length >= this.options.maximumBatch ? 0 : this.options.lingerMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, delay);
  }

  private async flush(): Promise<void> {
    this.writing = true;
    const batch = this.pending.splice(0, this.options.maximumBatch);
    let published = new Set<string>();
    try {
      published = await this.write(batch);
    } catch (error) {
      this.onWriteFailed(error, batch.length);
    } finally {
      this.writing = false;
    }
    for (const call of batch) call.recorded(published.has(call.target.id));
    this.schedule();
  }
}

/**
 * How long an accepted call waits for others before its outcome is written, and how many are written at
 * most in one transaction. The wait holds the call's lane slot, not the post: it is on the network already.
 */
export const acceptedOutcomesBatching = { lingerMs: 50, maximumBatch: 100 };

/**
 * A lane's batcher (the lane's current job context, for its logger): writes under system access, as the
 * lane's claim does, since a lane's targets are any tenant's.
 */
export function acceptedOutcomesFor(kernel: () => Kernel): AcceptedOutcomes {
  return new AcceptedOutcomes(
    (accepted) => withSystemAccess(kernel(), 'publishing: record accepted posts', (tx: Tx) => markAcceptedPublished(tx, accepted)),
    (error, count) => kernel().logger.warn({ err: error, count }, 'could not record accepted posts together; recording them one by one'),
  );
}
