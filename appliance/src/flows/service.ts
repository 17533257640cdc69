/**
 * Flow use cases: save a version (validated), publish it (renders and reloads the dialplan),
 * roll back to the version published before, and point a service number at a flow. A rejected
 * save or publish leaves the running dialplan as it was.
 */
import { AppError } from '../admin/errors.js';
import type { FlowGraph } from './model.js';
import type { FlowStore } from './store.js';
import { validateFlow, type FlowContext } from './validate.js';

export interface FlowDeps {
  store: FlowStore;
  /** What a flow may refer to: prompts, queues (and the flows the store knows). */
  context: () => Promise<Omit<FlowContext, 'flows'>>;
  /** Renders the PBX configuration and reloads what changed. */
  syncPbx: () => Promise<void>;
  now: () => Date;
}

export class FlowService {
  constructor(private readonly d: FlowDeps) {}

  private async check(flowId: string, graph: unknown): Promise<FlowGraph> {
    const flows = new Set((await this.d.store.list()).map((f) => f.id));
    flows.add(flowId);
    const problems = validateFlow(graph, { ...(await this.d.context()), flows });
    if (problems.length > 0) {
      throw new AppError(400, 'invalid_flow', `The flow is not valid: ${problems[0]}`, {
        problems,
      });
    }
    return graph as FlowGraph;
  }

  async saveVersion(
    flowId: string,
    name: string,
    graph: unknown,
    note: string | null,
    by: string,
  ): Promise<number> {
    const valid = await this.check(flowId, graph);
    return this.d.store.addVersion(flowId, name, valid, note, by, this.d.now().toISOString());
  }

  async publish(flowId: string, version: number): Promise<void> {
    const flow = await this.d.store.get(flowId);
    if (!flow) throw new AppError(404, 'not_found', `No flow ${flowId}`);
    const v = (await this.d.store.versions(flowId)).find((x) => x.version === version);
    if (!v) throw new AppError(404, 'not_found', `Flow ${flowId} has no version ${version}`);
    // Prompts or queues may have changed since the version was saved.
    await this.check(flowId, v.graph);
    await this.d.store.setPublished(flowId, version, this.d.now().toISOString());
    await this.d.syncPbx();
  }

  /** Publishes the newest version older than the one published now. */
  async rollback(flowId: string): Promise<number> {
    const flow = await this.d.store.get(flowId);
    if (!flow?.published_version)
      throw new AppError(409, 'not_published', `Flow ${flowId} is not published`);
    const previous = (await this.d.store.versions(flowId)).find(
      (v) => v.version < flow.published_version!,
    );
    if (!previous)
      throw new AppError(
        409,
        'no_previous',
        `Flow ${flowId} has no version before ${flow.published_version}`,
      );
    await this.publish(flowId, previous.version);
    return previous.version;
  }

  async setServiceFlow(number: string, flowId: string | null): Promise<void> {
    if (flowId !== null) {
      const flow = await this.d.store.get(flowId);
      if (!flow) throw new AppError(400, 'validation', `flowId: no flow named ${flowId}`);
      if (!flow.published_version)
        throw new AppError(400, 'validation', `flowId: flow ${flowId} is not published`);
    }
    if ((await this.d.store.setServiceFlow(number, flowId)) === 0) {
      throw new AppError(404, 'not_found', `No service number ${number}`);
    }
    await this.d.syncPbx();
  }

  /** First start: the default flow, published, on every service number without one. */
  async ensureDefault(flowId: string, name: string, graph: FlowGraph): Promise<void> {
    if (!(await this.d.store.get(flowId))) {
      const version = await this.d.store.addVersion(
        flowId,
        name,
        graph,
        'shipped default',
        'system',
        this.d.now().toISOString(),
      );
      await this.d.store.setPublished(flowId, version, this.d.now().toISOString());
    }
    const services = await this.d.store.serviceFlows();
    for (const [number, flow] of Object.entries(services)) {
      if (flow === null) await this.d.store.setServiceFlow(number, flowId);
    }
  }
}
