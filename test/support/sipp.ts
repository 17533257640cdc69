/**
 * SIP parties played by sipp (Debian's sip-tester 3.6), all on loopback against the PBX lab:
 *
 * - `placeCall`: `sipp/uac-caller.xml` dials a DID as the carrier would, holds the call for
 *   `holdMs`, then hangs up.
 * - `placeIvrCall`: `sipp/uac-ivr.xml` dials a DID, sends DTMF (RFC 4733 events) at chosen moments
 *   after the answer, then hangs up or waits for the PBX to hang up.
 * - `startOperator`: an operator's SIP phone; `sipp/uac-register.xml` registers it to its endpoint
 *   (digest auth), then `sipp/uas-operator.xml` answers, talks and hangs up, or just rings.
 *
 * The callers run with `-rtp_echo` and return whatever media the PBX sends them. The phone does not
 * echo (two echoing ends would bounce every packet between them without end once anything plays
 * into the bridge): it stays silent, or with `audio` plays 7 s of PCMA speech after answering.
 *
 * sipp's exit codes: 0 every call went as the scenario intends (for the IVR caller: it hung up
 * itself or accepted the PBX's BYE; for the phone: each call was answered and ended by either side,
 * or was cancelled while ringing); 1 at least one call failed (unexpected message, error response,
 * retransmission time-out); 255 (-1) fatal error, including the global `-timeout` (set through
 * `timeoutS`, with -timeout_error); 254 (-2) a socket could not be bound; 99 no call was processed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SIPP_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sipp');
const SCENARIO = path.join(SIPP_DIR, 'uac-caller.xml');
const IVR_SCENARIO = path.join(SIPP_DIR, 'uac-ivr.xml');
const REGISTER_SCENARIO = path.join(SIPP_DIR, 'uac-register.xml');
const OPERATOR_SCENARIO = path.join(SIPP_DIR, 'uas-operator.xml');
/** 7 s of PCMA speech shipped with Debian's sip-tester. */
const OPERATOR_AUDIO = '/usr/share/sip-tester/g711a.pcap';

export interface SippCall {
  /** Resolves with sipp's exit code when the call is over. */
  done: Promise<number>;
  /** Kills sipp without a BYE (the PBX notices only when its RTP timeout fires). */
  kill(): void;
  process: ChildProcess;
  output(): string;
}

/** A free UDP port on loopback for sipp's signalling. */
export async function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * sipp binds four consecutive UDP ports from `-mp`: audio RTP/RTCP and video RTP/RTCP (the video
 * pair even for audio-only scenarios). Ports the kernel hands out for `bind(0)` come from the
 * ephemeral range, where the next sipp's signalling socket may already sit on `mp + 2`; so media
 * ports come from their own range, between Asterisk's RTP range (10000–20000) and the ephemeral
 * one (32768+), each block checked free as a whole and never handed out twice by this process.
 */
const MEDIA_RANGE = { start: 21000, end: 32000 };
let nextMediaBlock =
  MEDIA_RANGE.start + ((process.pid * 4) % (MEDIA_RANGE.end - MEDIA_RANGE.start));

async function udpPortIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** The first of four consecutive free UDP ports on loopback for sipp's media (`-mp`). */
export async function freeMediaPort(): Promise<number> {
  for (let tries = 0; tries < 1000; tries++) {
    const base = nextMediaBlock - (nextMediaBlock % 4);
    nextMediaBlock = base + 4 >= MEDIA_RANGE.end ? MEDIA_RANGE.start : base + 4;
    const free = await Promise.all([0, 1, 2, 3].map((i) => udpPortIsFree(base + i)));
    if (free.every(Boolean)) return base;
  }
  throw new Error(
    `no four free UDP ports for sipp media in ${MEDIA_RANGE.start}-${MEDIA_RANGE.end}`,
  );
}

/** A free TCP port on loopback. */
export async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function placeCall(opts: {
  did: string;
  pbxPort: number;
  holdMs: number;
  callerId?: string;
  timeoutS?: number;
}): Promise<SippCall> {
  const { args: common } = await carrierCallArgs({
    did: opts.did,
    pbxPort: opts.pbxPort,
    timeoutS: opts.timeoutS ?? Math.ceil(opts.holdMs / 1000) + 30,
  });
  const args = [
    '-sf',
    SCENARIO,
    '-key',
    'caller',
    opts.callerId ?? '77011234567',
    '-d',
    String(opts.holdMs),
    ...common,
  ];
  let out = '';
  const run = await runSipp(args, (text) => (out = (out + text).slice(-20000)));
  return {
    done: run.done,
    kill: () => run.child.kill('SIGKILL'),
    process: run.child,
    output: () => out,
  };
}

