/**
 * A minimal SIP-over-WebSocket client (RFC 7118) for tests: enough to REGISTER with digest
 * authentication the way a browser softphone does, through the controller's `/ws`.
 */
import { createHash, randomBytes } from 'node:crypto';
import WebSocket from 'ws';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const token = () => randomBytes(6).toString('hex');

export interface SipResponse {
  status: number;
  reason: string;
  headers: Map<string, string>;
}

export function parseResponse(text: string): SipResponse {
  const [head] = text.split('\r\n\r\n');
  const lines = head!.split('\r\n');
  const m = /^SIP\/2\.0 (\d{3}) (.*)$/.exec(lines[0] ?? '');
  if (!m) throw new Error(`not a SIP response: ${lines[0]}`);
  const headers = new Map<string, string>();
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers.set(l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim());
  }
  return { status: Number(m[1]), reason: m[2]!, headers };
}

function digestParams(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.replace(/^Digest\s+/i, '').matchAll(/(\w+)=(?:"([^"]*)"|([^,\s]*))/g)) {
    out[m[1]!.toLowerCase()] = m[2] ?? m[3] ?? '';
  }
  return out;
}

export class SipWsClient {
  private cseq = 0;
  private readonly callId = `${token()}@kcc-test`;
  private readonly tag = token();
  private waiting: ((text: string) => void) | null = null;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('SIP/2.0') && this.waiting) {
        const w = this.waiting;
        this.waiting = null;
        w(text);
      }
    });
  }

  /** Opens the WebSocket; rejects with the HTTP status when the upgrade is refused. */
  static open(url: string, opts: { ca: string; cookie?: string }): Promise<SipWsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, 'sip', {
        ca: opts.ca,
        headers: opts.cookie ? { cookie: opts.cookie } : {},
        handshakeTimeout: 10_000,
      });
      ws.once('open', () => resolve(new SipWsClient(ws)));
      ws.once('unexpected-response', (_req, res) =>
        reject(
          Object.assign(new Error(`upgrade refused: ${res.statusCode}`), {
            status: res.statusCode,
          }),
        ),
      );
      ws.once('error', reject);
    });
  }

  get protocol(): string {
    return this.ws.protocol;
  }

  private request(user: string, domain: string, authorization?: string): Promise<SipResponse> {
    this.cseq += 1;
    const uri = `sip:${domain}`;
    const msg = [
      `REGISTER ${uri} SIP/2.0`,
      `Via: SIP/2.0/WSS ${token()}.invalid;branch=z9hG4bK${token()}`,
      'Max-Forwards: 70',
      `From: <sip:${user}@${domain}>;tag=${this.tag}`,
      `To: <sip:${user}@${domain}>`,
      `Call-ID: ${this.callId}`,
      `CSeq: ${this.cseq} REGISTER`,
      `Contact: <sip:${user}@${token()}.invalid;transport=ws>;expires=60`,
      'Expires: 60',
      ...(authorization ? [`Authorization: ${authorization}`] : []),
      'User-Agent: kcc-test',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no SIP response within 10 s')), 10_000);
      this.waiting = (text) => {
        clearTimeout(timer);
        resolve(parseResponse(text));
      };
      this.ws.send(msg);
    });
  }

  /** REGISTER, answer the digest challenge, and return the final response. */
  async register(user: string, password: string, domain: string): Promise<SipResponse> {
    const first = await this.request(user, domain);
    if (first.status !== 401) return first;
    const p = digestParams(first.headers.get('www-authenticate') ?? '');
    const uri = `sip:${domain}`;
    const ha1 = md5(`${user}:${p.realm}:${password}`);
    const ha2 = md5(`REGISTER:${uri}`);
    const nc = '00000001';
    const cnonce = token();
    const qop = p.qop ? 'auth' : undefined;
    const response = qop
      ? md5(`${ha1}:${p.nonce}:${nc}:${cnonce}:${qop}:${ha2}`)
      : md5(`${ha1}:${p.nonce}:${ha2}`);
    const auth = [
      `Digest username="${user}"`,
      `realm="${p.realm}"`,
      `nonce="${p.nonce}"`,
      `uri="${uri}"`,
      `response="${response}"`,
      'algorithm=MD5',
      ...(p.opaque ? [`opaque="${p.opaque}"`] : []),
      ...(qop ? [`qop=${qop}`, `nc=${nc}`, `cnonce="${cnonce}"`] : []),
    ].join(', ');
    return this.request(user, domain, auth);
  }

  close(): void {
    this.ws.close();
  }
}
