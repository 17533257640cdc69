import { beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../admin/errors.js';
import { memoryDb, TestClock } from '../test-support.js';
import { DEFAULT_FLOW, DEMO_PROMPTS } from './default-flow.js';
import type { FlowGraph } from './model.js';
import { FlowService } from './service.js';
import { FlowStore } from './store.js';

const message = (prompt: string): FlowGraph => ({
  start: 'm',
  nodes: { m: { type: 'message', prompt } },
});

describe('FlowService', () => {
  let store: FlowStore;
  let flows: FlowService;
  let syncs: number;

  beforeEach(async () => {
    store = new FlowStore(await memoryDb());
    syncs = 0;
    flows = new FlowService({
      store,
      context: async () => ({
        prompts: new Set(Object.keys(DEMO_PROMPTS)),
        queues: new Set(['kk', 'ru', 'second_line']),
      }),
      syncPbx: async () => {
        syncs += 1;
      },
      now: new TestClock().now,
    });
    await flows.ensureDefault('main', 'Main', DEFAULT_FLOW);
  });

  it('ships the default flow published on every service number', async () => {
    expect((await store.get('main'))?.published_version).toBe(1);
    expect(Object.values(await store.serviceFlows())).toEqual(['main', 'main', 'main']);
    // A second start changes nothing.
    await flows.ensureDefault('main', 'Main', DEFAULT_FLOW);
    expect((await store.versions('main')).map((v) => v.version)).toEqual([1]);
  });

  it('saves versions without publishing, publishes one, and rolls back in one step', async () => {
    const v2 = await flows.saveVersion(
      'main',
      'Main',
      message('goodbye'),
      'closed for audit',
      'admin',
    );
    expect(v2).toBe(2);
    expect((await store.get('main'))?.published_version).toBe(1);
    expect(syncs).toBe(0);

    await flows.publish('main', v2);
    expect((await store.get('main'))?.published_version).toBe(2);
    expect(syncs).toBe(1);

    expect(await flows.rollback('main')).toBe(1);
    expect((await store.get('main'))?.published_version).toBe(1);
    expect((await store.published())[0]?.graph).toEqual(DEFAULT_FLOW);
    expect(syncs).toBe(2);
    await expect(flows.rollback('main')).rejects.toMatchObject({ code: 'no_previous' });
  });

  it('rejects an invalid flow with every problem, and stores nothing', async () => {
    const bad = { start: 'm', nodes: { m: { type: 'play', prompt: 'greeting', next: 'x' } } };
    const err = await flows
      .saveVersion('main', 'Main', bad, null, 'admin')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).statusCode).toBe(400);
    expect((err as AppError).details?.problems).toEqual(['nodes.m.next: points to missing node x']);
    expect((await store.versions('main')).map((v) => v.version)).toEqual([1]);
  });

  it('points a number only at a published flow', async () => {
    await expect(flows.setServiceFlow('193', 'ghost')).rejects.toMatchObject({
      message: 'flowId: no flow named ghost',
    });
    await flows.saveVersion('night', 'Night', message('after-hours'), null, 'admin');
    await expect(flows.setServiceFlow('193', 'night')).rejects.toMatchObject({
      message: 'flowId: flow night is not published',
    });
    await flows.publish('night', 1);
    await flows.setServiceFlow('193', 'night');
    expect((await store.serviceFlows())['193']).toBe('night');
    await expect(flows.setServiceFlow('999', 'night')).rejects.toMatchObject({ statusCode: 404 });
  });
});