/**
 * What every carrier-side caller passes to sipp: the DID and the PBX, free local signalling and
 * media ports on loopback, one call, media echoed back, and a bounded run whose errors are kept.
 */
async function carrierCallArgs(o: {
  did: string;
  pbxPort: number;
  timeoutS: number;
}): Promise<{ localPort: number; args: string[] }> {
  const localPort = await freeUdpPort();
  const mediaPort = await freeMediaPort();
  return {
    localPort,
    args: [
      '-s',
      o.did,
      `127.0.0.1:${o.pbxPort}`,
      '-i',
      '127.0.0.1',
      '-p',
      String(localPort),
      '-mp',
      String(mediaPort),
      '-m',
      '1',
      '-rtp_echo',
      '-nostdin',
      '-timeout',
      `${o.timeoutS}s`,
      '-timeout_error',
      '-trace_err',
      '-error_file',
      `/tmp/sipp-${localPort}-errors.log`,
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Shared process handling

interface SippRun {
  child: ChildProcess;
  done: Promise<number>;
  exited(): boolean;
}

/**
 * Starts sipp; stdout and stderr go to `append`. `done` resolves with the exit code (-1: signal).
 * Each sipp also gets a control port of its own: by default sipp scans only UDP 8888-8947 for
 * one, so with sixty sipps running the next fails at start.
 */
async function runSipp(args: string[], append: (text: string) => void): Promise<SippRun> {
  const controlPort = await freeUdpPort();
  const child = spawn('sipp', [...args, '-cp', String(controlPort)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = false;
  child.stdout?.on('data', (d: Buffer) => append(d.toString()));
  child.stderr?.on('data', (d: Buffer) => append(d.toString()));
  const done = new Promise<number>((resolve) => {
    child.once('error', (err) => {
      exited = true;
      append(`\nsipp could not be started: ${err.message}\n`);
      resolve(-1);
    });
    child.once('exit', (code) => {
      exited = true;
      resolve(code ?? -1);
    });
  });
  return { child, done, exited: () => exited };
}

/** Resolves with true when `done` settles within `ms`, false otherwise. */
async function settlesWithin(done: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const result = await Promise.race([done.then(() => true as const), timeout]);
  clearTimeout(timer);
  return result;
}

/** Ends a sipp process: SIGTERM, then SIGKILL when it is still there after 3 s. */
async function terminate(run: SippRun): Promise<void> {
  if (run.exited()) return;
  run.child.kill('SIGTERM');
  if (!(await settlesWithin(run.done, 3000))) {
    run.child.kill('SIGKILL');
    await run.done;
  }
}

/** Lines of a sipp `<log>` file (`call=N event=NAME [key=value]`) as "NAME" or "NAME value". */
function readEvents(logFile: string): string[] {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return [];
  }
  const events: string[] = [];
  for (const line of text.split('\n')) {
    const event = /\bevent=(\S+)/.exec(line)?.[1];
    if (!event) continue;
    const digits = /\bdigits=(\S+)/.exec(line)?.[1];
    events.push(digits ? `${event} ${digits}` : event);
  }
  return events;
}

function tail(text: string, chars = 3000): string {
  return text.length > chars ? text.slice(-chars) : text;
}

/** True when a UDP socket is bound to `port` on this host (read from /proc, binds nothing). */
function udpPortBound(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let table: string;
    try {
      table = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of table.split('\n').slice(1)) {
      const local = line.trim().split(/\s+/)[1];
      if (local?.endsWith(`:${hexPort}`)) return true;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// IVR caller

/** Steps `uac-ivr.xml` can run (one per `-key waitN`/`-key dtmfN` pair). */
export const IVR_MAX_STEPS = 6;

/** Time to send `digits` (one SIP INFO per step, answered at once on loopback). */
export function dtmfPlaybackMs(digits: string): number {
  return digits.length === 0 ? 0 : 50;
}

export interface IvrStep {
  /**
   * Pause before this step's digits: from the answer for the first step, otherwise from the end
   * of the previous step's digits.
   */
  waitMs: number;
  /**
   * Digits to send as RFC 4733 events: 0-9, *, #, A-D. Asterisk reports the first digit's end
   * 1.0 s after the wait, each further one 0.4 s later (see `dtmfPlaybackMs`). A step without
   * digits only waits (its wait is added to the next step's, or to `hangupAfterMs`).
   */
  dtmf?: string;
}

export interface SippIvrCall extends SippCall {
  /**
   * What the caller logged so far, in order: "answered", "dtmf <digits>" when a step starts
   * sending, then "local-bye" (the caller hung up) or "remote-bye" (the PBX hung up).
   */
  events(): string[];
}

/**
 * Dials `did` as the carrier would and runs `steps` after the answer. With `hangupAfterMs` the
 * caller hangs up that long after the last step's digits were sent (or after the answer when
 * there are none); without it the caller waits for the PBX to hang up. Either way a BYE from the
 * PBX at any moment after the answer ends the call normally (exit code 0): check `events()` for
 * who hung up. `timeoutS` bounds the whole run (default: the planned duration plus 30 s, or plus
 * 60 s when waiting for the PBX's BYE); on time-out sipp exits 255.
 */
export async function placeIvrCall(opts: {
  did: string;
  pbxPort: number;
  steps: IvrStep[];
  hangupAfterMs?: number;
  callerId?: string;
  timeoutS?: number;
}): Promise<SippIvrCall> {
  const slots: Array<{ pauseMs: number; digits: string }> = [];
  let carryMs = 0;
  let previousDigits = '';
  for (const step of opts.steps) {
    if (!Number.isFinite(step.waitMs) || step.waitMs < 0) {
      throw new Error(`placeIvrCall: waitMs must be a non-negative number, got ${step.waitMs}`);
    }
    const digits = step.dtmf ?? '';
    if (!/^[0-9*#A-D]?$/.test(digits)) {
      throw new Error(`placeIvrCall: dtmf is one key (0-9, *, #, A-D) per step, got "${digits}"`);
    }
    if (digits === '') {
      carryMs += step.waitMs;
      continue;
    }
    slots.push({
      pauseMs: Math.round(dtmfPlaybackMs(previousDigits) + carryMs + step.waitMs),
      digits,
    });
    previousDigits = digits;
    carryMs = 0;
  }
  if (slots.length > IVR_MAX_STEPS) {
    throw new Error(
      `placeIvrCall: at most ${IVR_MAX_STEPS} steps with digits, got ${slots.length}`,
    );
  }
  if (opts.hangupAfterMs !== undefined && !(opts.hangupAfterMs >= 0)) {
    throw new Error(`placeIvrCall: hangupAfterMs must be non-negative, got ${opts.hangupAfterMs}`);
  }
  const hangupMs =
    opts.hangupAfterMs === undefined
      ? -1
      : Math.round(dtmfPlaybackMs(previousDigits) + carryMs + opts.hangupAfterMs);
  const plannedMs = slots.reduce((sum, s) => sum + s.pauseMs, 0) + Math.max(hangupMs, 0);
  const timeoutS =
    opts.timeoutS ?? Math.ceil(plannedMs / 1000) + (opts.hangupAfterMs === undefined ? 60 : 30);

  const { localPort, args: common } = await carrierCallArgs({
    did: opts.did,
    pbxPort: opts.pbxPort,
    timeoutS,
  });
  const logFile = `/tmp/sipp-${localPort}-ivr.log`;
  rmSync(logFile, { force: true });
  const keys: string[] = ['-key', 'steps', String(slots.length)];
  for (let i = 0; i < IVR_MAX_STEPS; i++) {
    const slot = slots[i];
    keys.push('-key', `wait${i + 1}`, String(slot?.pauseMs ?? 0));
    keys.push('-key', `dtmf${i + 1}`, slot?.digits ?? '');
  }
  const args = [
    '-sf',
    IVR_SCENARIO,
    '-key',
    'caller',
    opts.callerId ?? '77011234567',
    ...keys,
    '-key',
    'hangup_ms',
    String(hangupMs),
    ...common,
    '-trace_logs',
    '-log_file',
    logFile,
  ];
  let out = '';
  const run = await runSipp(args, (text) => (out = (out + text).slice(-20000)));
  return {
    done: run.done,
    kill: () => run.child.kill('SIGKILL'),
    process: run.child,
    output: () => out,
    events: () => readEvents(logFile),
  };
}

// ---------------------------------------------------------------------------------------------
// Operator phone

export interface SippOperator {
  /**
   * Resolves once Asterisk accepted the REGISTER (200 OK to the authenticated request, that is
   * the registration sipp exited 0) and the phone's sipp listens on the registered port. Rejects
   * when the registration failed or the phone did not start within 5 s.
   */
  registered: Promise<void>;
  /**
   * Resolves with the phone's sipp exit code once it handled `calls` calls (0: all went as
   * intended), with -1 when `stop()` ended it before that, or with the registration's exit code
   * when the registration failed.
   */
  done: Promise<number>;
  /** Stops the phone if it still runs, then removes its registration (Expires: 0). Never throws. */
  stop(): Promise<void>;
  output(): string;
  /**
   * What the phone logged so far, in order, for every call: "invite", then "answered" and
   * "local-bye" or "remote-bye", or "cancelled" (the PBX cancelled while it rang).
   */
  events(): string[];
  /** The phone's SIP port on 127.0.0.1 (its registered contact). */
  port: number;
}

/**
 * An operator's SIP phone for the endpoint `username` (from the `kcc-sip-endpoint` template):
 * registers with digest auth (Expires `expiresS`, default 600 s), then takes `calls` calls. Each
 * call rings `ringMs`, is answered with PCMA, lasts `talkMs` after the ACK and ends with the
 * phone's BYE, unless the PBX hangs up first (both normal). With `answer: false` every call rings
 * until the PBX cancels it. The phone sends no media unless `audio` is set: then it plays 7 s of
 * PCMA speech once after each answer (for recordings and listening in); it never echoes. `timeoutS` (default 120) bounds the phone's run; on time-out it exits
 * 255. Call `stop()` when the test ends, whatever happened.
 */
export async function startOperator(opts: {
  username: string;
  password: string;
  pbxPort: number;
  ringMs: number;
  talkMs: number;
  calls: number;
  answer?: boolean;
  audio?: boolean;
  expiresS?: number;
  timeoutS?: number;
}): Promise<SippOperator> {
  for (const [name, value] of Object.entries({ ringMs: opts.ringMs, talkMs: opts.talkMs })) {
    if (!Number.isFinite(value) || value < 0) {
      throw new Error(`startOperator: ${name} must be a non-negative number, got ${value}`);
    }
  }
  if (!Number.isInteger(opts.calls) || opts.calls < 1) {
    throw new Error(`startOperator: calls must be a positive integer, got ${opts.calls}`);
  }
  const port = await freeUdpPort();
  const mediaPort = await freeMediaPort();
  const logFile = `/tmp/sipp-${port}-operator.log`;
  rmSync(logFile, { force: true });
  let out = '';
  const append = (text: string) => (out = (out + text).slice(-40000));
  const pbx = `127.0.0.1:${opts.pbxPort}`;

  const registration = (expiresS: number) =>
    runSipp(
      [
        '-sf',
        REGISTER_SCENARIO,
        '-s',
        opts.username,
        '-au',
        opts.username,
        '-ap',
        opts.password,
        '-key',
        'expires',
        String(expiresS),
        pbx,
        '-i',
        '127.0.0.1',
        '-p',
        String(port),
        '-m',
        '1',
        '-nostdin',
        '-timeout',
        '10s',
        '-timeout_error',
        '-trace_err',
        '-error_file',
        `/tmp/sipp-${port}-register-errors.log`,
      ],
      append,
    );

  let phone: SippRun | undefined;
  let registeredOk = false;
  let stopping = false;
  // sipp ends with 0 on SIGTERM when no call failed so far: a phone that stop() ended before it
  // handled all its calls reports -1 instead.
  let cutShort = false;
  const register = await registration(opts.expiresS ?? 600);

  const registered = (async () => {
    const code = await register.done;
    if (code !== 0) {
      throw new Error(
        `REGISTER of ${opts.username} from 127.0.0.1:${port} failed (sipp exit ${code}):\n${tail(out)}`,
      );
    }
    registeredOk = true;
    if (stopping) {
      cutShort = true;
      throw new Error(`the phone of ${opts.username} was stopped`);
    }
    const running = await runSipp(
      [
        '-sf',
        OPERATOR_SCENARIO,
        '-s',
        opts.username,
        '-key',
        'ring_ms',
        String(Math.round(opts.ringMs)),
        '-key',
        'talk_ms',
        String(Math.round(opts.talkMs)),
        '-key',
        'answer',
        opts.answer === false ? '0' : '1',
        '-key',
        'audio',
        opts.audio ? '1' : '0',
        '-key',
        'audio_pcap',
        OPERATOR_AUDIO,
        '-i',
        '127.0.0.1',
        '-p',
        String(port),
        '-mp',
        String(mediaPort),
        '-m',
        String(opts.calls),
        '-nostdin',
        '-timeout',
        `${opts.timeoutS ?? 120}s`,
        '-timeout_error',
        '-trace_err',
        '-error_file',
        `/tmp/sipp-${port}-errors.log`,
        '-trace_logs',
        '-log_file',
        logFile,
      ],
      append,
    );
    phone = running;
    // The contact exists from the 200 OK on: a call may already be on its way, and Asterisk
    // retransmits its INVITE until this sipp has bound the port.
    const deadline = Date.now() + 5000;
    while (!udpPortBound(port)) {
      if (running.exited()) {
        throw new Error(`the phone of ${opts.username} exited at start:\n${tail(out)}`);
      }
      if (Date.now() > deadline) {
        throw new Error(`the phone of ${opts.username} did not bind port ${port} within 5 s`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  // A test that never awaits `registered` must not fail on an unhandled rejection.
  registered.catch(() => undefined);

  const done = registered
    .then(
      () => phone?.done ?? -1,
      () => (phone ? phone.done : register.done),
    )
    .then((code) => (cutShort ? -1 : code));

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      stopping = true;
      if (!register.exited() || (phone && !phone.exited())) cutShort = true;
      await terminate(register);
      if (phone) await terminate(phone);
      if (!registeredOk) return;
      const unregister = await registration(0);
      if (!(await settlesWithin(unregister.done, 12_000))) await terminate(unregister);
      const code = await unregister.done;
      if (code !== 0) append(`\nunregistering ${opts.username} failed: sipp exit ${code}\n`);
    })());

  return {
    registered,
    done,
    stop,
    output: () => out,
    events: () => readEvents(logFile),
    port,
  };
}

// ---------------------------------------------------------------------------------------------
// A number outside the center (a branch of the customer)

export interface SippBranch {
  /** The UDP port on 127.0.0.1 the branch's phone answers on (the trunk's outbound contact). */
  port: number;
  done: Promise<number>;
  events(): string[];
  output(): string;
  stop(): Promise<void>;
}

/**
 * A phone at an external number, reached through the carrier trunk: the same answering scenario
 * as an operator's phone, without registering (the trunk's outbound URI points at it).
 */
export async function startBranch(opts: {
  ringMs: number;
  talkMs: number;
  calls: number;
}): Promise<SippBranch> {
  const port = await freeUdpPort();
  const mediaPort = await freeMediaPort();
  const logFile = `/tmp/sipp-${port}-branch.log`;
  rmSync(logFile, { force: true });
  let out = '';
  const run = await runSipp(
    [
      '-sf',
      OPERATOR_SCENARIO,
      '-s',
      'branch',
      '-key',
      'ring_ms',
      String(Math.round(opts.ringMs)),
      '-key',
      'talk_ms',
      String(Math.round(opts.talkMs)),
      '-key',
      'answer',
      '1',
      '-key',
      'audio',
      '1',
      '-key',
      'audio_pcap',
      OPERATOR_AUDIO,
      '-i',
      '127.0.0.1',
      '-p',
      String(port),
      '-mp',
      String(mediaPort),
      '-m',
      String(opts.calls),
      '-nostdin',
      '-timeout',
      '120s',
      '-timeout_error',
      '-trace_err',
      '-error_file',
      `/tmp/sipp-${port}-errors.log`,
      '-trace_logs',
      '-log_file',
      logFile,
    ],
    (text) => (out = (out + text).slice(-20000)),
  );
  const deadline = Date.now() + 5000;
  while (!udpPortBound(port)) {
    if (run.exited() || Date.now() > deadline) {
      throw new Error(`the branch phone did not start on port ${port}:\n${tail(out)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port,
    done: run.done,
    events: () => readEvents(logFile),
    output: () => out,
    stop: () => terminate(run),
  };
}
