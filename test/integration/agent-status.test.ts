/**
 * Operator statuses against the real PBX (OP-32 items 4 and 8): an operator's status set through
 * the API becomes a pause with its reason in every queue the operator is a member of, as
 * Asterisk's own `QueueStatus` shows; the controller puts it back after Asterisk restarts; and a
 * phone whose registration goes away leaves the operator paused as "unreachable".
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Api, caOf, ControllerProcess, ok, waitForPbx } from '../support/controller.js';
import { startLab, stopLab, TEST_PORTS } from '../support/lab.js';
import { queueMembers } from '../support/ami.js';
import { startOperator, type SippOperator } from '../support/sipp.js';
import { waitFor } from '../support/wait.js';

const USERNAME = 'status-op';
const PASSWORD = 'status-operator-Pa55';
/** An operator speaking Kazakh and Russian is a member of both language queues. */
const QUEUES = ['kk', 'ru'];

interface AgentView {
  userId: number;
  username: string;
  status: string;
  state: string;
  reasonId: string | null;
  unreachable: boolean;
  paused: boolean;
  pauseReason: string | null;
}

describe('operator statuses in the PBX', () => {
  const env = inject('testEnv');
  const controller = new ControllerProcess(env);
  let admin: Api;
  let op: Api;
  let phone: SippOperator | undefined;

  /** Waits until every queue of the operator holds `paused` (and the reason when paused). */
  const expectMembersOf = (username: string, paused: boolean, reason: string, timeoutMs = 10_000) =>
    waitFor(
      `${username} ${paused ? `paused (${reason})` : 'unpaused'} in ${QUEUES.join(', ')}`,
      async () => {
        const members = await queueMembers(env, username);
        const want = QUEUES.map((queue) => ({
          queue,
          paused: paused ? '1' : '0',
          reason: paused ? reason : '',
        }));
        const seen = members.map((m) => ({ ...m, reason: m.paused === '1' ? m.reason : '' }));
        return JSON.stringify(seen) === JSON.stringify(want) ? members : undefined;
      },
      timeoutMs,
      200,
    );
  const expectMembers = (paused: boolean, reason: string, timeoutMs = 10_000) =>
    expectMembersOf(USERNAME, paused, reason, timeoutMs);

  const me = () => ok(op.get<AgentView>('/api/agents/me/status'), 'my status');

  beforeAll(async () => {
    await controller.start();
    admin = new Api(controller.url, caOf(env));
    await admin.login('admin', env.adminPassword);
    await waitForPbx(admin);
    const created = await admin.post('/api/users', {
      username: USERNAME,
      displayName: 'Status Operator',
      password: PASSWORD,
      role: 'operator',
      languages: QUEUES,
      phoneType: 'sip',
    });
    if (created.status !== 201 && created.status !== 409) {
      throw new Error(`create ${USERNAME}: ${created.status} ${created.text}`);
    }
    op = new Api(controller.url, caOf(env));
    await op.login(USERNAME, PASSWORD);
    const { sipPassword } = await ok(
      op.get<{ sipPassword: string }>('/api/softphone'),
      'softphone',
    );
    phone = await startOperator({
      username: USERNAME,
      password: sipPassword,
      pbxPort: TEST_PORTS.sip,
      ringMs: 300,
      talkMs: 1000,
      calls: 1,
      timeoutS: 300,
    });
    await phone.registered;
  });

  afterAll(async () => {
    await phone?.stop();
    await op?.post('/api/auth/logout').catch(() => undefined);
    await controller.stop();
  });

  it('signing in leaves the operator not ready until they choose', async () => {
    const s = await waitFor('the phone to count as reachable', async () => {
      const v = await me();
      return v.unreachable ? undefined : v;
    });
    expect(s).toMatchObject({
      status: 'not_ready',
      reasonId: 'signed_in',
      pauseReason: 'signed_in',
    });
    await expectMembers(true, 'signed_in');
  });

  it('a new operator is paused as signed out, and reloading the queues keeps every pause', async () => {
    const other = `status-op-${Date.now().toString(36)}`;
    const r = await admin.post('/api/users', {
      username: other,
      displayName: 'Status Operator 2',
      password: PASSWORD,
      role: 'operator',
      languages: QUEUES,
      phoneType: 'sip',
    });
    expect(r.status, r.text).toBe(201);
    // The new member came with a reload of queues.conf: the controller paused it as offline,
    // and the operator who signed in is still paused as before.
    await expectMembersOf(other, true, 'offline');
    await expectMembers(true, 'signed_in');
  });

  it('not ready (lunch) pauses the member with that reason in every queue; Ready unpauses', async () => {
    const lunch = await ok(
      op.put<AgentView>('/api/agents/me/status', { status: 'not_ready', reasonId: 'lunch' }),
      'lunch',
    );
    expect(lunch).toMatchObject({ status: 'not_ready', reasonId: 'lunch', paused: true });
    await expectMembers(true, 'lunch');

    const bad = await op.put<{ message: string }>('/api/agents/me/status', { status: 'not_ready' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('reasonId');

    await ok(op.put('/api/agents/me/status', { status: 'ready' }), 'ready');
    await expectMembers(false, '');
    const floor = await ok(admin.get<{ items: AgentView[] }>('/api/agents'), 'floor');
    expect(floor.items.find((a) => a.username === USERNAME)).toMatchObject({
      status: 'ready',
      paused: false,
    });
  });

  it('puts the pause back after Asterisk restarts', { timeout: 90_000 }, async () => {
    await ok(
      op.put('/api/agents/me/status', { status: 'not_ready', reasonId: 'lunch' }),
      'lunch again',
    );
    await expectMembers(true, 'lunch');
    await stopLab();
    await waitFor(
      'the controller to see Asterisk gone',
      async () => {
        const h = await admin.get<{ pbx: { connected: boolean } }>('/api/health');
        return h.body.pbx.connected ? undefined : true;
      },
      10_000,
    );
    await startLab(path.join(env.dataDir, 'asterisk'));
    await waitForPbx(admin, 'the controller to reconnect');
    // Asterisk came back with every static member unpaused; the controller paused it again.
    await expectMembers(true, 'lunch', 15_000);
    expect(await me()).toMatchObject({ status: 'not_ready', reasonId: 'lunch' });
  });

  it('pauses the operator as unreachable when the phone unregisters', async () => {
    await ok(op.put('/api/agents/me/status', { status: 'ready' }), 'ready');
    // The phone's registration may not have survived the restart: register it anew.
    await phone!.stop();
    const { sipPassword } = await ok(
      op.get<{ sipPassword: string }>('/api/softphone'),
      'softphone',
    );
    phone = await startOperator({
      username: USERNAME,
      password: sipPassword,
      pbxPort: TEST_PORTS.sip,
      ringMs: 300,
      talkMs: 1000,
      calls: 1,
      timeoutS: 300,
    });
    await phone.registered;
    await waitFor('the operator to be Ready and reachable', async () => {
      const v = await me();
      return v.status === 'ready' ? v : undefined;
    });
    await expectMembers(false, '');

    // stop() sends REGISTER with Expires: 0: Asterisk removes the contact (ContactStatus Removed).
    await phone.stop();
    phone = undefined;
    const lost = await waitFor('the operator to be unreachable', async () => {
      const v = await me();
      return v.status === 'unreachable' ? v : undefined;
    });
    expect(lost).toMatchObject({ state: 'ready', unreachable: true, pauseReason: 'unreachable' });
    await expectMembers(true, 'unreachable');
    const floor = await ok(admin.get<{ items: AgentView[] }>('/api/agents'), 'floor');
    expect(floor.items.find((a) => a.username === USERNAME)).toMatchObject({
      status: 'unreachable',
      unreachable: true,
    });

    const log = await ok(
      admin.get<{ items: Array<{ status: string; reason: string | null }> }>(
        `/api/agents/status-log?user=${USERNAME}&from=${new Date(Date.now() - 3600_000).toISOString()}`,
      ),
      'status log',
    );
    expect(log.items.map((r) => r.status).slice(-2)).toEqual(['ready', 'unreachable']);

    // Signing out: offline wins over unreachable.
    await ok(op.post('/api/auth/logout'), 'logout');
    await expectMembers(true, 'offline');
  });
});
