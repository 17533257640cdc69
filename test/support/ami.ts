/**
 * A test's own AMI session, to watch what Asterisk does (events the controller does not show),
 * with the credentials the controller generated for itself.
 */
import AmiClient from 'asterisk-ami-client';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestEnv } from './controller.js';
import { TEST_PORTS } from './lab.js';

export interface AmiWatch {
  events: Array<Record<string, string | undefined>>;
  close(): void;
}

export async function watchAmi(env: TestEnv): Promise<AmiWatch> {
  const conf = readFileSync(path.join(env.dataDir, 'asterisk/manager.conf'), 'utf8');
  const secret = /^secret=(.*)$/m.exec(conf)?.[1];
  const user = /^\[(?!general\])([^\]]+)\]/m.exec(conf)?.[1];
  if (!secret || !user) throw new Error('no AMI user in the generated manager.conf');
  const client = new AmiClient({ reconnect: false, emitEventsByTypes: false });
  await client.connect(user, secret, { host: '127.0.0.1', port: TEST_PORTS.ami });
  const events: AmiWatch['events'] = [];
  client.on('event', (e: Record<string, string | undefined>) => events.push(e));
  return { events, close: () => client.disconnect() };
}

export interface QueueMember {
  queue: string;
  paused: string;
  reason: string;
}

/** The operator's membership in each queue, as Asterisk's `QueueStatus` reports it. */
export async function queueMembers(env: TestEnv, username: string): Promise<QueueMember[]> {
  const conf = readFileSync(path.join(env.dataDir, 'asterisk/manager.conf'), 'utf8');
  const secret = /^secret=(.*)$/m.exec(conf)?.[1];
  const user = /^\[(?!general\])([^\]]+)\]/m.exec(conf)?.[1];
  if (!secret || !user) throw new Error('no AMI user in the generated manager.conf');
  const client = new AmiClient({ reconnect: false, emitEventsByTypes: false });
  await client.connect(user, secret, { host: '127.0.0.1', port: TEST_PORTS.ami });
  try {
    const id = `agent-status-${Date.now()}`;
    const members: QueueMember[] = [];
    const complete = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('QueueStatus did not complete')), 5000);
      client.on('event', (e: Record<string, string | undefined>) => {
        if (e.ActionID !== id) return;
        if (e.Event === 'QueueMember' && e.Location === `PJSIP/${username}`) {
          members.push({ queue: e.Queue!, paused: e.Paused!, reason: e.PausedReason ?? '' });
        }
        if (e.Event === 'QueueStatusComplete') {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await client.action({ Action: 'QueueStatus', ActionID: id }, true);
    await complete;
    return members.sort((a, b) => a.queue.localeCompare(b.queue));
  } finally {
    client.disconnect();
  }
}
