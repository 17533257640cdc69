/**
 * Benchmark: how many recorded inbound calls the box carries at once, and what the controller
 * costs next to Asterisk. Run through `scripts/bench/inbound-capacity` (as root); `--help` lists
 * the options.
 *
 * Set-up: a fresh data dir, the controller's `prepare`, the PBX lab instance `bench` (SIP 35060,
 * AMI 35038, PBX HTTP 38088, fresh state) with the generated configuration, the controller (its
 * sources under tsx, as the integration tests run it), one SIP operator per call of the highest
 * level (created through `POST /api/users`, speaking kk and ru), and a published flow `bench` (the
 * greeting, then queue `ru`) on all three service numbers, open around the clock. Every call is
 * recorded (MixMonitor from the operator's answer). The phones' SIP passwords are read from the
 * database: logging in as each operator to ask `/api/softphone` is limited to 30 logins a minute.
 *
 * The load generator is two sipp processes, so that it stays a small share of the box:
 * - The phones: one sipp registers every operator's endpoint from one UDP port on loopback
 *   (`sipp/uac-register-all.xml`, user names and passwords from its injection file), then one
 *   sipp on that port answers every call Asterisk sends to those contacts
 *   (`sipp/uas-operators.xml`): 180, 200 OK after 300 ms, 7 s of PCMA speech, BYE after
 *   `--talk-ms`. It runs through both passes.
 * - The callers: per level one sipp places all calls (`sipp/uac-callers.xml`, one line of its
 *   injection file per call: caller number and DID) on the carrier trunk, `--rate` new calls a
 *   second (20 by default, 0: all in the same instant), echoes the media it gets, and waits for
 *   the PBX's BYE (the operator hangs up). The flow needs no digits from the caller.
 *
 * Each operator talks long enough for all the level's calls to be in conversation together. A
 * level holds when the callers' sipp reports every call successful and none failed (and each
 * caller logged the PBX's BYE), the phones' sipp took exactly one call per caller and ended all
 * of them normally, all calls were in conversation at the same moment (the peak of bridged
 * carrier channels, sampled every second from Asterisk's channel list), every call's recording
 * exists and holds more than a WAV header (its path from Asterisk's CDR), and no channel is left
 * over. With the controller running, `GET /api/calls` must also show every call ended with
 * outcome `operator` and that recording path, and its live view must have shown every call's
 * end. Two passes run over the same levels, each stopping at its first failing level: with the
 * controller running, and with it stopped (Asterisk alone; the phones stay registered). They
 * interleave: each level runs with the controller and alone back to back, in ABBA order (with then
 * alone at the first level, alone then with at the next, ...), so that a change in what else the
 * box does falls on both runs of a level alike, and the controller is restarted only every other
 * level. After each start the controller follows 10 calls that are not measured: it compiles its
 * call path on its first calls, which an appliance that has run for a while did long ago.
 * "retrans" counts the SIP messages both sipps had to send again (the PBX answered late); a
 * retransmitted INVITE that reaches an answered phone is noted and is no failure.
 *
 * What is measured, over each level's window (from the first call placed to 2 s after the last
 * one ended, so that the trailing CDR, recording and indexing work counts), in % of one core:
 * - Asterisk and the controller: utime + stime, reaped children included, from /proc/<pid>/stat.
 * - sipp: the load generator (the two sipps, this script), which shares the box; "others": the
 *   rest of the busy time in /proc/stat, that is processes outside the benchmark. Both say how
 *   much of the machine the two measured processes really had.
 * - Lag: the controller's event handling, end to end. A console-like WebSocket client subscribed
 *   to `calls` notes when it first receives a call's start, its answer and its end, and subtracts
 *   the time Asterisk stamped on the AMI event each comes from (`startedAt`, `answeredAt` and
 *   `endedAt` carry the events' `Timestamp`; one host, one clock). That covers the AMI link, the
 *   reducer, the SQLite write and the push. Also the controller's worst event-loop delay over the
 *   level and the AMI events it received per call (its /metrics).
 * - Cost: the CPU the controller adds at a level is its own plus what Asterisk spends more with it
 *   (AMI events): (C + A_with) - A_alone. On a box bound by CPU that is a capacity share of
 *   1 - A_alone / (A_with + C). It rests on a small difference of two readings of Asterisk's CPU,
 *   so one pair of runs is not enough: at the highest level both passes held, more pairs run
 *   (ABBA order continued) until `--repeats` (3) pairs ran on a quiet box, and the verdict is the
 *   median of their shares. Printed beside it: the controller's own CPU share C / (A_alone + C),
 *   which needs no difference and moves little from run to run.
 * - A quiet box: a pair counts when "others" stayed at most `--max-others` (30 % of one core) in
 *   both its runs. Processes outside the benchmark take CPU and cache from the two measured ones
 *   and make Asterisk's readings swing; after two more attempts without enough quiet pairs the
 *   benchmark gives no verdict on the cost (exit status 2) rather than a number it cannot back.
 *
 * Targets (exit status 1 when one is missed; the numbers are printed either way): the highest
 * level held with the controller is at least `--target` (100); the controller's capacity share
 * (the median above) is at most `--max-share` (10 %); its lag p99 stays under `--max-lag-ms`
 * (1000 ms) at every level held. Exit status 2: the benchmark itself could not run, or the box was
 * too busy for a verdict on the cost. A default run takes about 14 minutes.
 *
 * KCC_BENCH_NODE_ARGS adds node options to the controller (e.g. "--cpu-prof
 * --cpu-prof-dir=/tmp/prof" to profile it); KCC_BENCH_LOG_LEVEL sets its log level (warn).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { parseCdr } from '../../appliance/src/calls/cdr.js';
import { Api, caOf, ok, waitForPbx, type TestEnv } from '../../test/support/controller.js';
import { publishFlow, routeServices, SERVICES } from '../../test/support/flows.js';
import { lab, labVerbose, REPO } from '../../test/support/lab.js';
import { freeMediaPort, freeTcpPort, freeUdpPort } from '../../test/support/sipp.js';
import { waitFor } from '../../test/support/wait.js';

const run = promisify(execFile);

const INSTANCE = 'bench';
const PORTS = { sip: 35060, ami: 35038, pbxHttp: 38088 } as const;
const ADMIN_PASSWORD = 'bench-admin-Pa55';
const OPERATOR_PASSWORD = 'bench-operator-Pa55';
const QUEUE = 'ru';
const ALWAYS_OPEN = {
  workday: { open: '00:00', close: '24:00' },
  dayOff: { open: '00:00', close: '24:00' },
};
/** The carrier trunk the demo seed makes (IP-authenticated from loopback). */
const CARRIER_CHANNEL = 'PJSIP/carrier-';
/** Work that follows the last hang-up (CDR, MixMonitor closing, indexing) counts to the level. */
const TAIL_MS = 2000;
/** The queues' wrap-up time (5 s) and a margin: operators are free again for the next run. */
const BETWEEN_LEVELS_MS = 7000;
/** A WAV header and nothing else: the call was never bridged. */
const EMPTY_WAV_BYTES = 44;
const RING_MS = 300;
/** Calls placed, not measured, after each start of the controller (see warmUp). */
const WARMUP_CALLS = 10;
const SIPP_NICE = 19;

interface Options {
  levels: number[];
  talkMs: number;
  rate: number;
  audio: boolean;
  target: number;
  maxShare: number;
  maxLagMs: number;
  repeats: number;
  maxOthers: number;
  maxMinutes: number;
  keep: boolean;
}

const USAGE = `Usage: scripts/bench/inbound-capacity [OPTIONS]

Drives sipp callers at rising concurrency through IVR, queue and answering sipp operators with
recording on, at each level once with the controller running and once with Asterisk alone, and
prints the highest level with zero failed calls, the CPU of the controller and of Asterisk, and
the controller's event lag. The controller's cost is the median over repeated pairs of runs at the
highest level both held; no verdict (exit 2) when other processes kept the box busy. Runs the PBX lab instance "${INSTANCE}" on SIP ${PORTS.sip}, AMI ${PORTS.ami},
PBX HTTP ${PORTS.pbxHttp}. Needs root.

  --levels LIST      concurrent calls per level, rising (default 10,25,50,75,100,120)
  --talk-ms MS       how long each operator talks before hanging up (default 15000)
  --rate N           new calls a second while a level starts (default 20; 0: all at once)
  --no-audio         the operators send no speech (silent conversations)
  --target N         calls the controller must carry at once (default 100)
  --max-share PCT    the controller's largest share of Asterisk's capacity (default 10)
  --max-lag-ms MS    the largest p99 of the controller's event lag (default 1000)
  --repeats N        pairs of runs (with the controller, Asterisk alone) at the highest level
                     both held, whose median gives the controller's cost (default 3)
  --max-others PCT   a pair counts only when the rest of the box used at most this much CPU,
                     in % of one core, in both its runs (default 30)
  --max-minutes M    abort after this long (default 20)
  --keep             keep the data dir (its path is printed) with sipp's files in sipp/
`;

