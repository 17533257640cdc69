/**
 * The quick start's first command: `scripts/demo` brings the appliance up with demo data, can be
 * run again, and stops everything on Ctrl-C (SIGINT to its process group, as a terminal sends).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Api, caOf, waitForPbx } from '../support/controller.js';
import { lab, REPO } from '../support/lab.js';
import { freeTcpPort } from '../support/sipp.js';
import { waitFor } from '../support/wait.js';

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startDemo(env: NodeJS.ProcessEnv): Running {
  const child = spawn(path.join(REPO, 'scripts/demo'), [], {
    cwd: REPO,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

function runScript(args: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(args[0]!, args.slice(1), {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: 'ignore',
    });
    child.on('exit', (code) => resolve(code));
  });
}

describe('scripts/demo', () => {
  let dataDir = '';
  const running: Running[] = [];

  afterAll(async () => {
    for (const r of running) if (r.child.exitCode === null) process.kill(-r.child.pid!, 'SIGKILL');
    await lab('stop', '--instance', 'demo').catch(() => undefined);
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('comes up with demo data, takes a call, and stops on Ctrl-C, twice in a row', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'kcc-demo-'));
    const port = await freeTcpPort();
    const env = { KCC_DATA_DIR: dataDir, KCC_HTTP_PORT: String(port) };
    for (const round of [1, 2]) {
      const demo = startDemo(env);
      running.push(demo);
      await waitFor(
        `round ${round}: the demo banner`,
        () => {
          if (demo.child.exitCode !== null) throw new Error(`demo exited early:\n${demo.output()}`);
          return demo.output().includes('Press Ctrl-C to stop.') ? true : undefined;
        },
        240_000,
        250,
      );
      expect(demo.output()).toContain(`https://127.0.0.1:${port}/`);
      expect(demo.output()).toMatch(/operator1\s+demo-kcc-2026/);

      const api = new Api(
        `https://127.0.0.1:${port}`,
        caOf({ dataDir, httpPort: port, adminPassword: '' }),
      );
      await api.login('supervisor1', 'demo-kcc-2026');
      await waitForPbx(api, `round ${round}: the PBX link`);
      const caller = `7701555000${round}`;
      expect(await runScript(['scripts/demo-call', '193', '1', caller], {})).toBe(0);
      await waitFor(`round ${round}: the demo call in /api/calls`, async () => {
        const r = await api.get<{ items: Array<{ caller: string; service: string }> }>(
          '/api/calls',
        );
        return r.body.items.some((c) => c.caller === caller && c.service === '193')
          ? true
          : undefined;
      });

      process.kill(-demo.child.pid!, 'SIGINT');
      const code = await Promise.race([
        demo.exited,
        new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000)),
      ]);
      expect(code, demo.output()).toBe(0);
      expect(
        await lab('status', '--instance', 'demo').catch((e: { stdout?: string }) => e.stdout ?? ''),
      ).toContain('stopped');
    }
  });
});
