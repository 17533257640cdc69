/**
 * Reads what Asterisk appended to one of its log files (`cdr-csv/Master.csv`, `queue_log`) since
 * the last read. The offset is kept in the database with the file's inode, so a rotated or
 * replaced file is read from its start.
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/database.js';

const MAX_READ = 32 * 1024 * 1024;

export class AppendedFileReader {
  constructor(
    private readonly db: Db,
    /** Key of the stored offset. */
    private readonly source: string,
    readonly file: string,
  ) {}

  /** New complete lines, and a commit function to call once they have been recorded. */
  async readNew(): Promise<{ text: string; commit: () => Promise<void> }> {
    const st = await stat(this.file).catch(() => null);
    if (!st) return { text: '', commit: async () => undefined };
    const fileId = String(st.ino);
    const row = await this.db
      .selectFrom('ingest_offsets')
      .selectAll()
      .where('source', '=', this.source)
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
          .values({ source: this.source, file_id: fileId, offset: next })
          .onConflict((oc) => oc.column('source').doUpdateSet({ file_id: fileId, offset: next }))
          .execute();
      },
    };
  }
}

export const cdrFile = (db: Db, logDir: string) =>
  new AppendedFileReader(db, 'cdr-csv', path.join(logDir, 'cdr-csv', 'Master.csv'));

export const queueLogFile = (db: Db, logDir: string) =>
  new AppendedFileReader(db, 'queue_log', path.join(logDir, 'queue_log'));