function parseOptions(argv: string[]): Options {
  const o: Options = {
    levels: [10, 25, 50, 75, 100, 120],
    talkMs: 15_000,
    rate: 20,
    audio: true,
    target: 100,
    maxShare: 10,
    maxLagMs: 1000,
    repeats: 3,
    maxOthers: 30,
    maxMinutes: 20,
    keep: false,
  };
  const number = (flag: string, value: string | undefined, min: number): number => {
    const n = Number(value);
    if (value === undefined || !Number.isFinite(n) || n < min) {
      throw new UsageError(`${flag} needs a number of at least ${min}`);
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split('=', 2) : [arg];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case '-h':
      case '--help':
        process.stdout.write(USAGE);
        process.exit(0);
        break;
      case '--levels': {
        const list = (value() ?? '').split(',').map((s) => Number(s.trim()));
        if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n < 1)) {
          throw new UsageError('--levels needs positive integers separated by commas');
        }
        if (list.some((n, j) => j > 0 && n <= list[j - 1]!)) {
          throw new UsageError('--levels must rise');
        }
        o.levels = list;
        break;
      }
      case '--rate':
        o.rate = number(flag, value(), 0);
        break;
      case '--talk-ms':
        o.talkMs = number(flag, value(), 3000);
        break;
      case '--no-audio':
        o.audio = false;
        break;
      case '--target':
        o.target = number(flag, value(), 1);
        break;
      case '--max-share':
        o.maxShare = number(flag, value(), 0);
        break;
      case '--max-lag-ms':
        o.maxLagMs = number(flag, value(), 1);
        break;
      case '--repeats':
        o.repeats = number(flag, value(), 1);
        if (!Number.isInteger(o.repeats)) throw new UsageError('--repeats needs a whole number');
        break;
      case '--max-others':
        o.maxOthers = number(flag, value(), 0);
        break;
      case '--max-minutes':
        o.maxMinutes = number(flag, value(), 1);
        break;
      case '--keep':
        o.keep = true;
        break;
      default:
        throw new UsageError(`unknown option ${arg}`);
    }
  }
  // Every call of a level must still be talking when the last one is answered.
  const rampS = o.rate > 0 ? Math.max(...o.levels) / o.rate : 0;
  if (o.talkMs / 1000 < rampS + 5) {
    throw new UsageError(
      `--talk-ms must be at least ${Math.ceil((rampS + 5) * 1000)} to hold ${Math.max(...o.levels)} ` +
        `calls placed at ${o.rate} a second`,
    );
  }
  return o;
}

class UsageError extends Error {}

// ---------------------------------------------------------------------------------------------
// Output

const started = Date.now();

function say(text: string): void {
  const s = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  process.stdout.write(`[${s} s] ${text}\n`);
}

function tail(text: string, chars = 1500): string {
  return text.length > chars ? `...${text.slice(-chars)}` : text;
}

// ---------------------------------------------------------------------------------------------
// CPU accounting from /proc

const CLK_TCK = Number(
  (await run('getconf', ['CLK_TCK']).catch(() => ({ stdout: '100' }))).stdout.trim(),
);

/** CPU seconds a process used so far, its reaped children included; null when it is gone. */
function cpuSeconds(pid: number | null): number | null {
  if (pid === null) return null;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // Fields after the command name (which may hold spaces), from field 3 (state) on.
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i] ?? 0), 0);
  return ticks / CLK_TCK;
}

/** Busy and total jiffies of all cores together. */
function boxTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: total - idle, total };
}

/** The sipp processes this script started and that still run. */
function sippChildren(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (comm === 'sipp' && ppid === process.pid) pids.push(Number(entry));
  }
  return pids;
}

/**
 * The load generator shares the box with what it measures, and each idle sipp wakes up every
 * millisecond: it runs at the lowest priority (nice 19, every thread), so that Asterisk and the
 * controller get the CPU first when the box is busy, as on the appliance where no sipp runs.
 */
function yieldCpu(pid: number | undefined): void {
  if (pid === undefined) return;
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return;
  }
  for (const tid of tasks) {
    try {
      os.setPriority(Number(tid), SIPP_NICE);
    } catch {
      // gone meanwhile
    }
  }
}

/**
 * CPU seconds of the load generator: this process with every child it reaped (the callers' sipp
 * of finished levels, the registrations, the CLI samples) plus the sipp children still running
 * (the phones, the callers of the level under way).
 */
function harnessSeconds(): number {
  let total = cpuSeconds(process.pid) ?? 0;
  for (const pid of sippChildren()) total += cpuSeconds(pid) ?? 0;
  return total;
}

interface CpuMark {
  at: number;
  asterisk: number | null;
  controller: number | null;
  harness: number;
  box: { busy: number; total: number };
}

function mark(asteriskPid: number, controllerPid: number | null): CpuMark {
  return {
    at: performance.now(),
    asterisk: cpuSeconds(asteriskPid),
    controller: cpuSeconds(controllerPid),
    harness: harnessSeconds(),
    box: boxTicks(),
  };
}

// ---------------------------------------------------------------------------------------------
// The lab instance

