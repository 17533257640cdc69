import { describe, expect, it } from 'vitest';
import { compileFlow } from './compile.js';
import { DEFAULT_FLOW, DEMO_PROMPTS } from './default-flow.js';
import type { FlowGraph } from './model.js';
import { validateFlow, type FlowContext } from './validate.js';

const ctx: FlowContext = {
  prompts: new Set(Object.keys(DEMO_PROMPTS)),
  queues: new Set(['kk', 'ru', 'second_line']),
  flows: new Set(['main', 'night']),
};

describe('validateFlow', () => {
  it('accepts the default flow', () => {
    expect(validateFlow(DEFAULT_FLOW, ctx)).toEqual([]);
  });

  it('names a dangling edge by node and field', () => {
    const flow = structuredClone(DEFAULT_FLOW) as FlowGraph;
    flow.nodes.hours = { type: 'hours', open: 'main_menu', closed: 'nowhere' };
    expect(validateFlow(flow, ctx)).toEqual(['nodes.hours.closed: points to missing node nowhere']);
  });

  it('rejects a loop without an exit', () => {
    const flow: FlowGraph = {
      start: 'a',
      nodes: {
        a: { type: 'play', prompt: 'greeting', next: 'b' },
        b: {
          type: 'menu',
          prompt: 'main-menu',
          options: { '1': 'a' },
          timeoutSeconds: 3,
          retries: 1,
          onTimeout: 'a',
        },
      },
    };
    const problems = validateFlow(flow, ctx);
    expect(problems).toContain('nodes.a: loops without an exit (no path ends the call)');
    expect(problems).toContain('nodes.b: loops without an exit (no path ends the call)');
  });

  it('accepts a loop that has a way out', () => {
    const flow: FlowGraph = {
      start: 'a',
      nodes: {
        a: { type: 'play', prompt: 'greeting', next: 'b' },
        b: {
          type: 'menu',
          prompt: 'main-menu',
          options: { '1': 'a', '2': 'q' },
          timeoutSeconds: 3,
          retries: 1,
          onTimeout: 'a',
        },
        q: { type: 'queue', queue: 'ru' },
      },
    };
    expect(validateFlow(flow, ctx)).toEqual([]);
  });

  it('rejects unknown prompts, queues, flows and unreachable nodes', () => {
    const flow: FlowGraph = {
      start: 'a',
      nodes: {
        a: { type: 'play', prompt: 'nope', next: 'q' },
        q: { type: 'queue', queue: 'fr' },
        orphan: { type: 'goto_flow', flow: 'ghost' },
      },
    };
    expect(validateFlow(flow, ctx)).toEqual([
      'nodes.a.prompt: no prompt named nope',
      'nodes.q.queue: no queue named fr',
      'nodes.orphan.flow: no flow named ghost',
    ]);
    const unreachable: FlowGraph = {
      start: 'a',
      nodes: {
        a: { type: 'message', prompt: 'goodbye' },
        b: { type: 'message', prompt: 'goodbye' },
      },
    };
    expect(validateFlow(unreachable, ctx)).toEqual(['nodes.b: not reachable from the start']);
  });

  it('rejects malformed nodes with the path of the field', () => {
    const problems = validateFlow(
      { start: 'a', nodes: { a: { type: 'play', prompt: 'Greeting!', next: 'a' } } },
      ctx,
    );
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^nodes\.a/);
    expect(validateFlow({ start: 'x' }, ctx)[0]).toMatch(/nodes/);
  });
});

describe('compileFlow', () => {
  it('pins the dialplan of the default flow', async () => {
    await expect(
      compileFlow('main', 3, DEFAULT_FLOW, { outboundTrunk: 'carrier' }),
    ).toMatchFileSnapshot('./__fixtures__/main.conf');
  });

  it('is deterministic whatever the order of the nodes', () => {
    const reversed: FlowGraph = {
      start: DEFAULT_FLOW.start,
      nodes: Object.fromEntries(Object.entries(DEFAULT_FLOW.nodes).reverse()),
    };
    expect(compileFlow('main', 1, reversed, { outboundTrunk: null })).toBe(
      compileFlow('main', 1, DEFAULT_FLOW, { outboundTrunk: null }),
    );
  });

  it('marks the IVR outcome only where the caller completes in the IVR', () => {
    const plan = compileFlow('main', 1, DEFAULT_FLOW, { outboundTrunk: null });
    const afterHours = plan.slice(
      plan.indexOf('exten => n_after_hours'),
      plan.indexOf('exten => n_greeting'),
    );
    expect(afterHours).toContain('Playback(kcc/after-hours)\n same => n,Set(__KCC_OUTCOME=ivr)');
    const noOperators = plan.slice(
      plan.indexOf('exten => n_no_operators'),
      plan.indexOf('exten => n_offer_callback'),
    );
    expect(noOperators).not.toContain('KCC_OUTCOME');
  });

  it('dials a transfer through the trunk and clears the mark when nobody answers', () => {
    const flow: FlowGraph = {
      start: 't',
      nodes: {
        t: { type: 'transfer', number: '+77172000000', next: 'bye' },
        bye: { type: 'message', prompt: 'goodbye' },
      },
    };
    const plan = compileFlow('branch', 1, flow, { outboundTrunk: 'carrier' });
    expect(plan).toContain(
      ' same => n,Set(__KCC_OUTCOME=ivr)\n same => n,Set(__KCC_OUTCOME_REASON=transfer)\n same => n,Dial(PJSIP/+77172000000@carrier,60)\n same => n,Set(__KCC_OUTCOME=)\n same => n,Goto(n_bye,1)',
    );
    expect(compileFlow('branch', 1, flow, { outboundTrunk: null })).toContain('Hangup(34)');
  });
});
