/**
 * Prompts (SVC-6): per language, versioned, uploaded as WAV, MP3 or OGG and converted with sox to
 * what Asterisk plays (8 kHz mono 16-bit WAV). The active version of each prompt is copied to
 * `<generated>/sounds/<lang>/<name>.wav`, which Asterisk plays as `kcc/<name>` in the caller's
 * language. Replacing or restoring a prompt never touches the PBX by hand and needs no reload.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../admin/errors.js';
import type { Db } from '../db/database.js';

const run = promisify(execFile);
const KAZAKH_LETTERS = /[ӘәҒғҚқҢңӨөҰұҮүҺһІі]/;

export const PROMPT_LANGUAGES = ['kk', 'ru'] as const;
export type PromptLanguage = (typeof PROMPT_LANGUAGES)[number];

/** Upload content types and the sox file type each is decoded as. */
export const AUDIO_TYPES: Record<string, string> = {
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/ogg': 'ogg',
};

export interface PromptVersion {
  name: string;
  language: string;
  version: number;
  active: boolean;
  sourceFormat: string;
  durationSeconds: number;
  createdAt: string;
  createdBy: string | null;
}

export class PromptService {
  constructor(
    private readonly db: Db,
    private readonly storeDir: string,
    private readonly soundsDir: string,
    private readonly now: () => Date,
  ) {}

  async list(): Promise<PromptVersion[]> {
    const rows = await this.db
      .selectFrom('prompts')
      .selectAll()
      .orderBy('name')
      .orderBy('language')
      .orderBy('version', 'desc')
      .execute();
    return rows.map((r) => ({
      name: r.name,
      language: r.language,
      version: r.version,
      active: r.active === 1,
      sourceFormat: r.source_format,
      durationSeconds: r.duration_seconds,
      createdAt: r.created_at,
      createdBy: r.created_by,
    }));
  }

  /** Names that have an active version in at least one language. */
  async names(): Promise<Set<string>> {
    const rows = await this.db
      .selectFrom('prompts')
      .select('name')
      .where('active', '=', 1)
      .distinct()
      .execute();
    return new Set(rows.map((r) => r.name));
  }

  /** Converts and stores an upload as the new active version; returns its version number. */
  async upload(
    name: string,
    language: PromptLanguage,
    audio: Buffer,
    contentType: string,
    by: string | null,
  ): Promise<number> {
    const type = AUDIO_TYPES[contentType.split(';')[0]!.trim().toLowerCase()];
    if (!type) {
      throw new AppError(
        415,
        'unsupported_audio',
        `content-type ${contentType || '(none)'} is not supported: send audio/wav, audio/mpeg or audio/ogg`,
      );
    }
    const tmpDir = await mkdtempIn(os.tmpdir());
    try {
      const input = path.join(tmpDir, `in.${type}`);
      await writeFile(input, audio);
      const converted = path.join(tmpDir, 'out.wav');
      try {
        await run(
          'sox',
          [
            '-t',
            type,
            input,
            '-r',
            '8000',
            '-c',
            '1',
            '-b',
            '16',
            '-e',
            'signed-integer',
            converted,
          ],
          {
            timeout: 60_000,
          },
        );
      } catch (err) {
        const detail = (err as { stderr?: string }).stderr?.trim().split('\n').pop() ?? '';
        throw new AppError(
          422,
          'undecodable_audio',
          `The ${type.toUpperCase()} file could not be decoded: ${detail}`,
        );
      }
      return await this.store(name, language, converted, type, by);
    } finally {
      await rm(tmpDir, { recursive: true, force: true });
    }
  }

