import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeJob } from '../../kernel/jobs/jobs.js';
import { dispatchAndDrain, findQueuedJob, makeDue } from '../../../test/factories/publishing.js';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';

/**
 * Recurring posts through the HTTP API and the real jobs: rules are checked (422 with the reason), expanded
 * in the wall-clock time of their zone (09:00 Berlin stays 09:00 across both DST changes), materialized up
 * to the horizon and extended by the daily job without duplicates; editing the rule of a running series
 * replaces only its future occurrences; the preview shows the next occurrences.
 */
describe('content: recurring posts', () => {
  let t: TestApp;
  let wider: TestApp;
  let owner: RegisteredTenant;
  let feed: string;

  const hourMs = 3_600_000;
  const dayMs = 24 * hourMs;
  const sandbox = async (tenant: RegisteredTenant, name: string) =>
    (await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: tenant.token, payload: { name } })).json().id as string;
  const create = (token: string, payload: Record<string, unknown>) => request(t.app, { method: 'POST', url: '/api/content/posts', token, payload });
  const schedule = (token: string, id: string, at?: string) =>
    request(t.app, { method: 'POST', url: `/api/content/posts/${id}/schedule`, token, payload: { ...(at ? { at } : {}), acknowledgeConflicts: true } });
  const getPost = async (id: string, token = owner.token) => (await request(t.app, { url: `/api/content/posts/${id}`, token })).json();
  const preview = (payload: Record<string, unknown>, token = owner.token) => request(t.app, { method: 'POST', url: '/api/content/recurrence/preview', token, payload });
  const occurrencesOf = async (postId: string) =>
    (await t.owner.query<{ id: string; occurs_at: Date; status: string }>(`SELECT id, occurs_at, status FROM post_occurrences WHERE post_id = $1 ORDER BY occurs_at`, [postId])).rows;
  const targetsOf = async (postId: string) =>
    (
      await t.owner.query<{ target_id: string; occurrence_id: string; status: string; scheduled_at: Date }>(
        `SELECT pt.target_id, pt.occurrence_id, p.status, p.scheduled_at FROM post_targets pt JOIN publish_targets p ON p.id = pt.target_id WHERE pt.post_id = $1 ORDER BY p.scheduled_at`,
        [postId],
      )
    ).rows;
  /** A new tenant's series starting in two hours (whole minute, UTC), scheduled onto its sandbox feed. */
  const scheduledSeries = async (baseText: string, rule: string) => {
    const tenant = await registerTenant(t.app);
    const destinations = [await sandbox(tenant, `${baseText} feed`)];
    const start = new Date(Math.floor((Date.now() + 2 * hourMs) / 60_000) * 60_000);
    const created = await create(tenant.token, { baseText, destinations, plannedAt: start.toISOString(), recurrence: { rule, timeZone: 'UTC' } });
    const postId = created.json().id as string;
    expect((await schedule(tenant.token, postId)).statusCode).toBe(200);
    return { tenant, postId, start, body: { baseText, destinations, plannedAt: start.toISOString() } };
  };
  /** What a Berlin clock shows at an instant, "YYYY-MM-DD HH:mm". */
  const berlin = (at: Date | string) => new Date(at).toLocaleString('sv-SE', { timeZone: 'Europe/Berlin' }).slice(0, 16);

  beforeAll(async () => {
    t = await createTestApp({ CONTENT_RECURRENCE_HORIZON_DAYS: '10' });
    wider = await createTestApp({ CONTENT_RECURRENCE_HORIZON_DAYS: '20' });
    owner = await registerTenant(t.app);
    feed = await sandbox(owner, 'Bakery feed');
  });
  afterAll(async () => {
    await t?.close();
    await wider?.close();
  });

  it('keeps 09:00 Berlin across the spring-forward change, for a COUNT series scheduled onto targets', async () => {
    // Berlin moves from CET (+1) to CEST (+2) on Sunday 28 March 2027.
    const created = await create(owner.token, {
      baseText: 'Fresh bread daily',
      destinations: [feed],
      plannedAt: '2027-03-25T08:00:00Z',
      recurrence: { rule: 'FREQ=DAILY;COUNT=6', timeZone: 'Europe/Berlin' },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json().recurrence).toEqual({ rule: 'FREQ=DAILY;COUNT=6', timeZone: 'Europe/Berlin' });
    const scheduled = await schedule(owner.token, created.json().id);
    expect(scheduled.statusCode, scheduled.body).toBe(200);
    const occurrences = scheduled.json().occurrences as Array<{ occursAt: string; sequence: number; status: string }>;
    expect(occurrences.map((occurrence) => occurrence.occursAt)).toEqual([
      '2027-03-25T08:00:00.000Z',
      '2027-03-26T08:00:00.000Z',
      '2027-03-27T08:00:00.000Z',
      '2027-03-28T07:00:00.000Z',
      '2027-03-29T07:00:00.000Z',
      '2027-03-30T07:00:00.000Z',
    ]);
    expect(occurrences.map((occurrence) => berlin(occurrence.occursAt).slice(11))).toEqual(Array(6).fill('09:00'));
    expect(occurrences.map((occurrence) => occurrence.sequence)).toEqual([0, 1, 2, 3, 4, 5]);
    const targets = await targetsOf(created.json().id);
    expect(targets.map((target) => new Date(target.scheduled_at).toISOString())).toEqual(occurrences.map((occurrence) => occurrence.occursAt));
    expect(targets.every((target) => target.status === 'scheduled')).toBe(true);
  });

  it('keeps 09:00 Berlin across the fall-back change, and moves a time in the spring-forward gap forward (preview)', async () => {
    const fallBack = await preview({ rule: 'FREQ=DAILY;COUNT=4', timeZone: 'Europe/Berlin', startsAt: '2027-10-29T07:00:00Z', limit: 4 });
    expect(fallBack.statusCode, fallBack.body).toBe(200);
    expect(fallBack.json()).toEqual({
      occurrences: [
        { at: '2027-10-29T07:00:00.000Z', local: '2027-10-29T09:00' },
        { at: '2027-10-30T07:00:00.000Z', local: '2027-10-30T09:00' },
        { at: '2027-10-31T08:00:00.000Z', local: '2027-10-31T09:00' },
        { at: '2027-11-01T08:00:00.000Z', local: '2027-11-01T09:00' },
      ],
      total: 4,
      endsAt: '2027-11-01T08:00:00.000Z',
    });
    // 02:30 does not exist in Berlin on 28 March 2027: that occurrence is at 03:30 CEST.
    const gap = await preview({ rule: 'FREQ=DAILY;COUNT=3', timeZone: 'Europe/Berlin', startsAt: '2027-03-27T01:30:00Z' });
    expect(gap.json().occurrences.map((item: { local: string }) => item.local)).toEqual(['2027-03-27T02:30', '2027-03-28T03:30', '2027-03-29T02:30']);
  });

  it('previews COUNT and UNTIL series (total, end) and an open-ended one (no total), up to the limit', async () => {
    const weekly = await preview({ rule: 'RRULE:FREQ=WEEKLY;BYDAY=TU,TH;COUNT=5', timeZone: 'Europe/Berlin', startsAt: '2027-01-05T08:00:00Z', limit: 3 });
    expect(weekly.json()).toEqual({
      occurrences: [
        { at: '2027-01-05T08:00:00.000Z', local: '2027-01-05T09:00' },
        { at: '2027-01-07T08:00:00.000Z', local: '2027-01-07T09:00' },
        { at: '2027-01-12T08:00:00.000Z', local: '2027-01-12T09:00' },
      ],
      total: 5,
      endsAt: '2027-01-19T08:00:00.000Z',
    });
    // A date-only UNTIL includes that day, read on the zone's clock.
    const until = await preview({ rule: 'FREQ=DAILY;UNTIL=20270110', timeZone: 'America/New_York', startsAt: '2027-01-05T14:00:00Z' });
    expect(until.json()).toMatchObject({ total: 6, endsAt: '2027-01-10T14:00:00.000Z' });
    const untilInstant = await preview({ rule: 'FREQ=DAILY;UNTIL=20270107T140000Z', timeZone: 'America/New_York', startsAt: '2027-01-05T14:00:00Z' });
    expect(untilInstant.json()).toMatchObject({ total: 3, endsAt: '2027-01-07T14:00:00.000Z' });
    const open = await preview({ rule: 'FREQ=MONTHLY;BYMONTHDAY=1', timeZone: 'UTC', startsAt: '2027-01-01T10:00:00Z', limit: 20 });
    expect(open.json()).toMatchObject({ total: null, endsAt: null });
    expect(open.json().occurrences).toHaveLength(20);
    expect((await preview({ rule: 'FREQ=DAILY', timeZone: 'UTC', startsAt: '2027-01-01T10:00:00Z', limit: 21 })).statusCode).toBe(400);
  });

  it('refuses each invalid recurrence with 422 content.recurrence_invalid and the reason, creating nothing', async () => {
    const startsAt = new Date(Date.now() + dayMs).toISOString();
    const threeYears = new Date(Date.now() + 3 * 365 * dayMs).toISOString().slice(0, 10).replaceAll('-', '');
    const cases: Array<[string, string]> = [
      ['FREQ=MINUTELY;COUNT=10', 'hourly'],
      ['DTSTART=20270101T090000;FREQ=DAILY', 'DTSTART'],
      ['FREQ=DAILY;TZID=Europe/Berlin', 'TZID'],
      ['FREQ=DAILY;COUNT=501', '500'],
      [`FREQ=DAILY;UNTIL=${threeYears}`, '2 years'],
      ['FREQ=DAILY;UNTIL=20200101', 'no occurrence'],
      ['FREQ=HOURLY', '500'],
      ['BYDAY=MO', 'FREQ'],
      ['FREQ=WEEKLY;BYDAY=XX', 'BYDAY'],
      ['FREQ=DAILY;COLOR=RED', 'COLOR'],
      ['FREQ=DAILY;BYHOUR=24', 'out of range'],
      ['FREQ=MONTHLY;BYMONTH=2;BYMONTHDAY=30', 'no chosen month'],
      ['FREQ=DAILY;INTERVAL=14;BYDAY=MO', 'FREQ=WEEKLY'],
      ['FREQ=DAILY;BYMONTHDAY=5', 'monthly and yearly'],
      ['FREQ=MONTHLY;BYSETPOS=0;BYDAY=MO', 'out of range'],
    ];
    const before = (await request(t.app, { url: '/api/content/posts', token: owner.token })).json().total;
    for (const [rule, reason] of cases) {
      const refused = await create(owner.token, { baseText: `Rule ${rule}`, destinations: [feed], plannedAt: startsAt, recurrence: { rule, timeZone: 'Europe/Berlin' } });
      expect(refused.statusCode, rule).toBe(422);
      expect(refused.json().code, rule).toBe('content.recurrence_invalid');
      expect(refused.json().detail, rule).toContain(reason);
      const previewed = await preview({ rule, timeZone: 'Europe/Berlin', startsAt });
      expect(previewed.statusCode, rule).toBe(422);
    }
    const zone = await preview({ rule: 'FREQ=DAILY', timeZone: 'Mars/Olympus', startsAt });
    expect(zone.statusCode).toBe(422);
    expect(zone.json().detail).toContain('Mars/Olympus');
    const ab = await create(owner.token, {
      baseText: 'A/B and repeat',
      destinations: [feed],
      plannedAt: startsAt,
      ab: { network: 'sandbox', gapMinutes: 60 },
      variants: [{ network: 'sandbox', abLabel: 'A', text: 'One' }, { network: 'sandbox', abLabel: 'B', text: 'Two' }],
      recurrence: { rule: 'FREQ=WEEKLY', timeZone: 'Europe/Berlin' },
    });
    expect(ab.statusCode).toBe(422);
    expect(ab.json()).toMatchObject({ code: 'content.recurrence_invalid' });
    expect(ab.json().detail).toContain('A/B');
    expect((await request(t.app, { url: '/api/content/posts', token: owner.token })).json().total).toBe(before);
  });

  it('materializes an open-ended series up to the horizon and extends it daily without duplicates (job per tenant, keyed by date)', async () => {
    const tenant = await registerTenant(t.app);
    const tenantFeed = await sandbox(tenant, 'Daily feed');
    const start = new Date(Date.now() + 2 * hourMs);
    start.setUTCSeconds(0, 0);
    const created = await create(tenant.token, { baseText: 'Every day', destinations: [tenantFeed], plannedAt: start.toISOString(), recurrence: { rule: 'FREQ=DAILY', timeZone: 'Europe/Berlin' } });
    expect(created.statusCode, created.body).toBe(201);
    const postId = created.json().id;
    expect((await schedule(tenant.token, postId)).statusCode).toBe(200);
    // Horizon 10 days after the start: the start and 10 more days.
    expect(await occurrencesOf(postId)).toHaveLength(11);

    // A day later the horizon reaches further: the worker with a 20-day horizon runs the daily cron job.
    const cron = wider.jobs.get('content.extend-recurrences')!;
    const runCron = async () => {
      await executeJob(wider.kernel, cron, { tenantId: null, data: {} }, { jobId: 'test-cron', attempt: 1 });
    };
    await runCron();
    const key = `recur:${tenant.tenant.id}:${new Date().toISOString().slice(0, 10)}`;
    expect(await findQueuedJob(t, key)).toMatchObject({ task: 'content.extend-recurrences' });
    await wider.drainJobs();
    const extended = await occurrencesOf(postId);
    expect(extended.length).toBeGreaterThanOrEqual(20);
    expect(extended.length).toBeLessThanOrEqual(21);
    const lastExpected = Date.now() + 20 * dayMs;
    expect(new Date(extended.at(-1)!.occurs_at).getTime()).toBeLessThanOrEqual(lastExpected);
    expect(extended.every((occurrence) => berlin(occurrence.occurs_at).slice(11) === berlin(start).slice(11))).toBe(true);
    expect(await targetsOf(postId)).toHaveLength(extended.length);

    // The same day again, and a repeat run: nothing new.
    await runCron();
    await wider.drainJobs();
    await executeJob(wider.kernel, cron, { tenantId: tenant.tenant.id, data: {} }, { jobId: 'test-tenant', attempt: 1 });
    const again = await occurrencesOf(postId);
    expect(again.map((occurrence) => occurrence.id)).toEqual(extended.map((occurrence) => occurrence.id));
    expect(await targetsOf(postId)).toHaveLength(extended.length);
    expect((await getPost(postId, tenant.token)).status).toBe('scheduled');
  });

  it('does not make a moved last occurrence again: the job goes on from the stored materialized-up-to marker', async () => {
    const { tenant, postId, start } = await scheduledSeries('Weekly tips', 'FREQ=WEEKLY');
    // Horizon 10 days: the start and a week later.
    const materialized = await occurrencesOf(postId);
    expect(materialized.map((occurrence) => occurrence.occurs_at.getTime() - start.getTime())).toEqual([0, 7 * dayMs]);
    const marker = async () => (await t.owner.query<{ until: Date }>(`SELECT recurrence_materialized_until AS until FROM posts WHERE id = $1`, [postId])).rows[0]!.until;
    expect((await marker()).getTime()).toBe(start.getTime() + 7 * dayMs);

    // A person moves the last materialized occurrence a day earlier.
    const moved = await request(t.app, {
      method: 'POST',
      url: `/api/content/posts/${postId}/reschedule`,
      token: tenant.token,
      payload: { occurrenceId: materialized[1]!.id, at: new Date(start.getTime() + 6 * dayMs).toISOString(), acknowledgeConflicts: true },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect((await marker()).getTime()).toBe(start.getTime() + 7 * dayMs);

    // The daily job with a 20-day horizon: the week-2 instant is added, the moved one is not made again.
    await executeJob(wider.kernel, wider.jobs.get('content.extend-recurrences')!, { tenantId: tenant.tenant.id, data: {} }, { jobId: 'test-moved', attempt: 1 });
    const extended = await occurrencesOf(postId);
    expect(extended.map((occurrence) => [occurrence.occurs_at.getTime() - start.getTime(), occurrence.status])).toEqual([
      [0, 'scheduled'],
      [6 * dayMs, 'scheduled'],
      [14 * dayMs, 'scheduled'],
    ]);
    expect((await marker()).getTime()).toBe(start.getTime() + 14 * dayMs);
    expect(await targetsOf(postId)).toHaveLength(3);
  });

  it('replaces only the future occurrences when the rule of a running series changes; the published one stays', async () => {
    const tenant = await registerTenant(t.app);
    const tenantFeed = await sandbox(tenant, 'Series feed');
    const start = new Date(Date.now() + hourMs);
    start.setUTCSeconds(0, 0);
    const body = { baseText: 'Our daily special', destinations: [tenantFeed], recurrence: { rule: 'FREQ=DAILY', timeZone: 'UTC' } };
    const created = await create(tenant.token, { ...body, plannedAt: start.toISOString() });
    const postId = created.json().id;
    expect((await schedule(tenant.token, postId)).statusCode).toBe(200);
    // Time passes: the series started a day ago (everything moves back by one day) and its first occurrence went out.
    await t.owner.query(`UPDATE posts SET planned_at = planned_at - interval '1 day' WHERE id = $1`, [postId]);
    await t.owner.query(`UPDATE post_occurrences SET occurs_at = occurs_at - interval '1 day' WHERE post_id = $1`, [postId]);
    await t.owner.query(`UPDATE post_targets SET scheduled_at = scheduled_at - interval '1 day' WHERE post_id = $1`, [postId]);
    await t.owner.query(`UPDATE publish_targets SET scheduled_at = scheduled_at - interval '1 day', next_attempt_at = next_attempt_at - interval '1 day' WHERE id IN (SELECT target_id FROM post_targets WHERE post_id = $1)`, [postId]);
    const [first] = await targetsOf(postId);
    await makeDue(t, first!.target_id);
    await dispatchAndDrain(t, first!.target_id);
    for (let round = 0; round < 40 && (await occurrencesOf(postId))[0]!.status !== 'published'; round += 1) await t.drainJobs();
    const before = await occurrencesOf(postId);
    expect(before[0]!.status).toBe('published');
    const seriesStart = new Date(before[0]!.occurs_at).getTime();

    const post = await getPost(postId, tenant.token);
    const edited = await request(t.app, {
      method: 'PATCH',
      url: `/api/content/posts/${postId}`,
      token: tenant.token,
      payload: { ...body, plannedAt: post.plannedAt, recurrence: { rule: 'FREQ=DAILY;INTERVAL=2', timeZone: 'UTC' }, expectedRevision: post.currentRevision },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ status: 'scheduled', recurrence: { rule: 'FREQ=DAILY;INTERVAL=2' } });

    const after = await occurrencesOf(postId);
    expect(after.find((occurrence) => occurrence.id === before[0]!.id)).toMatchObject({ status: 'published' });
    const live = after.filter((occurrence) => occurrence.status === 'scheduled').map((occurrence) => (new Date(occurrence.occurs_at).getTime() - seriesStart) / dayMs);
    // Every other day from the start, up to 10 days from now (the start was ~23 h ago).
    expect(live).toEqual([2, 4, 6, 8, 10]);
    const cancelled = after.filter((occurrence) => occurrence.status === 'cancelled').map((occurrence) => (new Date(occurrence.occurs_at).getTime() - seriesStart) / dayMs);
    expect(cancelled).toEqual([1, 3, 5, 7, 9]);
    const targets = await targetsOf(postId);
    expect(targets.find((target) => target.target_id === first!.target_id)?.status).toBe('published');
    const liveIds = new Set(after.filter((occurrence) => occurrence.status === 'scheduled').map((occurrence) => occurrence.id));
    expect(targets.filter((target) => liveIds.has(target.occurrence_id)).map((target) => target.status)).toEqual(Array(5).fill('scheduled'));
    expect(targets.filter((target) => !liveIds.has(target.occurrence_id) && target.target_id !== first!.target_id).every((target) => target.status === 'cancelled')).toBe(true);

    // Dropping the recurrence of a started series is refused; nothing changes.
    const dropped = await request(t.app, {
      method: 'PATCH',
      url: `/api/content/posts/${postId}`,
      token: tenant.token,
      payload: { ...body, plannedAt: post.plannedAt, recurrence: null, expectedRevision: edited.json().currentRevision },
    });
    expect(dropped.statusCode).toBe(409);
    expect(dropped.json().code).toBe('content.series_started');
    expect((await occurrencesOf(postId)).map((occurrence) => occurrence.status)).toEqual(after.map((occurrence) => occurrence.status));
  });

  it('keeps the rule in revisions: the diff shows a rule change and restore sets the old rule back on the running series', async () => {
    const { tenant, postId, start, body } = await scheduledSeries('Tips of the week', 'FREQ=WEEKLY');
    const edited = await request(t.app, {
      method: 'PATCH',
      url: `/api/content/posts/${postId}`,
      token: tenant.token,
      payload: { ...body, recurrence: { rule: 'FREQ=DAILY;INTERVAL=2', timeZone: 'UTC' }, expectedRevision: 1 },
    });
    expect(edited.statusCode, edited.body).toBe(200);
    const live = async () => (await occurrencesOf(postId)).filter((occurrence) => occurrence.status === 'scheduled').map((occurrence) => (occurrence.occurs_at.getTime() - start.getTime()) / dayMs);
    // Re-made up to the horizon from now (the start is 2 h ahead).
    expect(await live()).toEqual([0, 2, 4, 6, 8]);

    const revision = async (number: number) => (await request(t.app, { url: `/api/content/posts/${postId}/revisions/${number}`, token: tenant.token })).json().snapshot;
    expect((await revision(1)).recurrence).toEqual({ rule: 'FREQ=WEEKLY', timeZone: 'UTC' });
    type Field = { field: string; changes: Array<{ op: string; text: string }> };
    const diffOf = async (number: number) => (await request(t.app, { url: `/api/content/posts/${postId}/revisions/${number}/diff`, token: tenant.token })).json().fields as Field[];
    const sides = (field: Field | undefined) => field && [field.changes.filter((change) => change.op !== 'insert'), field.changes.filter((change) => change.op !== 'delete')].map((side) => side.map((change) => change.text).join(''));
    expect((await diffOf(2)).map((field) => field.field)).toEqual(['recurrence']);
    expect(sides((await diffOf(2)).find((field) => field.field === 'recurrence'))).toEqual(['FREQ=WEEKLY (UTC)', 'FREQ=DAILY;INTERVAL=2 (UTC)']);

    // Restoring revision 1 sets the weekly rule back, as an edit would: the future occurrences follow it.
    const restored = await request(t.app, { method: 'POST', url: `/api/content/posts/${postId}/revisions/1/restore`, token: tenant.token, payload: { expectedRevision: 2 } });
    expect(restored.statusCode, restored.body).toBe(200);
    expect(restored.json()).toMatchObject({ currentRevision: 3, status: 'scheduled', recurrence: { rule: 'FREQ=WEEKLY', timeZone: 'UTC' } });
    expect(await live()).toEqual([0, 7]);
    expect((await revision(3)).recurrence).toEqual({ rule: 'FREQ=WEEKLY', timeZone: 'UTC' });
    expect(sides((await diffOf(3)).find((field) => field.field === 'recurrence'))).toEqual(['FREQ=DAILY;INTERVAL=2 (UTC)', 'FREQ=WEEKLY (UTC)']);

    // A snapshot from before revisions kept the rule: no diff for it, and restoring it leaves the rule alone.
    await t.owner.query(`UPDATE post_revisions SET snapshot = snapshot - 'recurrence' WHERE post_id = $1 AND number = 2`, [postId]);
    expect((await revision(2)).recurrence).toBeUndefined();
    expect(await diffOf(2)).toEqual([]);
    const old = await request(t.app, { method: 'POST', url: `/api/content/posts/${postId}/revisions/2/restore`, token: tenant.token, payload: { expectedRevision: 3 } });
    expect(old.statusCode, old.body).toBe(200);
    expect(old.json()).toMatchObject({ currentRevision: 4, recurrence: { rule: 'FREQ=WEEKLY', timeZone: 'UTC' } });
    expect(await live()).toEqual([0, 7]);
    expect((await revision(4)).recurrence).toEqual({ rule: 'FREQ=WEEKLY', timeZone: 'UTC' });
  });

  it('keeps a series scheduled while it runs and marks it published once its last occurrence is out', async () => {
    const tenant = await registerTenant(t.app);
    const tenantFeed = await sandbox(tenant, 'Twice feed');
    const created = await create(tenant.token, { baseText: 'Twice only', destinations: [tenantFeed], plannedAt: new Date(Date.now() + hourMs).toISOString(), recurrence: { rule: 'FREQ=DAILY;COUNT=2', timeZone: 'UTC' } });
    const postId = created.json().id;
    expect((await schedule(tenant.token, postId)).statusCode).toBe(200);
    // The planned time has milliseconds: the first occurrence is still at the planned second.
    expect((await occurrencesOf(postId)).map((occurrence) => occurrence.occurs_at.getTime() - Math.floor(new Date(created.json().plannedAt).getTime() / 1000) * 1000)).toEqual([0, dayMs]);
    const [first, second] = await targetsOf(postId);
    const extend = async () => executeJob(t.kernel, t.jobs.get('content.extend-recurrences')!, { tenantId: tenant.tenant.id, data: {} }, { jobId: 'test-finish', attempt: 1 });
    await makeDue(t, first!.target_id);
    await dispatchAndDrain(t, first!.target_id);
    await t.drainJobs();
    await extend();
    expect((await getPost(postId, tenant.token)).status).toBe('scheduled');
    await makeDue(t, second!.target_id);
    await dispatchAndDrain(t, second!.target_id);
    for (let round = 0; round < 40 && (await occurrencesOf(postId)).some((occurrence) => occurrence.status !== 'published'); round += 1) await t.drainJobs();
    await extend();
    expect(await getPost(postId, tenant.token)).toMatchObject({ status: 'published', occurrences: [expect.objectContaining({ status: 'published' }), expect.objectContaining({ status: 'published' })] });
  });

  it('lets a contributor preview but not schedule a series', async () => {
    const contributor = await addMember(t, owner.token, { role: 'contributor', accountId: owner.accountId });
    const previewed = await preview({ rule: 'FREQ=WEEKLY', timeZone: 'UTC', startsAt: '2027-02-01T09:00:00Z', limit: 2 }, contributor.token);
    expect(previewed.statusCode).toBe(200);
    const created = await create(contributor.token, { baseText: 'Weekly tips', destinations: [feed], plannedAt: new Date(Date.now() + dayMs).toISOString(), recurrence: { rule: 'FREQ=WEEKLY;COUNT=3', timeZone: 'UTC' } });
    expect(created.statusCode).toBe(201);
    expect((await schedule(contributor.token, created.json().id)).statusCode).toBe(403);
    expect(await occurrencesOf(created.json().id)).toEqual([]);
  });
});
