/** Every query on flows, their versions, and which flow each service number runs. */
import type { Db } from '../db/database.js';
import type { FlowGraph } from './model.js';

export interface FlowVersion {
  flowId: string;
  version: number;
  graph: FlowGraph;
  note: string | null;
  createdAt: string;
  createdBy: string | null;
}

export class FlowStore {
  constructor(private readonly db: Db) {}

  async list() {
    return this.db.selectFrom('flows').selectAll().orderBy('id').execute();
  }

  async get(id: string) {
    return this.db.selectFrom('flows').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async versions(flowId: string): Promise<FlowVersion[]> {
    const rows = await this.db
      .selectFrom('flow_versions')
      .selectAll()
      .where('flow_id', '=', flowId)
      .orderBy('version', 'desc')
      .execute();
    return rows.map((r) => ({
      flowId: r.flow_id,
      version: r.version,
      graph: JSON.parse(r.graph) as FlowGraph,
      note: r.note,
      createdAt: r.created_at,
      createdBy: r.created_by,
    }));
  }

  /** Saves a new version (and the flow itself on its first version) in one transaction. */
  async addVersion(
    flowId: string,
    name: string,
    graph: FlowGraph,
    note: string | null,
    by: string | null,
    at: string,
  ): Promise<number> {
    return this.db.transaction().execute(async (tx) => {
      const existing = await tx
        .selectFrom('flows')
        .select('id')
        .where('id', '=', flowId)
        .executeTakeFirst();
      if (existing) {
        await tx
          .updateTable('flows')
          .set({ name, updated_at: at })
          .where('id', '=', flowId)
          .execute();
      } else {
        await tx
          .insertInto('flows')
          .values({ id: flowId, name, published_version: null, updated_at: at })
          .execute();
      }
      const last = await tx
        .selectFrom('flow_versions')
        .select((eb) => eb.fn.max('version').as('v'))
        .where('flow_id', '=', flowId)
        .executeTakeFirst();
      const version = Number(last?.v ?? 0) + 1;
      await tx
        .insertInto('flow_versions')
        .values({
          flow_id: flowId,
          version,
          graph: JSON.stringify(graph),
          note,
          created_at: at,
          created_by: by,
        })
        .execute();
      return version;
    });
  }

  async setPublished(flowId: string, version: number | null, at: string): Promise<void> {
    await this.db
      .updateTable('flows')
      .set({ published_version: version, updated_at: at })
      .where('id', '=', flowId)
      .execute();
  }

  /** Published flows with the graph of their published version. */
  async published(): Promise<Array<{ id: string; version: number; graph: FlowGraph }>> {
    const rows = await this.db
      .selectFrom('flows')
      .innerJoin('flow_versions', (j) =>
        j
          .onRef('flow_versions.flow_id', '=', 'flows.id')
          .onRef('flow_versions.version', '=', 'flows.published_version'),
      )
      .select(['flows.id', 'flow_versions.version', 'flow_versions.graph'])
      .orderBy('flows.id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      version: r.version,
      graph: JSON.parse(r.graph) as FlowGraph,
    }));
  }

  async serviceFlows(): Promise<Record<string, string | null>> {
    const rows = await this.db
      .selectFrom('services')
      .select(['number', 'flow_id'])
      .orderBy('number')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.number, r.flow_id]));
  }

  async setServiceFlow(number: string, flowId: string | null): Promise<number> {
    const r = await this.db
      .updateTable('services')
      .set({ flow_id: flowId })
      .where('number', '=', number)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}
