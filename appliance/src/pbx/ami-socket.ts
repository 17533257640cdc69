/**
 * One AMI session on the wire: TCP to Asterisk's manager port, login, actions answered by their
 * ActionID, and every event. A message is `Key: Value` lines ending in an empty line; keys and
 * values are trimmed, and a key that repeats keeps its last value.
 *
 * The PBX link reads every call's events through here (tens per call), so the parsing works on
 * the received text in place: no stream stages, no copies of each message back into a buffer.
 * Reconnection and time-outs belong to the caller (ami-link.ts).
 */
import { EventEmitter } from 'node:events';
import net from 'node:net';

export type AmiMessage = Record<string, string | undefined>;

export class AmiAuthError extends Error {
  override name = 'AmiAuthError';
}

interface AmiSocketEvents {
  /** A message with an `Event` key (list items of actions included). */
  event: [AmiMessage];
  /** The session ended (either side closed it, or the connection failed). */
  close: [];
  /** A socket error; `close` follows. */
  socketError: [Error];
}

const GREETING = 'Asterisk Call Manager';

interface Pending {
  resolve: (response: AmiMessage) => void;
  reject: (err: Error) => void;
}

export class AmiSocket extends EventEmitter<AmiSocketEvents> {
  private socket: net.Socket | null = null;
  private buffer = '';
  private greeted = false;
  private closed = false;
  private readonly pending = new Map<string, Pending>();
  private loginSeq = 0;

  get connected(): boolean {
    return this.socket !== null && !this.closed;
  }

  /** Connects and logs in; rejects with the socket's error, or AmiAuthError for a bad login. */
  async connect(host: string, port: number, username: string, secret: string): Promise<void> {
    if (this.socket) throw new Error('connect was called already');
    const socket = net.connect({ host, port });
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', (err) => this.emit('socketError', err));
    socket.on('close', () => this.onClose());
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error) => reject(err);
      const closed = () => reject(new Error('connection closed'));
      socket.once('error', failed);
      socket.once('close', closed);
      socket.once('connect', () => {
        socket.off('error', failed);
        socket.off('close', closed);
        resolve();
      });
    });
    const response = await this.action({
      Action: 'Login',
      Username: username,
      Secret: secret,
      ActionID: `login-${++this.loginSeq}`,
    }).catch((err: unknown) => {
      throw err instanceof Error && err.message === 'connection closed'
        ? new AmiAuthError('Asterisk closed the connection at login (ami auth error)')
        : err;
    });
    if (response.Response !== 'Success') {
      this.disconnect();
      throw new AmiAuthError(`AMI message: ${response.Message ?? 'login refused'}`);
    }
  }

  /** Sends an action and resolves with the response that carries its ActionID. */
  action(message: AmiMessage): Promise<AmiMessage> {
    const id = message.ActionID;
    const socket = this.socket;
    if (!id) return Promise.reject(new Error('an action needs an ActionID'));
    if (!socket || this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      socket.write(serialize(message));
    });
  }

  /** Closes the session; pending actions fail and `close` is emitted once. */
  disconnect(): void {
    this.socket?.destroy();
    this.onClose();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.buffer = '';
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(new Error('connection closed'));
    this.emit('close');
  }

  private receive(chunk: string): void {
    let text = this.buffer.length > 0 ? this.buffer + chunk : chunk;
    if (!this.greeted) {
      // The first line of a session names the protocol and ends in a single line break.
      const eol = text.indexOf('\r\n');
      if (eol < 0) {
        this.buffer = text;
        return;
      }
      if (text.startsWith(GREETING)) text = text.slice(eol + 2);
      this.greeted = true;
    }
    let start = 0;
    for (;;) {
      const end = text.indexOf('\r\n\r\n', start);
      if (end < 0) break;
      const message = parseMessage(text, start, end);
      start = end + 4;
      if (message) this.dispatch(message);
      if (this.closed) return;
    }
    this.buffer = start === 0 ? text : text.slice(start);
  }

  private dispatch(message: AmiMessage): void {
    if (message.Event !== undefined) {
      this.emit('event', message);
      return;
    }
    const id = message.ActionID;
    if (message.Response === undefined || id === undefined) return;
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    waiting.resolve(message);
  }
}

/** The `Key: Value` lines of text[from, to); null when there are none. */
export function parseMessage(text: string, from: number, to: number): AmiMessage | null {
  let message: AmiMessage | null = null;
  let pos = from;
  while (pos < to) {
    let eol = text.indexOf('\r\n', pos);
    if (eol < 0 || eol > to) eol = to;
    const colon = text.indexOf(':', pos);
    if (colon > pos && colon < eol) {
      // Asterisk writes `Key: Value`: cut at the known spots and trim only what has spaces left
      // (every event carries some twenty lines, so the copies add up).
      let key = text.slice(pos, colon);
      if (key.charCodeAt(0) === 32 || key.charCodeAt(key.length - 1) === 32) key = key.trim();
      let from = colon + 1;
      if (text.charCodeAt(from) === 32) from += 1;
      let value = text.slice(from, eol);
      if (value.charCodeAt(0) === 32 || value.charCodeAt(value.length - 1) === 32) {
        value = value.trim();
      }
      if (key) (message ??= {})[key] = value;
    }
    pos = eol + 2;
  }
  return message;
}

/** An action on the wire; a line break inside a value would end the message early. */
export function serialize(message: AmiMessage): string {
  let out = '';
  for (const key of Object.keys(message)) {
    const value = message[key];
    if (value === undefined) continue;
    out += `${key}: ${String(value).replace(/[\r\n]+/g, ' ')}\r\n`;
  }
  return `${out}\r\n`;
}
