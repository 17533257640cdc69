/**
 * Runs the real controller as a child process (`node --import tsx appliance/src/main.ts`), the
 * way the appliance runs it, so a test can restart it, and talks to it over HTTPS trusting the
 * CA the controller made for itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import path from 'node:path';
import { REPO, TEST_PORTS } from './lab.js';
import { waitFor } from './wait.js';

export interface TestEnv {
  dataDir: string;
  httpPort: number;
  adminPassword: string;
  /** Host paths of the lab's Asterisk spool (recordings) and log (CDR, queue_log) dirs. */
  recordingsDir?: string;
  pbxLogDir?: string;
}

export function controllerEnv(env: TestEnv): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KCC_DATA_DIR: env.dataDir,
    KCC_HTTP_HOST: '127.0.0.1',
    KCC_HTTP_PORT: String(env.httpPort),
    KCC_AMI_PORT: String(TEST_PORTS.ami),
    KCC_SIP_BIND: '127.0.0.1',
    KCC_SIP_PORT: String(TEST_PORTS.sip),
    KCC_PBX_HTTP_PORT: String(TEST_PORTS.pbxHttp),
    KCC_MEDIA_ADDRESS: '127.0.0.1',
    KCC_UI_DIR: path.join(REPO, 'ui/dist'),
    KCC_ADMIN_PASSWORD: env.adminPassword,
    KCC_DEMO: '1',
    KCC_LOG_LEVEL: process.env.KCC_TEST_LOG_LEVEL ?? 'warn',
    ...(env.recordingsDir ? { KCC_RECORDINGS_DIR: env.recordingsDir } : {}),
    ...(env.pbxLogDir ? { KCC_PBX_LOG_DIR: env.pbxLogDir } : {}),
  };
}

/** Runs `main.ts prepare`: database, demo data and generated PBX files, then exits. */
export function prepareController(env: TestEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'appliance/src/main.ts', 'prepare'], {
      cwd: REPO,
      env: controllerEnv(env),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`prepare exited ${code}`)),
    );
  });
}

export class ControllerProcess {
  private child: ChildProcess | null = null;
  private log = '';

  constructor(readonly env: TestEnv) {}

  get url(): string {
    return `https://127.0.0.1:${this.env.httpPort}`;
  }

  output(): string {
    return this.log;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'appliance/src/main.ts'], {
      cwd: REPO,
      env: controllerEnv(this.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (d: Buffer) => (this.log = (this.log + d.toString()).slice(-50_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    await waitFor(
      'the controller to answer /api/health',
      async () => {
        if (child.exitCode !== null)
          throw new Error(`controller exited ${child.exitCode}:\n${this.log}`);
        // The controller makes its CA on first start: read it once it exists.
        const r = await new Api(this.url, caOf(this.env)).get('/api/health');
        return r.status === 200 ? true : undefined;
      },
      30_000,
      200,
    );
  }

  /** Stops it with SIGTERM (graceful) and resolves with the exit code. */
  async stop(): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    );
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(timer);
    this.child = null;
    return code;
  }
}

export function caOf(env: TestEnv): string {
  return readFileSync(path.join(env.dataDir, 'tls/ca.crt'), 'utf8');
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
  text: string;
}

/** A minimal HTTPS JSON client that keeps the session cookie and CSRF token. */
export class Api {
  cookie: string | null = null;
  csrf: string | null = null;

  constructor(
    readonly base: string,
    private readonly ca: string,
  ) {}

  get<T = unknown>(p: string): Promise<ApiResponse<T>> {
    return this.send<T>('GET', p);
  }

  post<T = unknown>(p: string, body?: unknown, raw?: string): Promise<ApiResponse<T>> {
    return this.send<T>('POST', p, raw ?? (body === undefined ? undefined : JSON.stringify(body)));
  }

  put<T = unknown>(p: string, body?: unknown): Promise<ApiResponse<T>> {
    return this.send<T>('PUT', p, body === undefined ? undefined : JSON.stringify(body));
  }

  async login(username: string, password: string): Promise<void> {
    const r = await this.post<{ csrfToken: string }>('/api/auth/login', { username, password });
    if (r.status !== 200) throw new Error(`login as ${username} failed: ${r.status} ${r.text}`);
    this.csrf = r.body.csrfToken;
  }

  send<T>(
    method: string,
    p: string,
    payload?: string,
    contentType = 'application/json',
  ): Promise<ApiResponse<T>> {
    const url = new URL(p, this.base);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (payload !== undefined) headers['content-type'] = contentType;
    if (this.cookie) headers.cookie = this.cookie;
    if (this.csrf && method !== 'GET') headers['x-csrf-token'] = this.csrf;
    return new Promise((resolve, reject) => {
      const req = request(url, { method, headers, ca: this.ca, timeout: 10_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const setCookie = res.headers['set-cookie'];
          if (setCookie) {
            const session = setCookie.find((c) => c.startsWith('kcc_session='));
            if (session) this.cookie = session.split(';')[0]!;
          }
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: body as T, text });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${p} timed out`)));
      req.on('error', reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }
}

/** The body of a 2xx answer; anything else throws, saying what was asked and what came back. */
export async function ok<T>(p: Promise<ApiResponse<T>>, what = 'request'): Promise<T> {
  const r = await p;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.text}`);
  return r.body;
}

/** Waits until the controller reports its AMI link to Asterisk as up. */
export function waitForPbx(api: Api, what = 'the PBX link'): Promise<true> {
  return waitFor(what, async () => {
    const h = await api.get<{ pbx: { connected: boolean } }>('/api/health');
    return h.body.pbx.connected ? true : undefined;
  });
}
