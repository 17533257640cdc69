/**
 * The controller notices a stopped Asterisk within 5 s and reconnects by itself when it is back;
 * the same for an Asterisk that hangs (its process frozen, the TCP connection still open), which
 * only the keep-alive pings can tell.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Api, caOf, ControllerProcess } from '../support/controller.js';
import { lab, LAB_INSTANCE, startLab, stopLab } from '../support/lab.js';
import { waitFor } from '../support/wait.js';
import path from 'node:path';

interface Health {
  status: string;
  pbx: { connected: boolean; version: string | null };
}

describe('PBX link', () => {
  const env = inject('testEnv');
  const controller = new ControllerProcess(env);
  let api: Api;

  beforeAll(async () => {
    await controller.start();
    api = new Api(controller.url, caOf(env));
  });

  afterAll(async () => {
    await controller.stop();
    // Leave the lab running for the suites after this one.
    await startLab(path.join(env.dataDir, 'asterisk'));
  });

  it('reports Asterisk down within 5 s and reconnects when it is back', async () => {
    const up = await waitFor('the PBX link', async () => {
      const h = await api.get<Health>('/api/health');
      return h.body.pbx.connected ? h.body : undefined;
    });
    expect(up.pbx.version).toMatch(/^22\./);
    expect(up.status).toBe('ok');

    await stopLab();
    expect(await lab('status', '--instance', LAB_INSTANCE).catch(() => 'stopped')).toContain(
      'stopped',
    );
    const down = await waitFor(
      'health to report the PBX disconnected',
      async () => {
        const h = await api.get<Health>('/api/health');
        return h.body.pbx.connected ? undefined : h.body;
      },
      5000,
    );
    expect(down.status).toBe('degraded');

    await startLab(path.join(env.dataDir, 'asterisk'));
    const back = await waitFor(
      'the controller to reconnect by itself',
      async () => {
        const h = await api.get<Health>('/api/health');
        return h.body.pbx.connected ? h.body : undefined;
      },
      15_000,
    );
    expect(back.pbx.version).toMatch(/^22\./);
  });

  it('reports a hung Asterisk within 5 s and reconnects when it answers again', async () => {
    await waitFor('the PBX link', async () => {
      const h = await api.get<Health>('/api/health');
      return h.body.pbx.connected ? h.body : undefined;
    });
    const status = await lab('status', '--instance', LAB_INSTANCE);
    const pid = Number(/pid (\d+)/.exec(status)?.[1]);
    expect(pid).toBeGreaterThan(0);

    process.kill(pid, 'SIGSTOP');
    try {
      const silent = await waitFor(
        'health to report the silent PBX disconnected',
        async () => {
          const h = await api.get<Health>('/api/health');
          return h.body.pbx.connected ? undefined : h.body;
        },
        5000,
      );
      expect(silent.status).toBe('degraded');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await waitFor(
      'the controller to reconnect by itself',
      async () => {
        const h = await api.get<Health>('/api/health');
        return h.body.pbx.connected ? h.body : undefined;
      },
      15_000,
    );
  });
});
