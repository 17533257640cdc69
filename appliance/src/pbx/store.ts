/** Queries for what the PBX configuration is rendered from: trunks, services, PBX settings. */
import type { Db } from '../db/database.js';

export class PbxStore {
  constructor(private readonly db: Db) {}

  async trunks(): Promise<
    Array<{ name: string; matchAddresses: string[]; outboundUri: string | null }>
  > {
    const rows = await this.db
      .selectFrom('trunks')
      .selectAll()
      .where('enabled', '=', 1)
      .orderBy('name')
      .execute();
    return rows.map((r) => ({
      name: r.name,
      matchAddresses: JSON.parse(r.match_addresses) as string[],
      outboundUri: r.outbound_uri,
    }));
  }

  async queues() {
    return this.db.selectFrom('queues').selectAll().orderBy('name').execute();
  }

  async setTrunkOutbound(name: string, outboundUri: string | null): Promise<void> {
    await this.db
      .updateTable('trunks')
      .set({ outbound_uri: outboundUri })
      .where('name', '=', name)
      .execute();
  }

  async upsertTrunk(name: string, matchAddresses: string[]): Promise<void> {
    const value = JSON.stringify(matchAddresses);
    await this.db
      .insertInto('trunks')
      .values({ name, match_addresses: value })
      .onConflict((oc) => oc.column('name').doUpdateSet({ match_addresses: value }))
      .execute();
  }

  async services(): Promise<string[]> {
    const rows = await this.db
      .selectFrom('services')
      .select('number')
      .where('enabled', '=', 1)
      .orderBy('number')
      .execute();
    return rows.map((r) => r.number);
  }

  /** Service number → the caller ID its operators present when calling out. */
  async outboundCallerIds(): Promise<Record<string, string>> {
    const rows = await this.db
      .selectFrom('services')
      .select(['number', 'outbound_caller_id'])
      .where('enabled', '=', 1)
      .orderBy('number')
      .execute();
    return Object.fromEntries(rows.map((r) => [r.number, r.outbound_caller_id ?? r.number]));
  }

  async setOutboundCallerId(number: string, callerId: string | null): Promise<boolean> {
    const r = await this.db
      .updateTable('services')
      .set({ outbound_caller_id: callerId })
      .where('number', '=', number)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async getSetting(key: string): Promise<string | undefined> {
    const r = await this.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return r?.value;
  }

  async setSetting(key: string, value: string, at: string): Promise<void> {
    await this.db
      .insertInto('settings')
      .values({ key, value, updated_at: at })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: at }))
      .execute();
  }

  async hasBranches(): Promise<boolean> {
    return (
      (await this.db.selectFrom('branches').select('id').limit(1).executeTakeFirst()) !== undefined
    );
  }

  async addBranch(b: {
    region: string;
    regionId: string | null;
    name: string;
    number: string;
  }): Promise<number> {
    const r = await this.db
      .insertInto('branches')
      .values({ region: b.region, region_id: b.regionId, name: b.name, number: b.number })
      .returning('id')
      .executeTakeFirstOrThrow();
    return r.id;
  }
}
