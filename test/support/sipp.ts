/**
 * Callers played by sipp (Debian's sip-tester): `sipp/uac-caller.xml` dials a DID on the PBX
 * as the carrier would, holds the call for `holdMs`, then hangs up. `-rtp_echo` returns whatever
 * media the PBX sends, so the call carries real RTP both ways.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SCENARIO = path.join(path.dirname(fileURLToPath(import.meta.url)), 'sipp/uac-caller.xml');

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
  const localPort = await freeUdpPort();
  const mediaPort = await freeUdpPort();
  const args = [
    '-sf',
    SCENARIO,
    '-key',
    'caller',
    opts.callerId ?? '77011234567',
    '-s',
    opts.did,
    `127.0.0.1:${opts.pbxPort}`,
    '-i',
    '127.0.0.1',
    '-p',
    String(localPort),
    '-mp',
    String(mediaPort),
    '-m',
    '1',
    '-d',
    String(opts.holdMs),
    '-rtp_echo',
    '-nostdin',
    '-timeout',
    `${opts.timeoutS ?? Math.ceil(opts.holdMs / 1000) + 30}s`,
    '-timeout_error',
    '-trace_err',
    '-error_file',
    `/tmp/sipp-${localPort}-errors.log`,
  ];
  const child = spawn('sipp', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20000)));
  child.stderr.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20000)));
  const done = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return {
    done,
    kill: () => child.kill('SIGKILL'),
    process: child,
    output: () => out,
  };
}