  /** Makes a stored version the active one (restore). */
  async activate(name: string, language: PromptLanguage, version: number): Promise<void> {
    const row = await this.db
      .selectFrom('prompts')
      .selectAll()
      .where('name', '=', name)
      .where('language', '=', language)
      .where('version', '=', version)
      .executeTakeFirst();
    if (!row)
      throw new AppError(
        404,
        'not_found',
        `Prompt ${name} (${language}) has no version ${version}`,
      );
    await this.publishFile(row.file, name, language);
    await this.db.transaction().execute(async (tx) => {
      await tx
        .updateTable('prompts')
        .set({ active: 0 })
        .where('name', '=', name)
        .where('language', '=', language)
        .execute();
      await tx
        .updateTable('prompts')
        .set({ active: 1 })
        .where('name', '=', name)
        .where('language', '=', language)
        .where('version', '=', version)
        .execute();
    });
  }

  /** Speaks `text` with espeak-ng into a new version: how the demo makes its prompts. */
  async synthesize(name: string, language: PromptLanguage, text: string): Promise<number> {
    const tmpDir = await mkdtempIn(os.tmpdir());
    try {
      const spoken = path.join(tmpDir, 'spoken.wav');
      // Bilingual texts are spoken sentence by sentence.
      const parts = text.split(/(?<=\.)\s+/).filter(Boolean);
      const pieces: string[] = [];
      for (const [i, part] of parts.entries()) {
        // Sentences with Kazakh letters take the Kazakh voice, the rest the Russian one.
        const voice = KAZAKH_LETTERS.test(part) ? 'kk' : 'ru';
        const piece = path.join(tmpDir, `p${i}.wav`);
        await run('espeak-ng', ['-v', voice, '-s', '150', '-w', piece, part], { timeout: 60_000 });
        pieces.push(piece);
      }
      if (pieces.length === 1) await rename(pieces[0]!, spoken);
      else await run('sox', [...pieces, spoken], { timeout: 60_000 });
      const converted = path.join(tmpDir, 'out.wav');
      await run(
        'sox',
        [spoken, '-r', '8000', '-c', '1', '-b', '16', '-e', 'signed-integer', converted],
        { timeout: 60_000 },
      );
      return await this.store(name, language, converted, 'espeak-ng', 'system');
    } finally {
      await rm(tmpDir, { recursive: true, force: true });
    }
  }

  private async store(
    name: string,
    language: PromptLanguage,
    converted: string,
    sourceFormat: string,
    by: string | null,
  ): Promise<number> {
    const last = await this.db
      .selectFrom('prompts')
      .select((eb) => eb.fn.max('version').as('v'))
      .where('name', '=', name)
      .where('language', '=', language)
      .executeTakeFirst();
    const version = Number(last?.v ?? 0) + 1;
    const dir = path.join(this.storeDir, language, name);
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `v${version}.wav`);
    await copyFile(converted, file);
    const size = (await stat(file)).size;
    await this.db
      .insertInto('prompts')
      .values({
        name,
        language,
        version,
        file,
        source_format: sourceFormat,
        duration_seconds: Math.max(0, (size - 44) / 16000),
        active: 0,
        created_at: this.now().toISOString(),
        created_by: by,
      })
      .execute();
    await this.activate(name, language, version);
    return version;
  }

  private async publishFile(file: string, name: string, language: string): Promise<void> {
    const dir = path.join(this.soundsDir, language);
    await mkdir(dir, { recursive: true, mode: 0o750 });
    const target = path.join(dir, `${name}.wav`);
    const tmp = `${target}.tmp-${process.pid}`;
    await copyFile(file, tmp);
    await rename(tmp, target);
  }

  /** Re-copies every active prompt (a new box restored from a backup, a wiped generated dir). */
  async republishAll(): Promise<void> {
    const rows = await this.db.selectFrom('prompts').selectAll().where('active', '=', 1).execute();
    for (const r of rows) await this.publishFile(r.file, r.name, r.language);
  }
}

async function mkdtempIn(base: string): Promise<string> {
  const dir = path.join(base, `kcc-prompt-${process.pid}-${Math.random().toString(36).slice(2)}`);
  await mkdir(dir, { recursive: true });
  return dir;
}
