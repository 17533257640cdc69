/**
 * Graph checks a flow must pass before it is saved: every edge points to a node, every node is
 * reachable from the start, and no loop traps a caller without a way out. Each problem names the
 * node and field, so the editor can point at it.
 */
import { Value } from '@sinclair/typebox/value';
import { canExit, edges, FlowGraph, type FlowGraph as Graph } from './model.js';

export interface FlowContext {
  /** Prompt names that exist (in at least one language). */
  prompts: ReadonlySet<string>;
  queues: ReadonlySet<string>;
  /** Other flows a `goto_flow` may name. */
  flows: ReadonlySet<string>;
}

export function validateFlow(input: unknown, ctx: FlowContext): string[] {
  const schemaErrors = [...Value.Errors(FlowGraph, input)];
  if (schemaErrors.length > 0) {
    // Union errors repeat per branch: report the first per path.
    const seen = new Set<string>();
    const out: string[] = [];
    for (const e of schemaErrors) {
      const where = e.path.replace(/^\//, '').replace(/\//g, '.') || 'flow';
      if (seen.has(where)) continue;
      seen.add(where);
      out.push(`${where}: ${e.message}`);
    }
    return out.slice(0, 20);
  }
  const graph = input as Graph;
  const problems: string[] = [];
  const ids = Object.keys(graph.nodes);
  if (!graph.nodes[graph.start]) problems.push(`start: node ${graph.start} does not exist`);

  for (const id of ids) {
    const node = graph.nodes[id]!;
    for (const { field, to } of edges(node)) {
      if (!graph.nodes[to]) problems.push(`nodes.${id}.${field}: points to missing node ${to}`);
    }
    for (const key of ['prompt', 'confirmPrompt'] as const) {
      const name = (node as Record<string, unknown>)[key];
      if (typeof name === 'string' && !ctx.prompts.has(name)) {
        problems.push(`nodes.${id}.${key}: no prompt named ${name}`);
      }
    }
    if (node.type === 'queue' && node.queue !== 'by-language' && !ctx.queues.has(node.queue)) {
      problems.push(`nodes.${id}.queue: no queue named ${node.queue}`);
    }
    if (node.type === 'goto_flow' && !ctx.flows.has(node.flow)) {
      problems.push(`nodes.${id}.flow: no flow named ${node.flow}`);
    }
  }
  if (problems.length > 0) return problems;

  // Reachability from the start.
  const reached = new Set<string>();
  const stack = [graph.start];
  while (stack.length) {
    const id = stack.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    for (const { to } of edges(graph.nodes[id]!)) stack.push(to);
  }
  for (const id of ids)
    if (!reached.has(id)) problems.push(`nodes.${id}: not reachable from the start`);

  // Every node must be able to reach an exit; otherwise a caller loops for ever.
  const exits = new Set(ids.filter((id) => canExit(graph.nodes[id]!)));
  let grew = true;
  while (grew) {
    grew = false;
    for (const id of ids) {
      if (exits.has(id)) continue;
      if (edges(graph.nodes[id]!).some((e) => exits.has(e.to))) {
        exits.add(id);
        grew = true;
      }
    }
  }
  for (const id of ids) {
    if (!exits.has(id)) problems.push(`nodes.${id}: loops without an exit (no path ends the call)`);
  }
  return problems;
}
