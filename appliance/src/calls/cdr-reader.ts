/**
 * Reads what Asterisk appended to `cdr-csv/Master.csv` since the last read. The offset is kept in
 * the database with the file's inode, so a rotated or replaced file is read from its start.
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/database.js';

const SOURCE = 'cdr-csv';
const MAX_READ = 32 * 1024 * 1024;

export class CdrReader {
  constructor(
    private readonly db: Db,
    private readonly logDir: string,
  ) {}

  get file(): string {
    return path.join(this.logDir, 'cdr-csv', 'Master.csv');
  }

  /** New complete lines, and a commit function to call once they have been recorded. */
  async readNew(): Promise<{ text: string; commit: () => Promise<void> }> {
    const st = await stat(this.file).catch(() => null);
    if (!st) return { text: '', commit: async () => undefined };
    const fileId = String(st.ino);
    const row = await this.db
      .selectFrom('ingest_offsets')
      .selectAll()
      .where('source', '=', SOURCE)
      .executeTakeFirst();
    let offset = row && row.file_id === fileId && row.offset <= st.size ? row.offset : 0;
    const length = Math.min(st.size - offset, MAX_READ);
    if (length <= 0) return { text: '', commit: async () => undefined };
    const fh = await open(this.file, 'r');
    let text: string;
    try {
      const buf = Buffer.alloc(length);
      await fh.read(buf, 0, length, offset);
      // Only whole lines: Asterisk may be writing the next one.
      const lastNewline = buf.lastIndexOf(0x0a);
      if (lastNewline < 0) return { text: '', commit: async () => undefined };
      text = buf.subarray(0, lastNewline + 1).toString('utf8');
      offset += lastNewline + 1;
    } finally {
      await fh.close();
    }
    const next = offset;
    return {
      text,
      commit: async () => {
        await this.db
          .insertInto('ingest_offsets')
          .values({ source: SOURCE, file_id: fileId, offset: next })
          .onConflict((oc) => oc.column('source').doUpdateSet({ file_id: fileId, offset: next }))
          .execute();
      },
    };
  }
}
