import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Call } from '../types';
import { LiveManager, type SocketLike } from './live-manager.svelte';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }
  receive(message: unknown) {
    this.onmessage?.({ data: JSON.stringify(message) } as MessageEvent);
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code } as CloseEvent);
  }
}

const call: Call = {
  id: '1700000001.1',
  direction: 'inbound',
  did: '193',
  service: '193',
  caller: '77011234567',
  state: 'ringing',
  startedAt: '2026-03-03T05:00:00.000Z',
  answeredAt: null,
  endedAt: null,
  durationSeconds: null,
};

describe('LiveManager', () => {
  let sockets: FakeSocket[];
  let live: LiveManager;

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    live = new LiveManager({
      url: () => 'wss://kcc.test/api/ws',
      createSocket: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
      random: () => 1,
    });
  });

  afterEach(() => {
    live.disconnect();
    vi.useRealTimers();
  });

  it('subscribes on open and dispatches typed events of wanted topics', () => {
    const seen: Call[] = [];
    live.subscribe(['calls', 'health']);
    live.on('call.updated', (c) => seen.push(c));
    live.connect();
    expect(live.state).toBe('connecting');
    sockets[0]!.open();
    expect(live.state).toBe('open');
    expect(sockets[0]!.sent).toEqual([{ type: 'subscribe', topics: ['calls', 'health'] }]);
    sockets[0]!.receive({ type: 'subscribed', topics: ['calls', 'health'], denied: [] });
    expect(live.granted).toEqual(['calls', 'health']);
    sockets[0]!.receive({ type: 'event', topic: 'calls', event: 'call.updated', data: call });
    sockets[0]!.receive({ type: 'event', topic: 'summary', event: 'summary.changed', data: {} });
    expect(seen).toEqual([call]);
  });

  it('answers ping with pong', () => {
    live.connect();
    sockets[0]!.open();
    sockets[0]!.receive({ type: 'ping' });
    expect(sockets[0]!.sent).toContainEqual({ type: 'pong' });
  });

  it('reconnects with growing delays and subscribes again, then asks for a resync', () => {
    const resync = vi.fn();
    live.onResync(resync);
    live.subscribe(['calls']);
    live.connect();
    sockets[0]!.open();
    sockets[0]!.drop();
    expect(live.state).toBe('reconnecting');

    vi.advanceTimersByTime(999);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    sockets[1]!.drop();
    vi.advanceTimersByTime(1999);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);

    sockets[2]!.open();
    expect(live.state).toBe('open');
    expect(sockets[2]!.sent).toEqual([{ type: 'subscribe', topics: ['calls'] }]);
    expect(resync).toHaveBeenCalledTimes(1);
  });

  it('caps the delay at 30 s', () => {
    live.connect();
    for (let i = 0; i < 8; i += 1) {
      sockets.at(-1)!.drop();
      vi.advanceTimersByTime(30_000);
    }
    const count = sockets.length;
    sockets.at(-1)!.drop();
    vi.advanceTimersByTime(29_999);
    expect(sockets).toHaveLength(count);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(count + 1);
  });

  it('stops and reports an expired session on close code 4401', () => {
    const expired = vi.fn();
    live.onSessionExpired = expired;
    live.connect();
    sockets[0]!.open();
    sockets[0]!.drop(4401);
    expect(expired).toHaveBeenCalledOnce();
    expect(live.state).toBe('idle');
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });

  it('sends a new subscribe when a topic is added while open', () => {
    live.subscribe(['health']);
    live.connect();
    sockets[0]!.open();
    live.subscribe(['summary']);
    expect(sockets[0]!.sent.at(-1)).toEqual({ type: 'subscribe', topics: ['health', 'summary'] });
  });

  it('unsubscribes a topic when its last user releases it', () => {
    const releaseA = live.subscribe(['calls', 'health']);
    const releaseB = live.subscribe(['calls']);
    live.connect();
    sockets[0]!.open();
    releaseA();
    vi.advanceTimersByTime(0);
    expect(sockets[0]!.sent.at(-1)).toEqual({ type: 'unsubscribe', topics: ['health'] });
    releaseB();
    vi.advanceTimersByTime(0);
    expect(sockets[0]!.sent.at(-1)).toEqual({ type: 'unsubscribe', topics: ['calls'] });
    expect(live.topics).toEqual([]);
  });

  it('keeps a topic that is released and taken again in the same task', () => {
    const release = live.subscribe(['health']);
    live.connect();
    sockets[0]!.open();
    const sent = sockets[0]!.sent.length;
    release();
    live.subscribe(['health']);
    vi.advanceTimersByTime(0);
    expect(sockets[0]!.sent).toHaveLength(sent);
    expect(live.topics).toEqual(['health']);
  });
});
