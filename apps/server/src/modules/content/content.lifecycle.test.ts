import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchAndDrain, makeDue } from '../../../test/factories/publishing.js';
import { addMember, registerTenant, type RegisteredTenant } from '../../../test/factories/tenancy.js';
import { createTestApp, request, type TestApp } from '../../../test/harness.js';

/**
 * The post lifecycle against the real approvals and publishing modules: contributors submit and never
 * schedule; an approval schedules a planned post (client stage when required); an edit supersedes the
 * request and kills its client link; scheduling makes one target per variant per connection (A/B: two, the
 * gap apart); edits of a scheduled post revise its targets (409 once part is out, unless applied to the
 * rest); reschedule, unschedule; conflicts (gap, daily cap in the account zone, network window); the
 * occurrence and the post follow publishing's events.
 */
describe('content: review, scheduling and publishing targets', () => {
  let t: TestApp;
  let owner: RegisteredTenant;
  let editor: { token: string; userId: string };
  let contributor: { token: string; userId: string };
  let feedA: string;
  let feedB: string;

  const inMinutes = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();
  const sandbox = async (tenant: RegisteredTenant, name: string) =>
    (await request(t.app, { method: 'POST', url: '/api/social/connections/sandbox', token: tenant.token, payload: { name } })).json().id as string;
  const createPost = async (token: string, payload: Record<string, unknown>) => {
    const response = await request(t.app, { method: 'POST', url: '/api/content/posts', token, payload });
    expect(response.statusCode, response.body).toBe(201);
    return response.json();
  };
  const post = (token: string, id: string, action: string, payload?: Record<string, unknown>) =>
    request(t.app, { method: 'POST', url: `/api/content/posts/${id}/${action}`, token, ...(payload ? { payload } : {}) });
  const getPost = async (id: string, token = owner.token) => (await request(t.app, { url: `/api/content/posts/${id}`, token })).json();
  const targetsOf = async (postId: string) =>
    (
      await t.owner.query(
        `SELECT pt.target_id, pt.variant_id, pt.connection_id, pt.scheduled_at, pt.revision, p.status, p.content
           FROM post_targets pt JOIN publish_targets p ON p.id = pt.target_id WHERE pt.post_id = $1 ORDER BY pt.scheduled_at, pt.connection_id`,
        [postId],
      )
    ).rows;
  const pendingRequest = async (postId: string) =>
    (await t.owner.query(`SELECT id, stage, subject_revision FROM approval_requests WHERE subject_id = $1 AND status = 'pending'`, [postId])).rows[0];
  /**
   * Run due jobs until `check` holds (bounded): test files share one queue, and another test process may
   * be running one of this test's jobs at the moment this one drains.
   */
  const settle = async (check: () => Promise<boolean>) => {
    for (let round = 0; round < 60; round += 1) {
      await t.drainJobs();
      if (await check()) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  const statusIs = (id: string, status: string, token?: string) => async () => (await getPost(id, token)).status === status;
  const stageIs = (id: string, stage: string, token?: string) => async () => (await getPost(id, token)).reviewStage === stage;
  const setSettings = (tenant: RegisteredTenant, body: Record<string, unknown>) =>
    request(t.app, { method: 'PUT', url: '/api/content/settings', token: tenant.token, payload: { approvalPolicy: 'contributors', clientApprovalRequired: false, minGapMinutes: 30, dailyCaps: {}, abDefaultGapMinutes: 1440, ...body } });

  beforeAll(async () => {
    t = await createTestApp({ PUBLISH_NETWORK_RATE_LIMITS: 'sandbox=2/3600' });
    owner = await registerTenant(t.app);
    editor = await addMember(t, owner.token, { role: 'editor', accountId: owner.accountId });
    contributor = await addMember(t, owner.token, { role: 'contributor', accountId: owner.accountId });
    feedA = await sandbox(owner, 'Feed A');
    feedB = await sandbox(owner, 'Feed B');
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses scheduling to a contributor (403); their submitted post is scheduled by an editor’s approval, one target per connection', async () => {
    const draft = await createPost(contributor.token, { baseText: 'Croissants at 7', plannedAt: inMinutes(600), destinations: [feedA, feedB] });
    const refused = await post(contributor.token, draft.id, 'schedule', {});
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('content.approval_required');

    const submitted = await post(contributor.token, draft.id, 'submit');
    expect(submitted.statusCode, submitted.body).toBe(200);
    expect(submitted.json()).toMatchObject({ status: 'in_review', reviewStage: 'internal' });
    const pending = await pendingRequest(draft.id);
    expect(pending).toMatchObject({ stage: 'internal', subject_revision: 1 });

    const selfDecision = await request(t.app, { method: 'POST', url: `/api/approvals/${pending.id}/decision`, token: contributor.token, payload: { outcome: 'approved' } });
    expect(selfDecision.statusCode).toBe(403);
    const decided = await request(t.app, { method: 'POST', url: `/api/approvals/${pending.id}/decision`, token: editor.token, payload: { outcome: 'approved' } });
    expect(decided.statusCode, decided.body).toBe(200);
    await settle(statusIs(draft.id, 'scheduled'));

    const scheduled = await getPost(draft.id);
    expect(scheduled).toMatchObject({ status: 'scheduled', approvedRevision: 1, occurrences: [expect.objectContaining({ status: 'scheduled', sequence: 0 })] });
    const targets = await targetsOf(draft.id);
    expect(targets.map((target) => target.connection_id).sort()).toEqual([feedA, feedB].sort());
    expect(targets.every((target) => target.status === 'scheduled' && target.content.text === 'Croissants at 7')).toBe(true);
  });

  it('records changes requested, and leaves an approved post approved (author told why) when its time has passed', async () => {
    const draft = await createPost(contributor.token, { baseText: 'Needs work', destinations: [feedA] });
    await post(contributor.token, draft.id, 'submit');
    await request(t.app, { method: 'POST', url: `/api/approvals/${(await pendingRequest(draft.id)).id}/decision`, token: editor.token, payload: { outcome: 'changes_requested', note: 'Shorter, please' } });
    await settle(statusIs(draft.id, 'changes_requested'));
    expect(await getPost(draft.id)).toMatchObject({ status: 'changes_requested', reviewStage: null, approvedRevision: null });

    const late = await createPost(contributor.token, { baseText: 'Yesterday’s news', plannedAt: inMinutes(-120), destinations: [feedA] });
    await post(contributor.token, late.id, 'submit');
    await request(t.app, { method: 'POST', url: `/api/approvals/${(await pendingRequest(late.id)).id}/decision`, token: editor.token, payload: { outcome: 'approved' } });
    await settle(statusIs(late.id, 'approved'));
    expect(await getPost(late.id)).toMatchObject({ status: 'approved', approvedRevision: 1, occurrences: [] });
    expect(await targetsOf(late.id)).toEqual([]);
    const told = await t.owner.query(`SELECT user_id, body FROM notifications WHERE kind = 'content.schedule_failed_after_approval' AND subject_id = $1`, [late.id]);
    expect(told.rows.map((row) => row.user_id).sort()).toEqual([contributor.userId, editor.userId].sort());
    expect(told.rows[0].body).toContain('past');
  });

  it('puts a post whose request its author withdrew back to draft, to be edited and submitted again', async () => {
    const draft = await createPost(contributor.token, { baseText: 'Second thoughts', destinations: [feedA] });
    expect((await post(contributor.token, draft.id, 'submit')).statusCode).toBe(200);
    const pending = await pendingRequest(draft.id);
    const withdrawn = await request(t.app, { method: 'POST', url: `/api/approvals/${pending.id}/withdraw`, token: contributor.token });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    await settle(statusIs(draft.id, 'draft'));
    expect(await getPost(draft.id)).toMatchObject({ status: 'draft', reviewStage: null });
    const edited = await request(t.app, { method: 'PATCH', url: `/api/content/posts/${draft.id}`, token: contributor.token, payload: { baseText: 'Second thoughts, better', destinations: [feedA], expectedRevision: 1 } });
    expect(edited.statusCode, edited.body).toBe(200);
    expect((await post(contributor.token, draft.id, 'submit')).statusCode).toBe(200);
    expect(await pendingRequest(draft.id)).toMatchObject({ subject_revision: 2 });
  });

  it('refuses to submit an invalid post (422 with the issue of each variant), changing nothing', async () => {
    const draft = await createPost(owner.token, { baseText: 'x'.repeat(20_001), destinations: [feedA] });
    const refused = await post(owner.token, draft.id, 'submit');
    expect(refused.statusCode).toBe(422);
    expect(refused.json()).toMatchObject({ code: 'content.validation_failed', issues: [expect.objectContaining({ network: 'sandbox', variantId: draft.variants[0].id, path: 'text' })] });
    expect(await pendingRequest(draft.id)).toBeUndefined();
    expect((await getPost(draft.id)).status).toBe('draft');
    const unschedulable = await post(owner.token, draft.id, 'schedule', { at: inMinutes(120) });
    expect(unschedulable.statusCode).toBe(422);
    expect(await targetsOf(draft.id)).toEqual([]);
  });

  it('supersedes the pending request on an edit (its client link dies) and runs a client stage when required', async () => {
    const tenant = await registerTenant(t.app);
    const feed = await sandbox(tenant, 'Client feed');
    const tenantEditor = await addMember(t, tenant.token, { role: 'editor', accountId: tenant.accountId });
    const client = await addMember(t, tenant.token, { role: 'client', accountId: tenant.accountId });
    expect((await setSettings(tenant, { clientApprovalRequired: true })).statusCode).toBe(200);
    const draft = await createPost(tenant.token, { baseText: 'Brunch menu', plannedAt: inMinutes(900), destinations: [feed] });
    await post(tenant.token, draft.id, 'submit');
    const internal = await pendingRequest(draft.id);
    await request(t.app, { method: 'POST', url: `/api/approvals/${internal.id}/decision`, token: tenantEditor.token, payload: { outcome: 'approved' } });
    await settle(stageIs(draft.id, 'client', tenant.token));
    expect(await getPost(draft.id, tenant.token)).toMatchObject({ status: 'in_review', reviewStage: 'client' });
    const clientRequest = await pendingRequest(draft.id);
    expect(clientRequest.stage).toBe('client');

    const link = await request(t.app, { method: 'POST', url: `/api/approvals/${clientRequest.id}/links`, token: tenantEditor.token, payload: { recipientName: 'Clara', sendEmail: false } });
    expect(link.statusCode, link.body).toBe(201);
    const token = link.json().token as string;
    expect((await request(t.app, { url: `/api/public/approvals/${token}` })).statusCode).toBe(200);

    const edited = await request(t.app, { method: 'PATCH', url: `/api/content/posts/${draft.id}`, token: tenant.token, payload: { baseText: 'Brunch menu, new prices', plannedAt: inMinutes(900), destinations: [feed], expectedRevision: 1 } });
    expect(edited.json()).toMatchObject({ status: 'draft', reviewStage: null, currentRevision: 2 });
    const dead = await request(t.app, { url: `/api/public/approvals/${token}` });
    expect(dead.statusCode).toBe(410);
    expect(dead.json().code).toBe('approvals.link_superseded');
    expect(await pendingRequest(draft.id)).toBeUndefined();

    await post(tenant.token, draft.id, 'submit');
    await request(t.app, { method: 'POST', url: `/api/approvals/${(await pendingRequest(draft.id)).id}/decision`, token: tenantEditor.token, payload: { outcome: 'approved' } });
    await settle(stageIs(draft.id, 'client', tenant.token));
    const second = await pendingRequest(draft.id);
    expect(second).toMatchObject({ stage: 'client', subject_revision: 2 });
    const clientDecision = await request(t.app, { method: 'POST', url: `/api/approvals/${second.id}/decision`, token: client.token, payload: { outcome: 'approved' } });
    expect(clientDecision.statusCode, clientDecision.body).toBe(200);
    await settle(statusIs(draft.id, 'scheduled', tenant.token));
    expect(await getPost(draft.id, tenant.token)).toMatchObject({ status: 'scheduled', approvedRevision: 2 });
  });

  it('makes editors submit too under the policy `everyone` (409), and unschedules on an edit there', async () => {
    const tenant = await registerTenant(t.app);
    const feed = await sandbox(tenant, 'Strict feed');
    const tenantEditor = await addMember(t, tenant.token, { role: 'editor', accountId: tenant.accountId });
    await setSettings(tenant, { approvalPolicy: 'everyone' });
    const draft = await createPost(tenantEditor.token, { baseText: 'Strict post', destinations: [feed] });
    const refused = await post(tenantEditor.token, draft.id, 'schedule', { at: inMinutes(300) });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('content.approval_required');
    await post(tenantEditor.token, draft.id, 'submit');
    await request(t.app, { method: 'POST', url: `/api/approvals/${(await pendingRequest(draft.id)).id}/decision`, token: tenant.token, payload: { outcome: 'approved' } });
    await settle(statusIs(draft.id, 'approved', tenant.token));
    expect((await getPost(draft.id, tenant.token)).status).toBe('approved');
    const scheduled = await post(tenantEditor.token, draft.id, 'schedule', { at: inMinutes(300) });
    expect(scheduled.statusCode, scheduled.body).toBe(200);
    const edited = await request(t.app, { method: 'PATCH', url: `/api/content/posts/${draft.id}`, token: tenantEditor.token, payload: { baseText: 'Strict post, edited', plannedAt: scheduled.json().plannedAt, destinations: [feed], expectedRevision: 1 } });
    expect(edited.json()).toMatchObject({ unscheduled: true, status: 'draft' });
    expect((await targetsOf(draft.id)).map((target) => target.status)).toEqual(['cancelled']);
  });

  it('schedules an A/B test as two targets on the connection, the gap apart', async () => {
    const at = inMinutes(2000);
    const draft = await createPost(owner.token, {
      baseText: 'Which croissant?',
      destinations: [feedA],
      ab: { network: 'sandbox', gapMinutes: 120 },
      variants: [{ network: 'sandbox', abLabel: 'A', text: 'Butter croissant' }, { network: 'sandbox', abLabel: 'B', text: 'Almond croissant' }],
    });
    const scheduled = await post(owner.token, draft.id, 'schedule', { at });
    expect(scheduled.statusCode, scheduled.body).toBe(200);
    const targets = await targetsOf(draft.id);
    expect(targets.map((target) => target.content.text)).toEqual(['Butter croissant', 'Almond croissant']);
    expect(new Date(targets[1].scheduled_at).getTime() - new Date(targets[0].scheduled_at).getTime()).toBe(120 * 60_000);
  });

  it('revises the scheduled targets on an editor’s edit, refuses once part is published (409) unless applied to the rest', async () => {
    const tenant = await registerTenant(t.app);
    const [one, two] = [await sandbox(tenant, 'One'), await sandbox(tenant, 'Two')];
    const draft = await createPost(tenant.token, { baseText: 'Original', destinations: [one, two] });
    expect((await post(tenant.token, draft.id, 'schedule', { at: inMinutes(60) })).statusCode).toBe(200);
    const revised = await request(t.app, { method: 'PATCH', url: `/api/content/posts/${draft.id}`, token: tenant.token, payload: { baseText: 'Revised', plannedAt: (await getPost(draft.id, tenant.token)).plannedAt, destinations: [one, two], expectedRevision: 1 } });
    expect(revised.statusCode, revised.body).toBe(200);
    expect(revised.json()).toMatchObject({ status: 'scheduled', unscheduled: false, currentRevision: 2 });
    let targets = await targetsOf(draft.id);
    expect(targets.map((target) => [target.content.text, target.revision, target.status])).toEqual([['Revised', 2, 'scheduled'], ['Revised', 2, 'scheduled']]);

    const first = targets.find((target) => target.connection_id === one)!;
    await makeDue(t, first.target_id);
    await dispatchAndDrain(t, first.target_id);
    await t.drainJobs();
    const body = { baseText: 'Too late for one', plannedAt: (await getPost(draft.id, tenant.token)).plannedAt, destinations: [one, two], expectedRevision: 2 };
    const refused = await request(t.app, { method: 'PATCH', url: `/api/content/posts/${draft.id}`, token: tenant.token, payload: body });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'content.partly_published', targets: [{ targetId: first.target_id, status: 'published' }] });
    expect((await getPost(draft.id, tenant.token)).currentRevision).toBe(2);
    const applied = await request(t.app, { method: 'PATCH', url: `/api/content/posts/${draft.id}`, token: tenant.token, payload: { ...body, applyToUnpublished: true } });
    expect(applied.statusCode, applied.body).toBe(200);
    targets = await targetsOf(draft.id);
    expect(targets.find((target) => target.connection_id === one)!.content.text).toBe('Revised');
    expect(targets.find((target) => target.connection_id === two)!.content.text).toBe('Too late for one');
    const revisions = (await request(t.app, { url: `/api/content/posts/${draft.id}/revisions`, token: tenant.token })).json().items;
    expect(revisions[0].note).toContain('not yet published');
  });

  it('follows publishing: the occurrence and then the post become published', async () => {
    const tenant = await registerTenant(t.app);
    const feed = await sandbox(tenant, 'Live');
    const draft = await createPost(tenant.token, { baseText: `Going live ${Date.now()}`, destinations: [feed] });
    await post(tenant.token, draft.id, 'schedule', { at: inMinutes(10) });
    const [target] = await targetsOf(draft.id);
    await makeDue(t, target.target_id);
    await dispatchAndDrain(t, target.target_id);
    await settle(statusIs(draft.id, 'published', tenant.token));
    expect(await getPost(draft.id, tenant.token)).toMatchObject({ status: 'published', occurrences: [expect.objectContaining({ status: 'published' })] });
    const edit = await request(t.app, { method: 'PATCH', url: `/api/content/posts/${draft.id}`, token: tenant.token, payload: { baseText: 'x', destinations: [feed], expectedRevision: 1 } });
    expect(edit.statusCode).toBe(409);
  });

  it('reschedules every target by the same delta without a revision, and unschedules back to draft', async () => {
    const draft = await createPost(owner.token, { baseText: 'Move me', destinations: [feedA, feedB] });
    await post(owner.token, draft.id, 'schedule', { at: inMinutes(3000) });
    const before = await targetsOf(draft.id);
    const at = new Date(new Date(before[0].scheduled_at).getTime() + 90 * 60_000).toISOString();
    const moved = await post(owner.token, draft.id, 'reschedule', { at });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ currentRevision: 1, status: 'scheduled', plannedAt: at });
    const after = await targetsOf(draft.id);
    expect(after.map((target) => new Date(target.scheduled_at).toISOString())).toEqual([at, at]);
    expect(after.map((target) => target.target_id).sort()).toEqual(before.map((target) => target.target_id).sort());

    const unscheduled = await post(owner.token, draft.id, 'unschedule', {});
    expect(unscheduled.json()).toMatchObject({ status: 'draft', occurrences: [expect.objectContaining({ status: 'cancelled' })] });
    expect((await targetsOf(draft.id)).map((target) => target.status)).toEqual(['cancelled', 'cancelled']);
    expect((await post(contributor.token, draft.id, 'unschedule', {})).statusCode).toBe(403);
  });

  it('answers conflicts (gap, daily cap in the account zone, network window) with 409 until acknowledged', async () => {
    const tenant = await registerTenant(t.app);
    const feed = await sandbox(tenant, 'Busy feed');
    await request(t.app, { method: 'PUT', url: '/api/publishing/settings', token: tenant.token, payload: { lateAfterSeconds: 3600, timezone: 'Pacific/Auckland' } });
    await setSettings(tenant, { minGapMinutes: 30, dailyCaps: { sandbox: 2 } });
    // 10:00 Auckland time, a few days ahead: one calendar day there.
    const day = new Date(Date.now() + 5 * 86_400_000);
    const local = (hour: number, minute = 0) => {
      const probe = new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), hour, minute));
      const offset = new Date(probe.toLocaleString('en-US', { timeZone: 'Pacific/Auckland' })).getTime() - new Date(probe.toLocaleString('en-US', { timeZone: 'UTC' })).getTime();
      return new Date(probe.getTime() - offset).toISOString();
    };
    const schedule = async (at: string, acknowledgeConflicts = false) => {
      const draft = await createPost(tenant.token, { baseText: `At ${at}`, destinations: [feed] });
      return post(tenant.token, draft.id, 'schedule', { at, acknowledgeConflicts });
    };
    expect((await schedule(local(10))).statusCode).toBe(200);
    const close = await schedule(local(10, 10));
    expect(close.statusCode).toBe(409);
    expect(close.json()).toMatchObject({ code: 'content.schedule_conflict', conflicts: [expect.objectContaining({ kind: 'too_close', connectionId: feed, limit: 30 })] });
    expect(close.json().conflicts[0].otherPostId).toBeTruthy();
    expect((await schedule(local(10, 10), true)).statusCode).toBe(200);

    const capped = await schedule(local(20));
    expect(capped.statusCode).toBe(409);
    expect(capped.json().conflicts).toEqual([expect.objectContaining({ kind: 'daily_cap', limit: 2 })]);
    expect(capped.json().conflicts[0].message).toContain('Pacific/Auckland');

    const live = await request(t.app, { url: `/api/content/conflicts?connectionId=${feed}&at=${encodeURIComponent(local(10, 20))}`, token: tenant.token });
    expect(live.json().conflicts.map((item: { kind: string }) => item.kind).sort()).toEqual(['daily_cap', 'network_limit', 'too_close']);
    expect(live.json().conflicts.find((item: { kind: string }) => item.kind === 'network_limit').limit).toBe(2);
  });
});
