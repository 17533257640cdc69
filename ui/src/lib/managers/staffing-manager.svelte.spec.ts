import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api';
import type { Staffing } from '../supervision/types';
import { LiveManager, type SocketLike } from './live-manager.svelte';
import { StaffingManager } from './staffing-manager.svelte';

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

const RAISED: Staffing = {
  open: true,
  evaluatedAt: '2026-03-03T04:00:00.000Z',
  minOperators: 3,
  alerts: [
    { id: 'operators_below_minimum', count: 1, minimum: 3, since: '2026-03-03T04:00:00.000Z' },
    { id: 'no_supervisor', since: '2026-03-03T04:00:00.000Z' },
  ],
  history: [
    {
      at: '2026-03-03T04:00:00.000Z',
      id: 'no_supervisor',
      change: 'raised',
      count: null,
      minimum: null,
    },
  ],
};

describe('StaffingManager', () => {
  let socket: FakeSocket;
  let live: LiveManager;
  let answer: Staffing;
  let fetchImpl: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    vi.useFakeTimers();
    live = new LiveManager({
      url: () => 'wss://kcc.test/api/ws',
      createSocket: () => (socket = new FakeSocket()),
    });
    answer = RAISED;
    fetchImpl = vi.fn(async () => new Response(JSON.stringify(answer), { status: 200 }));
  });
  afterEach(() => {
    live.disconnect();
    vi.useRealTimers();
  });

  it('shows the alerts, follows pushes and reloads the journal with each', async () => {
    const m = new StaffingManager(new ApiClient(fetchImpl as unknown as typeof fetch), live);
    live.connect();
    socket.open();
    m.start();
    await vi.waitFor(() => expect(m.loaded).toBe(true));
    expect(m.open).toBe(true);
    expect(m.alerts.map((a) => a.id)).toEqual(['operators_below_minimum', 'no_supervisor']);
    expect(fetchImpl.mock.calls[0]?.[0]).toContain('/api/supervision/staffing');

    answer = { ...RAISED, alerts: [], history: [] };
    socket.receive({
      type: 'event',
      topic: 'staffing',
      event: 'staffing.changed',
      data: { open: true, evaluatedAt: '2026-03-03T04:05:00.000Z', alerts: [] },
    });
    // The pushed state shows at once; the journal follows from REST.
    expect(m.alerts).toEqual([]);
    await vi.waitFor(() => expect(m.history).toEqual([]));
    m.reset();
    expect(m.loaded).toBe(false);
    expect(m.open).toBeNull();
  });
});
