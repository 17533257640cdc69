/**
 * The console's weight and load time, measured the way an operator meets them: the built
 * JavaScript gzipped (what crosses the LAN), and in Chromium the time from navigation to the
 * sign-in form being usable, over HTTPS from the controller itself (no PBX needed), first with an
 * empty cache, then warm. Prints the figures; exit status 1 when a target is missed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { launchBrowser } from '../../test/support/browser.js';

const TARGET_KB = 400;
const TARGET_MS = 2000;
const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 5;

function gzippedJs(): { files: number; bytes: number } {
  const dir = path.join(repo, 'ui/dist/assets');
  const js = readdirSync(dir).filter((f) => f.endsWith('.js'));
  const bytes = js.reduce((sum, f) => sum + gzipSync(readFileSync(path.join(dir, f))).length, 0);
  return { files: js.length, bytes };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<number> {
  const size = gzippedJs();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'kcc-console-load-'));
  const port = await freePort();
  const controller = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(repo, 'appliance/src/main.ts'), 'serve'],
    {
      cwd: repo,
      env: {
        ...process.env,
        KCC_DATA_DIR: dataDir,
        KCC_HTTP_HOST: '127.0.0.1',
        KCC_HTTP_PORT: String(port),
        KCC_UI_DIR: path.join(repo, 'ui/dist'),
        KCC_AMI_PORT: String(await freePort()),
        KCC_ADMIN_PASSWORD: 'console-load-bench-1',
        KCC_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const url = `https://127.0.0.1:${port}/`;
  const browser = await launchBrowser();
  try {
    // Up when its HTTPS port accepts connections.
    const deadline = Date.now() + 60_000;
    while (
      !(await new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1');
        socket.once('connect', () => resolve(socket.destroy() !== undefined));
        socket.once('error', () => resolve(false));
      }))
    ) {
      if (Date.now() > deadline) throw new Error('the controller did not come up within 60 s');
      await delay(250);
    }
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await context.newPage();
      for (const list of [cold, warm]) {
        const start = Date.now();
        await page.goto(url, { waitUntil: 'commit' });
        await page.getByTestId('login-username').waitFor({ state: 'visible', timeout: 30_000 });
        list.push(Date.now() - start);
      }
      await context.close();
    }
    cold.sort((a, b) => a - b);
    warm.sort((a, b) => a - b);
    const kb = size.bytes / 1024;
    console.log(
      `console JavaScript: ${size.files} file(s), ${kb.toFixed(1)} KB gzipped (target < ${TARGET_KB} KB)`,
    );
    console.log(
      `sign-in form usable, ${runs} runs: cold median ${percentile(cold, 50)} ms, worst ${cold.at(-1)} ms; ` +
        `warm median ${percentile(warm, 50)} ms, worst ${warm.at(-1)} ms (target < ${TARGET_MS} ms)`,
    );
    const okSize = kb < TARGET_KB;
    const okTime = (cold.at(-1) ?? Infinity) < TARGET_MS;
    console.log(`${okSize ? 'met   ' : 'MISSED'}  JavaScript under ${TARGET_KB} KB gzipped`);
    console.log(`${okTime ? 'met   ' : 'MISSED'}  loads in under ${TARGET_MS} ms (worst cold run)`);
    return okSize && okTime ? 0 : 1;
  } finally {
    await browser.close();
    controller.kill('SIGTERM');
    await new Promise((resolve) => controller.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
