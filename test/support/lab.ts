/**
 * The PBX lab instance the integration and browser tests share: a real Asterisk from the cached
 * Debian sid root, on ports no demo uses, with the configuration a real controller generated.
 */
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';

const run = promisify(execFile);
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const LAB = path.join(REPO, 'scripts/pbx-lab');

export const LAB_INSTANCE = 'test';

/** Fixed, non-default ports of the test instance (the demo uses the standard ones). */
export const TEST_PORTS = { sip: 25060, ami: 25038, pbxHttp: 28088 } as const;

export async function lab(...args: string[]): Promise<string> {
  const { stdout } = await run(LAB, args, {
    cwd: REPO,
    maxBuffer: 16 * 1024 * 1024,
    timeout: 600_000,
  });
  return stdout;
}

/** Runs a lab command and streams its output (builds can take minutes). */
export function labVerbose(...args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(LAB, args, { cwd: REPO, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`scripts/pbx-lab ${args.join(' ')} exited ${code}`)),
    );
  });
}

export async function asteriskCli(command: string): Promise<string> {
  return lab('cli', '--instance', LAB_INSTANCE, '--', command);
}

export async function labRunning(): Promise<boolean> {
  try {
    await lab('status', '--instance', LAB_INSTANCE);
    return true;
  } catch {
    return false;
  }
}

export async function startLab(generatedDir: string): Promise<void> {
  await labVerbose('start', '--instance', LAB_INSTANCE, '--generated', generatedDir);
}

export async function stopLab(): Promise<void> {
  await labVerbose('stop', '--instance', LAB_INSTANCE);
}
