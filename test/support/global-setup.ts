/**
 * Shared set-up of the PBX-backed suites: a fresh data dir, the controller's `prepare` (database,
 * demo users, generated PBX files), then the PBX lab instance that includes those files. The
 * suites start their own controller processes against it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { prepareController, type TestEnv } from './controller.js';
import { lab, LAB_INSTANCE, labVerbose, startLab, stopLab } from './lab.js';
import { freeTcpPort } from './sipp.js';

declare module 'vitest' {
  export interface ProvidedContext {
    testEnv: TestEnv;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.getuid?.() !== 0) {
    throw new Error('The PBX lab runs Asterisk in a chroot: run the integration tests as root');
  }
  await labVerbose('build');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'kcc-test-'));
  const env: TestEnv = { dataDir, httpPort: await freeTcpPort(), adminPassword: 'test-admin-Pa55' };
  await prepareController(env);
  await stopLab();
  await startLab(path.join(dataDir, 'asterisk'));
  const paths = Object.fromEntries(
    (await lab('paths', '--instance', LAB_INSTANCE))
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  env.recordingsDir = paths.spool;
  env.pbxLogDir = paths.log;
  project.provide('testEnv', env);
  return async () => {
    await stopLab();
    if (!process.env.KCC_KEEP_TEST_DATA) await rm(dataDir, { recursive: true, force: true });
  };
}