async function labPaths(): Promise<Record<string, string>> {
  return Object.fromEntries(
    (await lab('paths', '--instance', INSTANCE))
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

async function asteriskPid(): Promise<number> {
  const status = await lab('status', '--instance', INSTANCE);
  const m = /\bpid (\d+)/.exec(status);
  if (!m) throw new Error(`no pid in "scripts/pbx-lab status": ${status.trim()}`);
  return Number(m[1]);
}

/** `asterisk -rx` inside the instance's root, without the lab script's own start-up work. */
async function asteriskCli(root: string, command: string): Promise<string> {
  const { stdout } = await run('chroot', [root, '/usr/sbin/asterisk', '-rx', command], {
    timeout: 10_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

/** Channels now: all of them, and carrier (caller) channels that are in a bridge. */
async function channelCounts(root: string): Promise<{ channels: number; bridged: number }> {
  const lines = (await asteriskCli(root, 'core show channels concise'))
    .split('\n')
    .filter((l) => l.includes('!'));
  let bridged = 0;
  for (const l of lines) {
    // Channel!Context!Exten!Priority!State!Application!Data!CallerID!Accountcode!PeerAccount!
    // AMAflags!Duration!BridgeID!Uniqueid
    const f = l.split('!');
    if (f[0]?.startsWith(CARRIER_CHANNEL) && (f[12] ?? '') !== '') bridged += 1;
  }
  return { channels: lines.length, bridged };
}

/**
 * Queue members that are registered, free and not paused (the CLI colours the status: match its
 * text).
 */
async function freeMembers(root: string): Promise<number> {
  const text = await asteriskCli(root, `queue show ${QUEUE}`);
  return text
    .split('\n')
    .filter((l) => l.includes('bench-op') && l.includes('Not in use') && !l.includes('(paused'))
    .length;
}

/** Refuses to start when something else listens on the bench ports. */
async function checkPortsFree(): Promise<void> {
  const tcp = (port: number) =>
    new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
  const udp = (port: number) =>
    new Promise<boolean>((resolve) => {
      const s = createSocket('udp4');
      s.once('error', () => resolve(false));
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
  const busy: string[] = [];
  if (!(await udp(PORTS.sip))) busy.push(`UDP ${PORTS.sip}`);
  if (!(await tcp(PORTS.sip))) busy.push(`TCP ${PORTS.sip}`);
  if (!(await tcp(PORTS.ami))) busy.push(`TCP ${PORTS.ami}`);
  if (!(await tcp(PORTS.pbxHttp))) busy.push(`TCP ${PORTS.pbxHttp}`);
  if (busy.length) {
    throw new Error(
      `ports in use: ${busy.join(', ')} (another benchmark, or scripts/bench/lab-start, is running)`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// The controller, on the bench ports

function benchEnv(env: TestEnv): NodeJS.ProcessEnv {
  return {
    ...process.env,
    KCC_DATA_DIR: env.dataDir,
    KCC_HTTP_HOST: '127.0.0.1',
    KCC_HTTP_PORT: String(env.httpPort),
    KCC_AMI_PORT: String(PORTS.ami),
    KCC_SIP_BIND: '127.0.0.1',
    KCC_SIP_PORT: String(PORTS.sip),
    KCC_PBX_HTTP_PORT: String(PORTS.pbxHttp),
    KCC_MEDIA_ADDRESS: '127.0.0.1',
    KCC_ADMIN_PASSWORD: env.adminPassword,
    // The demo seed makes the carrier trunk on loopback that the sipp callers arrive through.
    KCC_DEMO: '1',
    KCC_LOG_LEVEL: process.env.KCC_BENCH_LOG_LEVEL ?? 'warn',
    ...(env.recordingsDir ? { KCC_RECORDINGS_DIR: env.recordingsDir } : {}),
    ...(env.pbxLogDir ? { KCC_PBX_LOG_DIR: env.pbxLogDir } : {}),
  };
}

function prepare(env: TestEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'appliance/src/main.ts', 'prepare'], {
      cwd: REPO,
      env: benchEnv(env),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`prepare exited ${code}`));
    });
  });
}

class Controller {
  private child: ChildProcess | null = null;
  private log = '';

  constructor(readonly env: TestEnv) {}

  get url(): string {
    return `https://127.0.0.1:${this.env.httpPort}`;
  }

  get pid(): number | null {
    return this.child && this.child.exitCode === null ? (this.child.pid ?? null) : null;
  }

  output(): string {
    return this.log;
  }

  async start(): Promise<void> {
    // KCC_BENCH_NODE_ARGS: extra node options for the controller, e.g. to profile it with
    // "--cpu-prof --cpu-prof-dir=/tmp/prof" (written when it stops).
    const extra = (process.env.KCC_BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    const child = spawn(process.execPath, [...extra, '--import', 'tsx', 'appliance/src/main.ts'], {
      cwd: REPO,
      env: benchEnv(this.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (d: Buffer) => (this.log = (this.log + d.toString()).slice(-50_000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    await waitFor(
      'the controller to answer /api/health',
      async () => {
        if (child.exitCode !== null) {
          throw new Error(`controller exited ${child.exitCode}:\n${tail(this.log)}`);
        }
        const r = await new Api(this.url, caOf(this.env)).get('/api/health');
        return r.status === 200 ? true : undefined;
      },
      60_000,
      250,
    );
  }

  async stop(): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(timer);
    this.child = null;
    return code;
  }
}

// ---------------------------------------------------------------------------------------------
// The controller's live view, as a console sees it

interface CallView {
  id: string;
  caller: string | null;
  state: 'ringing' | 'answered' | 'ended';
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  outcome: 'operator' | 'ivr' | 'missed' | null;
  recordingPath: string | null;
}

interface Seen {
  caller: string | null;
  /** Lag in ms of the start, answer and end: receipt minus Asterisk's event time. */
  lags: Partial<Record<'startedAt' | 'answeredAt' | 'endedAt', number>>;
}

class LiveWatch {
  private readonly seen = new Map<string, Seen>();
  private socket: WebSocket | null = null;

  async open(url: string, ca: string, cookie: string): Promise<void> {
    const socket = new WebSocket(`${url.replace(/^https/, 'wss')}/api/ws`, {
      ca,
      headers: { cookie },
    });
    this.socket = socket;
    const subscribed = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('no answer to subscribe on /api/ws')),
        10_000,
      );
      socket.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.on('message', (raw) => {
        const at = Date.now();
        let msg: { type?: string; topic?: string; data?: unknown };
        try {
          msg = JSON.parse(String(raw)) as typeof msg;
        } catch {
          return;
        }
        if (msg.type === 'subscribed') {
          clearTimeout(timer);
          resolve();
        } else if (msg.type === 'event' && msg.topic === 'calls') {
          this.note(msg.data as CallView, at);
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    socket.send(JSON.stringify({ type: 'subscribe', topics: ['calls'] }));
    await subscribed;
  }

  private note(call: CallView, at: number): void {
    let s = this.seen.get(call.id);
    if (!s) {
      s = { caller: call.caller, lags: {} };
      this.seen.set(call.id, s);
    }
    for (const key of ['startedAt', 'answeredAt', 'endedAt'] as const) {
      const value = call[key];
      if (value && s.lags[key] === undefined) s.lags[key] = at - Date.parse(value);
    }
  }

  /** Lag samples of the calls of these callers, and how many of them were seen ending. */
  lagsOf(callers: Set<string>): { samples: number[]; ended: number } {
    const samples: number[] = [];
    let ended = 0;
    for (const s of this.seen.values()) {
      if (s.caller === null || !callers.has(s.caller)) continue;
      for (const v of Object.values(s.lags)) samples.push(v);
      if (s.lags.endedAt !== undefined) ended += 1;
    }
    return { samples, ended };
  }

  close(): void {
    this.socket?.terminate();
    this.socket = null;
  }
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * One value from the controller's /metrics (open to loopback). The event-loop figures cover the
 * time since the previous scrape.
 */
async function scrape(api: Api, name: string): Promise<number | null> {
  const r = await api.get('/metrics').catch(() => null);
  const m = r ? new RegExp(`^${name}\\s+(\\S+)`, 'm').exec(r.text) : null;
  return m ? Number(m[1]) : null;
}

// ---------------------------------------------------------------------------------------------
// Levels

type PassName = 'controller' | 'alone';

interface LevelResult {
  pass: PassName;
  /** Order of the run in the benchmark, from 1. */
  run: number;
  level: number;
  failed: number;
  /**
   * SIP messages the load generator sent again (callers and phones), because the PBX did not
   * answer in time: a sign of a PBX that falls behind on signalling.
   */
  retrans: number;
  problems: string[];
  peakBridged: number;
  /** Calls the operators' phones failed (unexpected message, time-out). */
  phoneFailed: number;
  seconds: number;
  /** CPU in % of one core over the level's window. */
  asteriskCpu: number;
  controllerCpu: number | null;
  /** sipp and this script. */
  harnessCpu: number;
  /** The whole box, and what is left of it: other processes on the machine. */
  boxCpu: number;
  othersCpu: number;
  /** AMI events the controller received per call placed. */
  amiPerCall: number | null;
  lagP50: number | null;
  lagP99: number | null;
  lagMax: number | null;
  loopMaxMs: number | null;
}

interface Bench {
  opts: Options;
  env: TestEnv;
  root: string;
  spool: string;
  cdrFile: string;
  controller: Controller;
  api: Api;
  watch: LiveWatch | null;
  phones: Phones;
  /** Where sipp's injection, statistics, log and error files go. */
  sippDir: string;
  lastLevelEnd: number;
  /** Runs so far (each level of each pass is one run). */
  runs: number;
  /** AMI connections the controller made, over all its starts. */
  amiConnections: number;
  /** Warm-up rounds so far (one after each start of the controller). */
  warmUps: number;
}

// ---------------------------------------------------------------------------------------------
// The load generator: one sipp for all callers of a level, one for all operator phones

const SIPP_DIR = path.join(REPO, 'scripts/bench/sipp');
const CALLERS_SCENARIO = path.join(SIPP_DIR, 'uac-callers.xml');
const REGISTER_SCENARIO = path.join(SIPP_DIR, 'uac-register-all.xml');
const PHONES_SCENARIO = path.join(SIPP_DIR, 'uas-operators.xml');
/** 7 s of PCMA speech shipped with Debian's sip-tester. */
const OPERATOR_AUDIO = '/usr/share/sip-tester/g711a.pcap';
/** New registrations a second, and at most this many under way at once. */
const REGISTER_RATE = 50;
const REGISTER_LIMIT = 20;

interface SippRun {
  child: ChildProcess;
  /** sipp's exit code; -1 when a signal ended it or it could not start. */
  done: Promise<number>;
  exited(): boolean;
  output(): string;
}

/**
 * Starts sipp at the lowest priority (see yieldCpu), with a control port of its own (sipp scans
 * only UDP 8888-8947 for one, which other test runs on the box may hold) and no keyboard.
 */
async function runSipp(args: string[]): Promise<SippRun> {
  const controlPort = await freeUdpPort();
  const child = spawn('sipp', [...args, '-nostdin', '-cp', String(controlPort)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let exited = false;
  const append = (d: Buffer) => (out = (out + d.toString()).slice(-20_000));
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const done = new Promise<number>((resolve) => {
    child.once('error', (err) => {
      exited = true;
      out += `\nsipp could not be started: ${err.message}\n`;
      resolve(-1);
    });
    child.once('exit', (code) => {
      exited = true;
      resolve(code ?? -1);
    });
  });
  yieldCpu(child.pid);
  return { child, done, exited: () => exited, output: () => out };
}

/** Ends a sipp process: SIGTERM, then SIGKILL when it is still there after 3 s. */
async function terminate(run: SippRun | null): Promise<void> {
  if (!run || run.exited()) return;
  run.child.kill('SIGTERM');
  const killer = setTimeout(() => run.child.kill('SIGKILL'), 3000);
  await run.done;
  clearTimeout(killer);
}

/**
 * sipp's cumulative counters from its statistics file (-trace_stat -stf FILE): the header line
 * names the columns ("SuccessfulCall(C)", "FailedCall(C)", "Retransmissions(C)", ...), each dump
 * appends a line. Null before the first dump.
 */
function sippStats(file: string): Record<string, number> | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const lines = text.split('\n').filter((l) => l.includes(';'));
  if (lines.length < 2) return null;
  const head = lines[0]!.split(';');
  const last = lines.at(-1)!.split(';');
  const stats: Record<string, number> = {};
  head.forEach((name, i) => {
    if (name) stats[name] = Number(last[i]);
  });
  return stats;
}

function stat(stats: Record<string, number> | null, name: string): number {
  return stats?.[name] ?? 0;
}

/** The `<log>` lines of a sipp run ("call=N [caller=X] event=NAME ..."), event by caller. */
function sippEvents(file: string): Array<{ caller: string | null; event: string }> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap((l) => {
    const event = /\bevent=(\S+)/.exec(l)?.[1];
    return event ? [{ caller: /\bcaller=(\S+)/.exec(l)?.[1] ?? null, event }] : [];
  });
}

/** The last events of sipp's error file (-trace_err): the first line of each, without the date. */
function sippErrorLines(file: string, count: number): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split(/(?=\d{4}-\d\d-\d\d\t[\d:.]+\t[\d.]+: )/)
    .filter((e) => /^\d{4}-/.test(e) && !e.includes('remote control socket'))
    .slice(-count)
    .map((e) =>
      tail(
        e
          .replace(/^\S+\t\S+\t\S+: /, '')
          .split('\n')[0]!
          .trim(),
        300,
      ),
    );
}

/**
 * All operator phones in one sipp on one UDP port on loopback. `register` signs every operator's
 * endpoint in from that port (one REGISTER sipp fed with user names and passwords); `start` then
 * runs the answering scenario on it, for every operator at once: Asterisk sends each operator's
 * calls to the contact it registered, that is to this port.
 */
class Phones {
  private run: SippRun | null = null;
  private constructor(
    readonly dir: string,
    readonly port: number,
    readonly mediaPort: number,
  ) {}

  static async create(dir: string): Promise<Phones> {
    return new Phones(dir, await freeUdpPort(), await freeMediaPort());
  }

  get statsFile(): string {
    return path.join(this.dir, 'phones-stats.csv');
  }

  get errorFile(): string {
    return path.join(this.dir, 'phones-errors.log');
  }

  get logFile(): string {
    return path.join(this.dir, 'phones.log');
  }

  get pid(): number | null {
    return this.run && !this.run.exited() ? (this.run.child.pid ?? null) : null;
  }

  async register(
    accounts: Array<{ username: string; password: string }>,
    expiresS: number,
    attempt = 1,
  ): Promise<void> {
    const inf = path.join(this.dir, 'accounts.csv');
    writeFileSync(
      inf,
      [
        'SEQUENTIAL',
        ...accounts.map((a) => {
          // One field each, and a parameter of sipp's [authentication] keyword.
          if (!/^[\w.~-]+$/.test(a.username) || !/^[\w.~-]+$/.test(a.password)) {
            throw new Error(
              `the credentials of ${a.username} do not fit into sipp's injection file`,
            );
          }
          return `${a.username};[authentication username=${a.username} password=${a.password}]`;
        }),
      ].join('\n') + '\n',
    );
    const stats = path.join(this.dir, `register-${attempt}-stats.csv`);
    const errors = path.join(this.dir, `register-${attempt}-errors.log`);
    const run = await runSipp([
      '-sf',
      REGISTER_SCENARIO,
      '-inf',
      inf,
      '-key',
      'expires',
      String(expiresS),
      `127.0.0.1:${PORTS.sip}`,
      '-i',
      '127.0.0.1',
      '-p',
      String(this.port),
      '-m',
      String(accounts.length),
      '-r',
      String(REGISTER_RATE),
      '-l',
      String(REGISTER_LIMIT),
      '-recv_timeout',
      '5000',
      // A registration that fails is no dialog: no BYE for it.
      '-default_behaviors',
      'all,-bye',
      '-timeout',
      `${Math.ceil(accounts.length / REGISTER_RATE) + 30}s`,
      '-timeout_error',
      '-trace_err',
      '-error_file',
      errors,
      '-trace_stat',
      '-stf',
      stats,
    ]);
    const code = await run.done;
    const ok = stat(sippStats(stats), 'SuccessfulCall(C)');
    if ((code !== 0 || ok !== accounts.length) && attempt < 3) {
      // Operators created a moment ago may not have their endpoint in Asterisk yet (the
      // configuration is reloaded after the API's changes): register everyone again.
      say(`${accounts.length - ok} of ${accounts.length} registrations failed: registering again`);
      await delay(2000);
      return this.register(accounts, expiresS, attempt + 1);
    }
    if (code !== 0 || ok !== accounts.length) {
      throw new Error(
        `registering ${accounts.length} phones from 127.0.0.1:${this.port}: sipp exit ${code}, ` +
          `${ok} registered (attempt ${attempt}):\n  ` +
          (sippErrorLines(errors, 3).join('\n  ') || tail(run.output())),
      );
    }
  }

  async start(o: { ringMs: number; talkMs: number; audio: boolean; timeoutS: number }) {
    const run = await runSipp([
      '-sf',
      PHONES_SCENARIO,
      '-key',
      'ring_ms',
      String(Math.round(o.ringMs)),
      '-key',
      'talk_ms',
      String(Math.round(o.talkMs)),
      '-key',
      'audio',
      o.audio ? '1' : '0',
      '-key',
      'audio_pcap',
      OPERATOR_AUDIO,
      '-i',
      '127.0.0.1',
      '-p',
      String(this.port),
      '-mp',
      String(this.mediaPort),
      '-m',
      '100000',
      '-timeout',
      `${o.timeoutS}s`,
      '-timeout_error',
      '-trace_err',
      '-error_file',
      this.errorFile,
      '-trace_stat',
      '-stf',
      this.statsFile,
      '-fd',
      '1',
      '-trace_logs',
      '-log_file',
      this.logFile,
    ]);
    this.run = run;
    // The contacts exist from the registrations on: calls are sent there from the first level.
    const deadline = Date.now() + 5000;
    while (!udpPortBound(this.port) || sippStats(this.statsFile) === null) {
      if (run.exited()) throw new Error(`the phones' sipp exited at start:\n${tail(run.output())}`);
      if (Date.now() > deadline) {
        throw new Error(`the phones' sipp did not start on port ${this.port} within 5 s`);
      }
      await delay(50);
    }
  }

  stats(): Record<string, number> | null {
    return sippStats(this.statsFile);
  }

  /** INVITEs the phones took again after their answer (see uas-operators.xml). */
  invitesAgain(): number {
    return sippEvents(this.logFile).filter((e) => e.event === 'invite-again').length;
  }

  errors(count: number): string[] {
    return sippErrorLines(this.errorFile, count);
  }

  running(): boolean {
    return this.run !== null && !this.run.exited();
  }

  output(): string {
    return this.run?.output() ?? '';
  }

  stop(): Promise<void> {
    return terminate(this.run);
  }
}

/** True when a UDP socket is bound to `port` on this host (read from /proc, binds nothing). */
function udpPortBound(port: number): boolean {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let table = '';
    try {
      table = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (table.split('\n').some((l) => l.trim().split(/\s+/)[1]?.endsWith(hexPort))) return true;
  }
  return false;
}

interface CallersRun {
  code: number;
  /** sipp's counters at its end. */
  stats: Record<string, number> | null;
  /** Callers whose call was answered and ended with the PBX's BYE. */
  completed: Set<string>;
  answered: Set<string>;
  errors: string[];
  output: string;
}

/** The callers' sipp of the level under way (stopped on an interrupt). */
let callersRun: SippRun | null = null;

/**
 * One sipp places all calls of a level: one line of its injection file per call (caller number
 * and DID), `rate` new calls a second (0: all at once), at most `callers.length` at a time. Every
 * call waits for the PBX's BYE, at most `timeoutS`; the whole run is bounded too.
 */
async function placeCallers(
  dir: string,
  name: string,
  callers: string[],
  rate: number,
  timeoutS: number,
): Promise<CallersRun> {
  const inf = path.join(dir, `${name}-callers.csv`);
  writeFileSync(
    inf,
    ['SEQUENTIAL', ...callers.map((c) => `${c};${SERVICES[0]!}`)].join('\n') + '\n',
  );
  const statsFile = path.join(dir, `${name}-stats.csv`);
  const errorFile = path.join(dir, `${name}-errors.log`);
  const logFile = path.join(dir, `${name}.log`);
  const pace =
    rate > 0 ? ['-r', String(rate), '-rp', '1000'] : ['-r', String(callers.length), '-rp', '1'];
  const run = await runSipp([
    '-sf',
    CALLERS_SCENARIO,
    '-inf',
    inf,
    `127.0.0.1:${PORTS.sip}`,
    '-i',
    '127.0.0.1',
    '-p',
    String(await freeUdpPort()),
    '-mp',
    String(await freeMediaPort()),
    '-m',
    String(callers.length),
    '-l',
    String(callers.length),
    ...pace,
    '-rtp_echo',
    '-recv_timeout',
    String(timeoutS * 1000),
    '-timeout',
    `${timeoutS + 15}s`,
    '-timeout_error',
    '-trace_err',
    '-error_file',
    errorFile,
    '-trace_stat',
    '-stf',
    statsFile,
    '-fd',
    '5',
    '-trace_logs',
    '-log_file',
    logFile,
  ]);
  callersRun = run;
  let deadline: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    run.done,
    new Promise<number>((resolve) => {
      deadline = setTimeout(() => resolve(-2), (timeoutS + 30) * 1000);
    }),
  ]);
  clearTimeout(deadline);
  if (code === -2) await terminate(run);
  callersRun = null;
  const completed = new Set<string>();
  const answered = new Set<string>();
  for (const e of sippEvents(logFile)) {
    if (e.caller === null) continue;
    if (e.event === 'answered') answered.add(e.caller);
    if (e.event === 'remote-bye') completed.add(e.caller);
  }
  return {
    code,
    stats: sippStats(statsFile),
    completed,
    answered,
    errors: sippErrorLines(errorFile, 3),
    output: run.output(),
  };
}

async function runLevel(b: Bench, pass: PassName, runNo: number, level: number) {
  const { opts, root } = b;
  const withController = pass === 'controller';
  // The previous level's operators are out of wrap-up and every channel is gone.
  const wait = b.lastLevelEnd + BETWEEN_LEVELS_MS - Date.now();
  if (wait > 0) await delay(wait);
  await waitFor(
    `no channels left and ${level} operators free`,
    async () => {
      const c = await channelCounts(root);
      return c.channels === 0 && (await freeMembers(root)) >= level ? true : undefined;
    },
    30_000,
    500,
  );
  const amiBefore = withController ? await scrape(b.api, 'kcc_ami_events_total') : null;
  if (withController) await scrape(b.api, 'kcc_nodejs_eventloop_lag_max_seconds');
  const phonesBefore = b.phones.stats();
  const againBefore = b.phones.invitesAgain();

  const callers = Array.from(
    { length: level },
    (_, i) => `7705${String(runNo).padStart(3, '0')}${String(i).padStart(4, '0')}`,
  );
  const callTimeoutS = Math.ceil(opts.talkMs / 1000 + (opts.rate > 0 ? level / opts.rate : 0)) + 60;
  const asterisk = await asteriskPid();
  const controllerPid = withController ? b.controller.pid : null;

  let peakBridged = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const t = Date.now();
      const c = await channelCounts(root).catch(() => null);
      if (c) peakBridged = Math.max(peakBridged, c.bridged);
      await delay(Math.max(0, 1000 - (Date.now() - t)));
    }
  })();

  const before = mark(asterisk, controllerPid);
  const run = await placeCallers(
    b.sippDir,
    `run${runNo}-${pass}-level${level}`,
    callers,
    opts.rate,
    callTimeoutS,
  );
  await delay(TAIL_MS);
  const after = mark(asterisk, controllerPid);
  sampling = false;
  await sampler;
  b.lastLevelEnd = Date.now();

  const problems: string[] = [];
  const succeeded = stat(run.stats, 'SuccessfulCall(C)');
  const failedCalls = stat(run.stats, 'FailedCall(C)');
  const failed = Math.max(level - succeeded, level - run.completed.size);
  if (run.code !== 0 || succeeded !== level || failedCalls > 0) {
    problems.push(
      `callers' sipp exit ${run.code}: ${succeeded} successful, ${failedCalls} failed calls ` +
        `of ${level}` +
        (run.errors.length ? `\n    ${run.errors.join('\n    ')}` : ''),
    );
  }
  const unfinished = callers.filter((c) => !run.completed.has(c));
  if (unfinished.length) {
    const sample = unfinished
      .slice(0, 5)
      .map((c) => `${c} (${run.answered.has(c) ? 'answered, no BYE' : 'never answered'})`);
    problems.push(
      `${unfinished.length} callers did not get the PBX's BYE: ${sample.join(', ')}` +
        (unfinished.length > 5 ? ', ...' : ''),
    );
  }
  if (peakBridged < level) {
    problems.push(`only ${peakBridged} of ${level} calls were in conversation at the same time`);
  }

  // The phones dump their counters every second: wait for the level's calls to be counted.
  let phonesAfter = b.phones.stats();
  const phoneDelta = (name: string) => stat(phonesAfter, name) - stat(phonesBefore, name);
  for (let i = 0; i < 10; i++) {
    if (phoneDelta('SuccessfulCall(C)') + phoneDelta('FailedCall(C)') >= level) break;
    await delay(500);
    phonesAfter = b.phones.stats();
  }
  const phoneCalls = phoneDelta('IncomingCall(C)');
  const phoneOk = phoneDelta('SuccessfulCall(C)');
  const phoneFailed = phoneDelta('FailedCall(C)');
  if (phoneCalls !== level || phoneOk !== level || phoneFailed > 0) {
    problems.push(
      `the operators' phones took ${phoneCalls} calls for ${level} callers: ${phoneOk} ended ` +
        `normally, ${phoneFailed} failed` +
        (phoneFailed > 0 ? `\n    ${b.phones.errors(3).join('\n    ')}` : ''),
    );
  }
  if (!b.phones.running()) {
    problems.push(`the operators' phones stopped:\n${tail(b.phones.output())}`);
  }
  const again = b.phones.invitesAgain() - againBefore;
  const retrans =
    stat(run.stats, 'Retransmissions(C)') +
    stat(phonesAfter, 'Retransmissions(C)') -
    stat(phonesBefore, 'Retransmissions(C)');

  const recordings = await checkRecordings(b, callers);
  problems.push(...recordings.problems);
  if (withController) problems.push(...(await checkFacts(b, callers, recordings.paths)));

  // Calls nobody hangs up (a phone that gave up, a caller that timed out) stay up in Asterisk:
  // clear them so the next level starts clean.
  const left = await channelCounts(root).catch(() => null);
  if (left && left.channels > 0) {
    problems.push(`${left.channels} channels were still up after every caller had ended`);
    await asteriskCli(root, 'channel request hangup all').catch(() => '');
  }

  const seconds = (after.at - before.at) / 1000;
  const pct = (a: number | null, c: number | null) =>
    a === null || c === null ? null : ((c - a) / seconds) * 100;
  let lagP50: number | null = null;
  let lagP99: number | null = null;
  let lagMax: number | null = null;
  let loopMaxMs: number | null = null;
  if (withController && b.watch) {
    const set = new Set(callers);
    const { samples, ended } = b.watch.lagsOf(set);
    lagP50 = percentile(samples, 50);
    lagP99 = percentile(samples, 99);
    lagMax = percentile(samples, 100);
    if (ended < level) {
      problems.push(`the live view showed the end of only ${ended} of ${level} calls`);
    }
    const loop = await scrape(b.api, 'kcc_nodejs_eventloop_lag_max_seconds');
    loopMaxMs = loop === null ? null : loop * 1000;
  }
  const amiAfter = withController ? await scrape(b.api, 'kcc_ami_events_total') : null;
  const cores = os.cpus().length;
  const boxCpu =
    ((after.box.busy - before.box.busy) / (after.box.total - before.box.total)) * cores * 100;
  const asteriskCpu = pct(before.asterisk, after.asterisk) ?? NaN;
  const controllerCpu = withController ? pct(before.controller, after.controller) : null;
  const harnessCpu = pct(before.harness, after.harness) ?? NaN;
  const result: LevelResult = {
    pass,
    run: runNo,
    level,
    failed,
    retrans,
    problems,
    peakBridged,
    phoneFailed,
    seconds,
    asteriskCpu,
    controllerCpu,
    harnessCpu,
    boxCpu,
    othersCpu: boxCpu - asteriskCpu - (controllerCpu ?? 0) - harnessCpu,
    amiPerCall: amiBefore !== null && amiAfter !== null ? (amiAfter - amiBefore) / level : null,
    lagP50,
    lagP99,
    lagMax,
    loopMaxMs,
  };
  say(
    `run ${runNo}, ${pass === 'controller' ? 'with controller' : 'Asterisk alone '} level ${level}: ` +
      `${result.failed} failed, ${retrans} SIP retransmissions (${again} INVITEs came again to ` +
      `an answered phone), peak ${peakBridged} in conversation, ` +
      `CPU: Asterisk ${fmt(asteriskCpu)} %, controller ${fmt(controllerCpu)} %, ` +
      `sipp ${fmt(harnessCpu)} %, others ${fmt(result.othersCpu)} %; ` +
      `lag p99 ${fmt(lagP99, 0)} ms; ${seconds.toFixed(1)} s` +
      (problems.length ? `\n  ${problems.join('\n  ')}` : ''),
  );
  return result;
}

/** Recording paths from the CDR: every caller's file exists and holds sound. */
async function checkRecordings(
  b: Bench,
  callers: string[],
): Promise<{ problems: string[]; paths: Map<string, string> }> {
  const wanted = new Set(callers);
  const paths = new Map<string, string>();
  const missing = new Set<string>();
  try {
    await waitFor(
      'every call recorded',
      () => {
        let text = '';
        try {
          text = readFileSync(b.cdrFile, 'utf8');
        } catch {
          return undefined;
        }
        // Only complete lines: the last one may still be written.
        text = text.slice(0, text.lastIndexOf('\n') + 1);
        for (const r of parseCdr(text)) {
          if (r.src && wanted.has(r.src) && r.fields.rec) paths.set(r.src, r.fields.rec);
        }
        missing.clear();
        for (const caller of callers) {
          const rec = paths.get(caller);
          let size = -1;
          try {
            size = rec ? statSync(path.join(b.spool, rec)).size : -1;
          } catch {
            size = -1;
          }
          if (size <= EMPTY_WAV_BYTES) missing.add(caller);
        }
        return missing.size === 0 ? true : undefined;
      },
      15_000,
      500,
    );
  } catch {
    // reported below
  }
  const problems: string[] = [];
  if (missing.size) {
    const sample = [...missing].slice(0, 5).map((c) => `${c} (${paths.get(c) ?? 'no CDR'})`);
    problems.push(`${missing.size} calls without a recording: ${sample.join(', ')}`);
  }
  return { problems, paths };
}

/** The controller's call facts: ended, outcome operator, the recording the CDR names. */
async function checkFacts(
  b: Bench,
  callers: string[],
  recordings: Map<string, string>,
): Promise<string[]> {
  const wanted = new Set(callers);
  let mine: CallView[] = [];
  try {
    await waitFor(
      'every call ended in the controller',
      async () => {
        const r = await ok(b.api.get<{ items: CallView[] }>('/api/calls?limit=5000'), 'calls');
        mine = r.items.filter((c) => c.caller !== null && wanted.has(c.caller));
        return mine.length === callers.length && mine.every((c) => c.state === 'ended')
          ? true
          : undefined;
      },
      30_000,
      500,
    );
  } catch {
    // reported below
  }
  const problems: string[] = [];
  if (mine.length !== callers.length) {
    problems.push(`the controller has ${mine.length} of ${callers.length} calls`);
  }
  const wrong = mine.filter(
    (c) =>
      c.state !== 'ended' ||
      c.outcome !== 'operator' ||
      !c.recordingPath ||
      (recordings.has(c.caller!) && recordings.get(c.caller!) !== c.recordingPath),
  );
  if (wrong.length) {
    const sample = wrong
      .slice(0, 5)
      .map((c) => `${c.caller}: ${c.state} ${c.outcome} ${c.recordingPath ?? 'no recording'}`);
    problems.push(`${wrong.length} calls with wrong facts: ${sample.join('; ')}`);
  }
  return problems;
}

/**
 * The controller running or stopped, as the next run needs it. Stopping it notes its AMI
 * connections and the warnings it logged; starting it waits for its PBX link and opens the
 * live view again.
 */
async function switchController(b: Bench, running: boolean): Promise<void> {
  if (running === (b.controller.pid !== null)) return;
  if (running) {
    await b.controller.start();
    await waitForPbx(b.api);
    const watch = new LiveWatch();
    await watch.open(b.controller.url, caOf(b.env), b.api.cookie ?? '');
    b.watch = watch;
    await warmUp(b);
    return;
  }
  const metrics = await b.api.get('/metrics').catch(() => null);
  const reconnects = metrics
    ? Number(/^kcc_pbx_reconnects_total\s+(\S+)/m.exec(metrics.text)?.[1] ?? NaN)
    : NaN;
  b.amiConnections += Number.isFinite(reconnects) ? reconnects : 0;
  b.watch?.close();
  b.watch = null;
  const code = await b.controller.stop();
  if (code !== 0) say(`the controller exited ${code}:\n${tail(b.controller.output())}`);
}

/**
 * A freshly started controller compiles its call path while it follows its first calls; on an
 * appliance it has done so long ago. A few calls after each start, not measured, keep that work
 * out of the measured runs.
 */
async function warmUp(b: Bench): Promise<void> {
  const calls = Math.min(WARMUP_CALLS, Math.max(...b.opts.levels));
  const wait = b.lastLevelEnd + BETWEEN_LEVELS_MS - Date.now();
  if (wait > 0) await delay(wait);
  await waitFor(
    `no channels left and ${calls} operators free`,
    async () => {
      const c = await channelCounts(b.root);
      return c.channels === 0 && (await freeMembers(b.root)) >= calls ? true : undefined;
    },
    30_000,
    500,
  );
  b.warmUps += 1;
  const callers = Array.from(
    { length: calls },
    (_, i) => `7706${String(b.warmUps).padStart(3, '0')}${String(i).padStart(4, '0')}`,
  );
  const timeoutS = Math.ceil(b.opts.talkMs / 1000) + 60;
  const run = await placeCallers(b.sippDir, `warmup${b.warmUps}`, callers, b.opts.rate, timeoutS);
  b.lastLevelEnd = Date.now();
  if (run.code !== 0) say(`warm-up calls after a controller start: sipp exit ${run.code}`);
}

/** One level, with the controller running or with Asterisk alone. */
async function runAs(b: Bench, pass: PassName, level: number): Promise<LevelResult> {
  await switchController(b, pass === 'controller');
  b.runs += 1;
  return runLevel(b, pass, b.runs, level);
}

/**
 * Both passes over the levels, interleaved: at each level the run with the controller and the run
 * with Asterisk alone follow each other, in ABBA order (with/alone, alone/with, ...), so that
 * what else the box does drifts into both alike and the controller restarts only every other
 * level. Each pass stops at its first failing level.
 */
async function runLevels(b: Bench): Promise<LevelResult[]> {
  const results: LevelResult[] = [];
  const alive: Record<PassName, boolean> = { controller: true, alone: true };
  for (const [i, level] of b.opts.levels.entries()) {
    if (!alive.controller && !alive.alone) break;
    const order: PassName[] = i % 2 === 0 ? ['controller', 'alone'] : ['alone', 'controller'];
    for (const pass of order) {
      if (!alive[pass]) continue;
      const r = await runAs(b, pass, level);
      results.push(r);
      if (!held(r)) alive[pass] = false;
    }
  }
  return results;
}

/** A run with the controller and a run with Asterisk alone at the same level, back to back. */
interface Pair {
  w: LevelResult;
  a: LevelResult;
}

/** CPU-seconds of a run: the controller's, Asterisk's. */
function cpuSecondsOf(r: LevelResult): { c: number; ast: number } {
  return { c: ((r.controllerCpu ?? 0) * r.seconds) / 100, ast: (r.asteriskCpu * r.seconds) / 100 };
}

/** The controller's share of the capacity Asterisk has alone, and its own CPU share, in %. */
function shares(p: Pair): { capacity: number; own: number } {
  const { c, ast: aWith } = cpuSecondsOf(p.w);
  const aAlone = cpuSecondsOf(p.a).ast;
  return { capacity: (1 - aAlone / (aWith + c)) * 100, own: (c / (aAlone + c)) * 100 };
}

function busy(p: Pair, maxOthers: number): boolean {
  return p.w.othersCpu > maxOthers || p.a.othersCpu > maxOthers;
}

/**
 * The pairs the verdict rests on: at the highest level both passes held, the pair of the ramp
 * and more pairs (ABBA order continued) until `--repeats` of them ran on a quiet box, with at
 * most two more attempts.
 */
async function repeatPairs(b: Bench, results: LevelResult[]): Promise<Pair[]> {
  const level = results
    .filter((r) => r.pass === 'controller' && held(r))
    .map((r) => r.level)
    .filter((l) => results.some((x) => x.pass === 'alone' && x.level === l && held(x)))
    .at(-1);
  if (level === undefined) return [];
  const at = results.filter((r) => r.level === level);
  const pairs: Pair[] = [
    { w: at.find((r) => r.pass === 'controller')!, a: at.find((r) => r.pass === 'alone')! },
  ];
  let next: PassName = results.at(-1)!.pass;
  const { repeats, maxOthers } = b.opts;
  while (pairs.filter((p) => !busy(p, maxOthers)).length < repeats && pairs.length < repeats + 2) {
    const first = await runAs(b, next, level);
    const other: PassName = next === 'controller' ? 'alone' : 'controller';
    const second = await runAs(b, other, level);
    results.push(first, second);
    if (!held(first) || !held(second)) {
      say(`level ${level} did not hold in a repeated pair: no more pairs`);
      break;
    }
    pairs.push(first.pass === 'controller' ? { w: first, a: second } : { w: second, a: first });
    next = other;
  }
  return pairs;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((x, y) => x - y);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m]! : (v[m - 1]! + v[m]!) / 2;
}

// ---------------------------------------------------------------------------------------------
// Report

function fmt(v: number | null, digits = 1): string {
  return v === null || Number.isNaN(v) ? '-' : v.toFixed(digits);
}

function held(r: LevelResult): boolean {
  return r.failed === 0 && r.problems.length === 0;
}

/** Prints the results; the exit status: 0 targets met, 1 one missed, 2 no verdict. */
function report(opts: Options, results: LevelResult[], pairs: Pair[]): number {
  const cores = os.cpus().length;
  const head = [
    'run',
    'pass',
    'level',
    'failed',
    'retrans',
    'peak',
    'asterisk %',
    'controller %',
    'ctl/ast',
    'sipp %',
    'others %',
    'AMI ev/call',
    'lag p50',
    'lag p99',
    'lag max',
    'loop max',
    'ok',
  ];
  const rows = [...results]
    .sort((x, y) => (x.pass === y.pass ? x.run - y.run : x.pass === 'controller' ? -1 : 1))
    .map((r) => [
      String(r.run),
      r.pass === 'controller' ? 'with controller' : 'Asterisk alone',
      String(r.level),
      String(r.failed),
      String(r.retrans),
      String(r.peakBridged),
      fmt(r.asteriskCpu),
      fmt(r.controllerCpu),
      r.controllerCpu === null ? '-' : `${fmt((r.controllerCpu / r.asteriskCpu) * 100)} %`,
      fmt(r.harnessCpu),
      fmt(r.othersCpu),
      fmt(r.amiPerCall, 0),
      r.lagP50 === null ? '-' : `${fmt(r.lagP50, 0)} ms`,
      r.lagP99 === null ? '-' : `${fmt(r.lagP99, 0)} ms`,
      r.lagMax === null ? '-' : `${fmt(r.lagMax, 0)} ms`,
      r.loopMaxMs === null ? '-' : `${fmt(r.loopMaxMs, 0)} ms`,
      held(r) ? 'yes' : 'NO',
    ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out: string[] = ['', line(head), line(widths.map((w) => '-'.repeat(w)))];
  for (const r of rows) out.push(line(r));
  out.push(
    '',
    `CPU in % of one core (${cores} cores: ${cores * 100} % in all) from the first call placed to ` +
      '2 s after the last one ended. "run": the order the runs took (the passes interleave); ' +
      '"peak": most calls in conversation at once; "sipp": the ' +
      'load generator (phones, callers, this script); "retrans": SIP messages sipp sent again; ' +
      '"others": the rest of the box, processes ' +
      'that are not part of the benchmark included; "lag": from the AMI event to the live view; ' +
      '"loop max": the controller\'s worst event-loop delay.',
  );

  const withCtl = results.filter((r) => r.pass === 'controller');
  const alone = results.filter((r) => r.pass === 'alone');
  const best = (rs: LevelResult[]) =>
    rs.filter(held).reduce<LevelResult | null>((m, r) => (m && m.level >= r.level ? m : r), null);
  const bestWith = best(withCtl);
  const bestAlone = best(alone);
  out.push(
    '',
    `highest level with zero failed calls, controller running: ${bestWith?.level ?? 'none'}`,
    `highest level with zero failed calls, Asterisk alone:     ${bestAlone?.level ?? 'none'}`,
  );

  // The controller's cost: the median over the pairs at the highest level both passes held.
  let share: number | null = null;
  let noVerdict: string | null = null;
  if (pairs.length > 0) {
    const level = pairs[0]!.w.level;
    out.push(
      '',
      `pairs at level ${level} (CPU-s over each run; capacity share 1 - A_alone / (A_with + C), ` +
        `own share C / (A_alone + C)):`,
    );
    for (const p of pairs) {
      const { c, ast: aWith } = cpuSecondsOf(p.w);
      const aAlone = cpuSecondsOf(p.a).ast;
      const sh = shares(p);
      out.push(
        `  runs ${p.w.run}/${p.a.run}: controller C ${fmt(c, 2)}, Asterisk A_with ` +
          `${fmt(aWith, 2)}, A_alone ${fmt(aAlone, 2)}; capacity share ${fmt(sh.capacity)} %, ` +
          `own share ${fmt(sh.own)} %; others ${fmt(p.w.othersCpu)} % / ${fmt(p.a.othersCpu)} %` +
          (busy(p, opts.maxOthers) ? ` (busy box: not counted)` : ''),
      );
    }
    const quiet = pairs.filter((p) => !busy(p, opts.maxOthers));
    const med = (f: (p: Pair) => number) => median(quiet.map(f));
    const c = med((p) => cpuSecondsOf(p.w).c);
    const aWith = med((p) => cpuSecondsOf(p.w).ast);
    const aAlone = med((p) => cpuSecondsOf(p.a).ast);
    const capacity = med((p) => shares(p).capacity);
    const own = med((p) => shares(p).own);
    if (quiet.length < opts.repeats) {
      noVerdict =
        `no verdict on the controller's cost: only ${quiet.length} of ${pairs.length} pairs at ` +
        `level ${level} ran while the rest of the box used at most ${opts.maxOthers} % of a ` +
        `core (${opts.repeats} needed); other processes were busy: run again on a quiet box`;
      out.push(noVerdict);
    } else {
      share = capacity;
      out.push(
        `at level ${level}, median of ${quiet.length} pairs: the controller used ` +
          `${fmt(c, 2)} CPU-s, Asterisk ${fmt(aWith, 2)} CPU-s with it and ${fmt(aAlone, 2)} ` +
          `CPU-s alone:`,
        `  the controller costs ${fmt(share)} % of the capacity Asterisk has alone ` +
          `(target <= ${opts.maxShare} %)`,
        `  the controller's own CPU is ${fmt(own)} % of what it and Asterisk alone use together`,
      );
    }
  } else {
    out.push('no level held in both passes: the controller cost could not be computed');
  }
  const heldWith = withCtl.filter(held);
  const worstP99 = heldWith.reduce<number | null>(
    (m, r) => (r.lagP99 === null ? m : Math.max(m ?? 0, r.lagP99)),
    null,
  );
  const worstMax = heldWith.reduce<number | null>(
    (m, r) => (r.lagMax === null ? m : Math.max(m ?? 0, r.lagMax)),
    null,
  );
  out.push(
    `controller event lag over the levels held: worst p99 ${fmt(worstP99, 0)} ms, ` +
      `worst single ${fmt(worstMax, 0)} ms (target p99 < ${opts.maxLagMs} ms)`,
  );

  const targets = [
    {
      name: `at least ${opts.target} concurrent recorded calls with the controller`,
      met: (bestWith?.level ?? 0) >= opts.target,
    },
    {
      name: `controller cost <= ${opts.maxShare} %`,
      met: share !== null && share <= opts.maxShare,
    },
    {
      name: `controller lag p99 < ${opts.maxLagMs} ms`,
      met: worstP99 !== null && worstP99 < opts.maxLagMs,
    },
  ];
  out.push('');
  for (const t of targets) {
    const unknown = noVerdict !== null && t.name.startsWith('controller cost');
    out.push(`${unknown ? 'UNKNOWN' : t.met ? 'met    ' : 'MISSED '}  ${t.name}`);
  }
  process.stdout.write(out.join('\n') + '\n');
  if (targets.every((t) => t.met)) return 0;
  return noVerdict !== null ? 2 : 1;
}

// ---------------------------------------------------------------------------------------------
// Main

let phones: Phones | null = null;
let controller = null as Controller | null;
let bench: Bench | null = null;
let labStarted = false;
let dataDir: string | null = null;
let keepData = false;
let cleaning: Promise<void> | null = null;

function cleanup(): Promise<void> {
  return (cleaning ??= (async () => {
    bench?.watch?.close();
    await terminate(callersRun).catch(() => undefined);
    await phones?.stop().catch(() => undefined);
    await controller?.stop().catch(() => undefined);
    if (labStarted) {
      await lab('stop', '--instance', INSTANCE).catch((err: unknown) => {
        process.stderr.write(`stopping the lab instance failed: ${String(err)}\n`);
      });
    }
    if (dataDir && !keepData) await rm(dataDir, { recursive: true, force: true });
    else if (dataDir) process.stdout.write(`data dir kept: ${dataDir}\n`);
  })());
}

let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    process.stderr.write(`\n${signal}: stopping everything the benchmark started\n`);
    void cleanup().finally(() => process.exit(130));
  });
}

async function main(): Promise<number> {
  const opts = parseOptions(process.argv.slice(2));
  keepData = opts.keep;
  if (process.getuid?.() !== 0) throw new Error('the PBX lab needs root: run this as root');
  const operators = Math.max(...opts.levels);
  const watchdog = setTimeout(() => {
    process.stderr.write(`aborting: the benchmark ran over ${opts.maxMinutes} minutes\n`);
    void cleanup().finally(() => process.exit(2));
  }, opts.maxMinutes * 60_000);
  watchdog.unref();

  if ((await lab('status', '--instance', INSTANCE).catch(() => 'stopped')).startsWith('running')) {
    say(`lab instance ${INSTANCE} is still running from an earlier run: stopping it`);
    await lab('stop', '--instance', INSTANCE);
  }
  await checkPortsFree();

  dataDir = await mkdtemp(path.join(os.tmpdir(), 'kcc-bench-'));
  const env: TestEnv = { dataDir, httpPort: await freeTcpPort(), adminPassword: ADMIN_PASSWORD };
  say(`preparing the controller's data in ${dataDir}`);
  await prepare(env);
  labStarted = true;
  await labVerbose(
    'start',
    '--instance',
    INSTANCE,
    '--generated',
    path.join(dataDir, 'asterisk'),
    '--fresh',
  );
  const paths = await labPaths();
  env.recordingsDir = paths.spool;
  env.pbxLogDir = paths.log;
  const root = paths.root!;

  controller = new Controller(env);
  await controller.start();
  const api = new Api(controller.url, caOf(env));
  await api.login('admin', ADMIN_PASSWORD);
  await waitForPbx(api);
  await ok(api.put('/api/calendar/hours', ALWAYS_OPEN), 'hours');

  say(`creating ${operators} SIP operators`);
  const usernames = Array.from(
    { length: operators },
    (_, i) => `bench-op${String(i + 1).padStart(3, '0')}`,
  );
  const t0 = Date.now();
  for (const username of usernames) {
    await ok(
      api.post('/api/users', {
        username,
        displayName: username,
        password: OPERATOR_PASSWORD,
        role: 'operator',
        languages: ['kk', 'ru'],
        phoneType: 'sip',
      }),
      `create ${username}`,
    );
  }
  say(`operators created in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const secrets = new Map<string, string>();
  const userIds = new Map<string, number>();
  {
    const db = new Database(path.join(dataDir, 'kcc.sqlite'), {
      readonly: true,
      fileMustExist: true,
    });
    try {
      const rows = db
        .prepare("select id, username, sip_secret from users where username like 'bench-op%'")
        .all() as Array<{ id: number; username: string; sip_secret: string | null }>;
      for (const r of rows) {
        userIds.set(r.username, r.id);
        if (r.sip_secret) secrets.set(r.username, r.sip_secret);
      }
    } finally {
      db.close();
    }
  }

  const sippDir = path.join(dataDir, 'sipp');
  mkdirSync(sippDir);
  phones = await Phones.create(sippDir);
  // Registered for longer than the benchmark may run.
  const expiresS = Math.ceil(opts.maxMinutes * 60 + 600);
  await phones.register(
    usernames.map((username) => {
      const password = secrets.get(username);
      if (!password) throw new Error(`no SIP password for ${username}`);
      return { username, password };
    }),
    expiresS,
  );
  await phones.start({
    ringMs: RING_MS,
    talkMs: opts.talkMs,
    audio: opts.audio,
    timeoutS: Math.ceil(opts.maxMinutes * 60 + 120),
  });
  // New operators are offline (paused in the queues) until they say they are ready, and pause
  // for after-call work after each call: the supervisor makes them ready, without that pause.
  await ok(api.put('/api/agents/settings', { acwSeconds: 0 }), 'no after-call work');
  for (const username of usernames) {
    await ok(api.put(`/api/agents/${userIds.get(username)}/status`, { status: 'ready' }), username);
  }
  await waitFor(
    `${operators} operators free in queue ${QUEUE}`,
    async () => ((await freeMembers(root)) >= operators ? true : undefined),
    30_000,
    500,
  ).catch(async (err: unknown) => {
    const queue = await asteriskCli(root, `queue show ${QUEUE}`).catch(() => '');
    throw new Error(`${String(err)}\n${tail(queue, 3000)}`);
  });
  say(
    `${operators} phones registered from 127.0.0.1:${phones.port} and answering there ` +
      `(media from port ${phones.mediaPort})`,
  );

  await publishFlow(api, 'bench', {
    start: 'greet',
    nodes: {
      greet: { type: 'play', prompt: 'greeting', next: 'queue' },
      queue: { type: 'queue', queue: QUEUE },
    },
  });
  await routeServices(api, 'bench');

  const watch = new LiveWatch();
  await watch.open(controller.url, caOf(env), api.cookie ?? '');

  bench = {
    opts,
    env,
    root,
    spool: paths.spool!,
    cdrFile: path.join(paths.log!, 'cdr-csv/Master.csv'),
    controller,
    api,
    watch,
    phones,
    sippDir,
    lastLevelEnd: 0,
    runs: 0,
    amiConnections: 0,
    warmUps: 0,
  };
  say(
    `levels ${opts.levels.join(', ')}, each with the controller running and with Asterisk ` +
      `alone, interleaved; then ${opts.repeats} pairs in all at the highest level both held`,
  );
  await warmUp(bench);
  const results = await runLevels(bench);
  const pairs = await repeatPairs(bench, results);
  await switchController(bench, false);

  // pino writes JSON lines; level 40 is a warning, 50 an error.
  const complaints = controller
    .output()
    .split('\n')
    .filter((l) => /"level":(4|5|6)0\b/.test(l) && !l.includes('"reason":"controller stopping"'));
  say(
    `controller: ${bench.amiConnections} AMI connection(s) over ${
      results.filter((r) => r.pass === 'controller').length
    } runs, ${complaints.length} warnings or errors logged` +
      (complaints.length
        ? `:\n  ${complaints
            .slice(0, 5)
            .map((l) => tail(l, 400))
            .join('\n  ')}`
        : ''),
  );

  clearTimeout(watchdog);
  return report(opts, results, pairs);
}

let status = 2;
try {
  status = await main();
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message}\n\n${USAGE}`);
  } else {
    process.stderr.write(
      `benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    if (controller)
      process.stderr.write(`controller output:\n${tail(controller.output(), 3000)}\n`);
  }
} finally {
  await cleanup();
}
process.exit(status);
