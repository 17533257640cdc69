import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiClient } from '../api';
import type { Call } from '../types';
import { LiveCallsManager } from './live-calls-manager.svelte';
import { LiveManager } from './live-manager.svelte';

function makeCall(id: string, patch: Partial<Call> = {}): Call {
  return {
    id,
    direction: 'inbound',
    did: '193',
    service: '193',
    caller: '7701000000' + id,
    state: 'answered',
    startedAt: `2026-03-03T05:00:0${id}.000Z`,
    answeredAt: null,
    endedAt: null,
    durationSeconds: null,
    ...patch,
  };
}

describe('LiveCallsManager', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(items: Call[]) {
    let resolve: (response: Response) => void = () => {};
    const fetchImpl = vi.fn(
      () =>
        new Promise<Response>((r) => {
          resolve = r;
        }),
    );
    const manager = new LiveCallsManager(
      new ApiClient(fetchImpl as unknown as typeof fetch),
      new LiveManager({ createSocket: () => ({}) as never, url: () => '' }),
      5000,
    );
    const respond = async () => {
      resolve(new Response(JSON.stringify({ items }), { status: 200 }));
      await vi.runAllTicks();
      await Promise.resolve();
    };
    return { manager, respond, fetchImpl };
  }

  it('loads newest first and replays events that arrived during the load', async () => {
    const { manager, respond } = setup([makeCall('1'), makeCall('2')]);
    const loading = manager.load();
    manager.apply(makeCall('3', { state: 'ringing' }));
    await respond();
    await loading;
    expect(manager.calls.map((c) => c.id)).toEqual(['3', '2', '1']);
    expect(manager.loaded).toBe(true);
  });

  it('keeps an ended call for a few seconds, then drops it', async () => {
    const { manager, respond } = setup([makeCall('1')]);
    const loading = manager.load();
    await respond();
    await loading;
    manager.apply(
      makeCall('1', { state: 'ended', endedAt: '2026-03-03T05:01:00.000Z', durationSeconds: 60 }),
    );
    expect(manager.calls[0]?.state).toBe('ended');
    vi.advanceTimersByTime(4999);
    expect(manager.calls).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(manager.calls).toHaveLength(0);
  });
});
