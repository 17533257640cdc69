/**
 * The status service on a real in-memory database with a fake PBX that records every action:
 * what Asterisk is told for each change, the log rows, after-call work, contacts and resync.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { authFixture, silentLogger, TestClock, type AuthFixture } from '../test-support.js';
import { AgentService, type AgentPbx, type AgentView } from './service.js';
import { AgentStore } from './store.js';

type Msg = Record<string, string>;

class FakePbx implements AgentPbx {
  state = { connected: true };
  actions: Msg[] = [];
  contacts: Array<Record<string, string>> = [];
  /** Interfaces Asterisk does not know (in no queue). */
  unknown = new Set<string>();

  async action(message: Msg) {
    this.actions.push(message);
    if (message.Interface && this.unknown.has(message.Interface)) {
      throw new Error('QueuePause failed: Interface not found');
    }
    return { Response: 'Success' };
  }

  async actionList(message: Msg, complete: string) {
    this.actions.push(message);
    expect(complete).toBe('ContactListComplete');
    return this.contacts.map((c) => ({ Event: 'ContactList', ...c }));
  }

  pauses(): string[] {
    return this.actions
      .filter((a) => a.Action === 'QueuePause')
      .map((a) => `${a.Interface} ${a.Paused}${a.Reason ? ` ${a.Reason}` : ''}`);
  }
}

