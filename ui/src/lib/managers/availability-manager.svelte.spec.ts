import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api';
import type { Availability } from '../supervision/types';
import { AvailabilityManager } from './availability-manager.svelte';
import { LiveManager, type SocketLike } from './live-manager.svelte';

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
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
}

function figures(at: string, patch: Partial<Availability> = {}): Availability {
  return {
    at,
    offered: 10,
    answered: 9,
    missed: 1,
    completedInIvr: 0,
    lossPercent: 10,
    answeredWithinTargetPercent: 80,
    averageWaitSeconds: 12,
    longestWaitSeconds: 40,
    waitingNow: 0,
    longestWaitingNowSeconds: 0,
    inIvrNow: 0,
    talkingNow: 1,
    operators: { ready: 2, not_ready: 1, after_call_work: 0, unreachable: 0, offline: 3 },
    targets: { maxLossPercent: 5, targetWaitSeconds: 30 },
    ...patch,
  };
}

describe('AvailabilityManager', () => {
  let socket: FakeSocket;
  let live: LiveManager;
  let answers: Availability[];
  let fetchImpl: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    vi.useFakeTimers();
    live = new LiveManager({
      url: () => 'wss://kcc.test/api/ws',
      createSocket: () => (socket = new FakeSocket()),
    });
    answers = [];
    fetchImpl = vi.fn(async () => {
      const body = answers.shift() ?? figures('2026-03-03T05:00:00.000Z');
      return new Response(JSON.stringify(body), { status: 200 });
    });
  });
  afterEach(() => {
    live.disconnect();
    vi.useRealTimers();
  });

  const manager = () =>
    new AvailabilityManager(new ApiClient(fetchImpl as unknown as typeof fetch), live, 60_000);

  it('loads, then takes every push, and stops listening when released', async () => {
    answers.push(figures('2026-03-03T05:00:00.000Z'));
    const m = manager();
    live.connect();
    socket.open();
    const stop = m.start();
    await vi.waitFor(() => expect(m.figures?.offered).toBe(10));
    expect(socket.sent).toContainEqual({ type: 'subscribe', topics: ['availability'] });
    socket.receive({ type: 'subscribed', topics: ['availability'], denied: [] });
    await vi.advanceTimersByTimeAsync(0);
    socket.receive({
      type: 'event',
      topic: 'availability',
      event: 'availability.changed',
      data: figures('2026-03-03T05:00:05.000Z', { offered: 11, waitingNow: 1 }),
    });
    expect(m.figures).toMatchObject({ offered: 11, waitingNow: 1 });
    stop();
    await vi.advanceTimersByTimeAsync(0);
    expect(socket.sent.at(-1)).toEqual({ type: 'unsubscribe', topics: ['availability'] });
  });

  it('keeps newer pushed figures over an older REST answer', async () => {
    const m = manager();
    live.connect();
    socket.open();
    m.start();
    socket.receive({
      type: 'event',
      topic: 'availability',
      event: 'availability.changed',
      data: figures('2026-03-03T06:00:00.000Z', { offered: 50 }),
    });
    answers.push(figures('2026-03-03T05:59:00.000Z', { offered: 49 }));
    await m.load();
    expect(m.figures?.offered).toBe(50);
  });

  it('polls as a fallback and holds one set of figures however long it runs', async () => {
    const m = manager();
    m.start();
    await vi.advanceTimersByTimeAsync(0);
    const calls = fetchImpl.mock.calls.length;
    for (let i = 0; i < 5; i += 1) {
      answers.push(figures(`2026-03-03T07:0${i}:00.000Z`, { offered: 100 + i }));
    }
    await vi.advanceTimersByTimeAsync(5 * 60_000);
    expect(fetchImpl.mock.calls.length).toBe(calls + 5);
    expect(m.figures?.offered).toBe(104);
    m.reset();
    expect(m.figures).toBeNull();
  });
});
