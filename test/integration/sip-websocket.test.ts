/**
 * Workstations reach Asterisk's SIP WebSocket through the controller's HTTPS origin: one
 * certificate, one port, and only with a signed-in session. An operator's endpoint registers
 * with the credentials the controller generated, and Asterisk then lists its contact.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Api, caOf, ControllerProcess, waitForPbx } from '../support/controller.js';
import { asteriskCli } from '../support/lab.js';
import { SipWsClient } from '../support/sip-ws.js';
import { waitFor } from '../support/wait.js';

interface Softphone {
  sipUsername: string;
  sipPassword: string;
  webSocketPath: string;
}

describe('SIP WebSocket through the controller', () => {
  const env = inject('testEnv');
  const controller = new ControllerProcess(env);
  let api: Api;
  let wsUrl: string;

  beforeAll(async () => {
    await controller.start();
    api = new Api(controller.url, caOf(env));
    wsUrl = `${controller.url.replace('https:', 'wss:')}/ws`;
    await waitForPbx(api);
  });

  afterAll(async () => {
    await controller.stop();
  });

  it('refuses the upgrade without a session', async () => {
    await expect(SipWsClient.open(wsUrl, { ca: caOf(env) })).rejects.toMatchObject({ status: 401 });
  });

  it("registers an operator's endpoint with the generated secret, and refuses a wrong one", async () => {
    await api.login('operator2', 'demo-kcc-2026');
    const creds = (await api.get<Softphone>('/api/softphone')).body;
    expect(creds.webSocketPath).toBe('/ws');

    const wrong = await SipWsClient.open(wsUrl, { ca: caOf(env), cookie: api.cookie! });
    const refused = await wrong.register(creds.sipUsername, 'not-the-secret', '127.0.0.1');
    expect(refused.status).toBe(401);
    wrong.close();

    const client = await SipWsClient.open(wsUrl, { ca: caOf(env), cookie: api.cookie! });
    expect(client.protocol).toBe('sip');
    const ok = await client.register(creds.sipUsername, creds.sipPassword, '127.0.0.1');
    expect(`${ok.status} ${ok.reason}`).toBe('200 OK');
    const contacts = await waitFor('Asterisk to list the contact', async () => {
      const out = await asteriskCli('pjsip show contacts');
      return out.includes(`${creds.sipUsername}/`) ? out : undefined;
    });
    expect(contacts).toContain(creds.sipUsername);
    client.close();
  });
});