describe('operator status service', () => {
  let f: AuthFixture;
  let clock: TestClock;
  let pbx: FakePbx;
  let store: AgentStore;
  let agents: AgentService;
  let ids: Record<string, number>;
  let changes: AgentView[];

  beforeEach(async () => {
    clock = new TestClock('2025-11-25T09:00:00.000Z');
    f = await authFixture({}, undefined, clock);
    ids = {};
    for (const [username, role] of [
      ['op1', 'operator'],
      ['op2', 'operator'],
      ['sup1', 'supervisor'],
      ['admin1', 'administrator'],
    ] as const) {
      ids[username] = await f.auth.createUser({
        username,
        displayName: username,
        password: 'x-password-1',
        role,
        language: 'ru',
      });
    }
    store = new AgentStore(f.db);
    agents = new AgentService({ store, now: clock.now, logger: silentLogger });
    await agents.load();
    pbx = new FakePbx();
    pbx.unknown.add('PJSIP/sup1');
    agents.attach(pbx);
    changes = [];
    agents.on('changed', (v) => changes.push(v));
  });

  const log = async (user?: string) =>
    (
      await store.log({
        from: '2025-01-01T00:00:00Z',
        to: '2026-01-01T00:00:00Z',
        userId: user ? ids[user] : undefined,
        limit: 100,
      })
    ).map((r) => `${r.status}${r.reason ? `/${r.reason}` : ''}${r.endedAt ? '' : ' (open)'}`);

  it('applies each change as a QueuePause and logs it in the same step', async () => {
    await agents.signedIn(ids.op1!);
    await agents.choose(ids.op1!, { status: 'ready' });
    clock.advance(60_000);
    const v = await agents.choose(ids.op1!, { status: 'not_ready', reasonId: 'lunch' });
    expect(v).toMatchObject({
      status: 'not_ready',
      reasonId: 'lunch',
      paused: true,
      pauseReason: 'lunch',
      since: clock.now().toISOString(),
    });
    expect(pbx.pauses()).toEqual([
      'PJSIP/op1 true signed_in',
      'PJSIP/op1 false',
      'PJSIP/op1 true lunch',
    ]);
    expect(await log('op1')).toEqual(['not_ready/signed_in', 'ready', 'not_ready/lunch (open)']);
    expect(changes.map((c) => c.status)).toEqual(['not_ready', 'ready', 'not_ready']);
  });

  it('refuses a bad choice, naming the field, and changes nothing', async () => {
    await expect(agents.choose(ids.op1!, { status: 'not_ready' })).rejects.toMatchObject({
      statusCode: 400,
      details: { field: 'reasonId' },
    });
    await expect(
      agents.choose(ids.op1!, { status: 'not_ready', reasonId: 'acw' }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'unknown_reason' });
    await expect(
      agents.choose(ids.op1!, { status: 'ready', reasonId: 'lunch' }),
    ).rejects.toMatchObject({ statusCode: 400, details: { field: 'reasonId' } });
    await expect(agents.choose(ids.op1!, { status: 'after_call_work' })).rejects.toMatchObject({
      statusCode: 400,
      details: { field: 'status' },
    });
    await expect(agents.choose(ids.admin1!, { status: 'ready' })).rejects.toMatchObject({
      statusCode: 404,
    });
    expect(pbx.actions).toEqual([]);
    expect(await log()).toEqual([]);
  });

  it('signing out pauses as offline; an administrator has no status', async () => {
    await agents.signedIn(ids.op1!);
    await agents.choose(ids.op1!, { status: 'ready' });
    await agents.signedOut(ids.op1!);
    await agents.signedIn(ids.admin1!);
    expect(pbx.pauses().at(-1)).toBe('PJSIP/op1 true offline');
    expect((await agents.me(ids.op1!)).status).toBe('offline');
    expect(pbx.pauses().some((p) => p.includes('admin1'))).toBe(false);
  });

  it('starts after-call work on AgentComplete and returns to Ready when the timer ends', async () => {
    await f.db
      .updateTable('settings')
      .set({ value: '10' })
      .where('key', '=', 'agents.acw_seconds')
      .execute();
    await agents.signedIn(ids.op1!);
    await agents.choose(ids.op1!, { status: 'ready' });
    await agents.handleEvent({
      Event: 'AgentComplete',
      Queue: 'ru',
      Interface: 'PJSIP/op1',
      MemberName: 'op1',
    });
    const acw = await agents.me(ids.op1!);
    expect(acw).toMatchObject({ status: 'after_call_work', pauseReason: 'acw' });
    expect(acw.acwEndsAt).toBe(new Date(clock.now().getTime() + 10_000).toISOString());
    clock.advance(9_000);
    await agents.tick();
    expect((await agents.me(ids.op1!)).status).toBe('after_call_work');
    clock.advance(1_000);
    await agents.tick();
    expect((await agents.me(ids.op1!)).status).toBe('ready');
    expect(pbx.pauses().slice(-2)).toEqual(['PJSIP/op1 true acw', 'PJSIP/op1 false']);
    expect(await log('op1')).toEqual([
      'not_ready/signed_in',
      'ready',
      'after_call_work/acw',
      'ready (open)',
    ]);
    const rows = await store.log({
      from: '2025-01-01T00:00:00Z',
      to: '2026-01-01T00:00:00Z',
      userId: ids.op1!,
      limit: 10,
    });
    expect(rows.at(-1)!.setBy).toBe('system');
  });

  it('keeps Not ready chosen during a call instead of after-call work', async () => {
    await agents.signedIn(ids.op1!);
    await agents.choose(ids.op1!, { status: 'not_ready', reasonId: 'break' });
    await agents.handleEvent({ Event: 'AgentComplete', Interface: 'PJSIP/op1' });
    expect((await agents.me(ids.op1!)).reasonId).toBe('break');
  });

  it('pauses as unreachable when the contact is lost and puts the chosen status back', async () => {
    await agents.signedIn(ids.op1!);
    await agents.choose(ids.op1!, { status: 'not_ready', reasonId: 'lunch' });
    const uri = 'sip:op1@127.0.0.1:5070';
    await agents.handleEvent({
      Event: 'ContactStatus',
      AOR: 'op1',
      URI: uri,
      ContactStatus: 'Created',
    });
    await agents.handleEvent({
      Event: 'ContactStatus',
      AOR: 'op1',
      URI: uri,
      ContactStatus: 'Unreachable',
    });
    expect(await agents.me(ids.op1!)).toMatchObject({
      status: 'unreachable',
      state: 'not_ready',
      unreachable: true,
      pauseReason: 'unreachable',
    });
    await agents.handleEvent({
      Event: 'ContactStatus',
      AOR: 'op1',
      URI: uri,
      ContactStatus: 'Reachable',
    });
    expect(await agents.me(ids.op1!)).toMatchObject({ status: 'not_ready', pauseReason: 'lunch' });
    await agents.handleEvent({
      Event: 'ContactStatus',
      AOR: 'op1',
      URI: uri,
      ContactStatus: 'Removed',
    });
    expect((await agents.me(ids.op1!)).status).toBe('unreachable');
    expect(pbx.pauses()).toEqual([
      'PJSIP/op1 true signed_in',
      'PJSIP/op1 true lunch',
      'PJSIP/op1 true unreachable',
      'PJSIP/op1 true lunch',
      'PJSIP/op1 true unreachable',
    ]);
    expect(await log('op1')).toEqual([
      'not_ready/signed_in',
      'not_ready/lunch',
      'unreachable/unreachable',
      'not_ready/lunch',
      'unreachable/unreachable (open)',
    ]);
  });

  it('a phone that re-registers from a new address is not reported lost', async () => {
    await agents.signedIn(ids.op1!);
    await agents.choose(ids.op1!, { status: 'ready' });
    const base = { Event: 'ContactStatus', AOR: 'op1' };
    await agents.handleEvent({ ...base, URI: 'sip:a', ContactStatus: 'Created' });
    await agents.handleEvent({ ...base, URI: 'sip:b', ContactStatus: 'Created' });
    await agents.handleEvent({ ...base, URI: 'sip:a', ContactStatus: 'Removed' });
    expect((await agents.me(ids.op1!)).status).toBe('ready');
  });

  it('on (re)connect reads the contacts and puts every status back in Asterisk', async () => {
    await agents.signedIn(ids.op1!);
    await agents.choose(ids.op1!, { status: 'not_ready', reasonId: 'lunch' });
    await agents.signedIn(ids.op2!);
    await agents.choose(ids.op2!, { status: 'ready' });
    pbx.actions = [];
    // Asterisk restarted: only op1's phone registered again.
    pbx.contacts = [
      { ObjectName: 'op1;@abc', Aor: 'op1', Uri: 'sip:op1@127.0.0.1:5070', Status: 'NonQualified' },
    ];
    await agents.resync();
    expect(pbx.actions[0]).toEqual({ Action: 'PJSIPShowContacts' });
    expect(pbx.pauses().sort()).toEqual([
      'PJSIP/op1 true lunch',
      'PJSIP/op2 true unreachable',
      'PJSIP/sup1 true offline',
    ]);
    expect((await agents.floor()).map((a) => `${a.username} ${a.status}`)).toEqual([
      'op1 not_ready',
      'op2 unreachable',
      'sup1 offline',
    ]);
    // A second connect tells Asterisk everything again (it may have restarted in between).
    pbx.actions = [];
    await agents.resync();
    expect(pbx.pauses()).toHaveLength(3);
  });

  it('saves changes while Asterisk is away and applies them at the next connect', async () => {
    pbx.state.connected = false;
    await agents.signedIn(ids.op1!);
    await agents.choose(ids.op1!, { status: 'ready' });
    expect(pbx.actions).toEqual([]);
    pbx.state.connected = true;
    pbx.contacts = [{ Aor: 'op1', Uri: 'sip:op1', Status: 'Reachable' }];
    await agents.resync();
    expect(pbx.pauses()).toContain('PJSIP/op1 false');
  });

  it('survives a restart of the controller: the status comes from the database', async () => {
    await agents.signedIn(ids.op1!);
    await agents.choose(ids.op1!, { status: 'not_ready', reasonId: 'training' });
    const again = new AgentService({ store, now: clock.now, logger: silentLogger });
    await again.load();
    expect(await again.me(ids.op1!)).toMatchObject({ status: 'not_ready', reasonId: 'training' });
  });

  it('lets a supervisor set a status, logged with their name', async () => {
    await agents.choose(ids.op2!, { status: 'not_ready', reasonId: 'meeting' }, 'sup1');
    const rows = await store.log({
      from: '2025-01-01T00:00:00Z',
      to: '2026-01-01T00:00:00Z',
      userId: ids.op2!,
      limit: 10,
    });
    expect(rows.map((r) => [r.status, r.reason, r.setBy])).toEqual([
      ['not_ready', 'meeting', 'sup1'],
    ]);
  });

  it('keeps pause reasons: adds and edits, never the system ones', async () => {
    await agents.addReason({
      id: 'coaching',
      names: { kk: 'Коучинг', ru: 'Коучинг', en: 'Coaching' },
      active: true,
      sort: 60,
    });
    await agents.choose(ids.op1!, { status: 'not_ready', reasonId: 'coaching' });
    await expect(
      agents.addReason({
        id: 'lunch',
        names: { kk: 'a', ru: 'b', en: 'c' },
        active: true,
        sort: 1,
      }),
    ).rejects.toMatchObject({ statusCode: 409 });
    await expect(agents.updateReason('acw', { active: false })).rejects.toMatchObject({
      statusCode: 409,
    });
    await agents.updateReason('coaching', { active: false });
    await expect(
      agents.choose(ids.op1!, { status: 'not_ready', reasonId: 'coaching' }),
    ).rejects.toMatchObject({ statusCode: 400 });
    const reasons = await agents.reasons();
    expect(reasons.filter((r) => !r.system).map((r) => r.id)).toEqual([
      'break',
      'lunch',
      'training',
      'meeting',
      'technical',
      'coaching',
    ]);
  });
});
