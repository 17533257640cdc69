/**
 * Indexes a call's recording once the call has ended: MixMonitor finishes writing after the
 * hang-up, so the file is looked for a few times over some seconds. Files are laid out by date
 * in Asia/Almaty (`YYYY/MM/DD/<uniqueid>.wav` under the monitor directory).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { CallStore } from '../calls/store.js';
import { wavDurationSeconds } from './wav.js';

/** A WAV header alone: nothing was recorded (the caller never reached an operator). */
const EMPTY_WAV_BYTES = 44;
const ATTEMPT_DELAYS_MS = [500, 1500, 4000, 10_000];

export class RecordingIndexer {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly store: CallStore,
    private readonly recordingsDir: string,
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {}

  /** Looks for the file now and again later; resolves when indexed or given up. */
  schedule(callId: string, relativePath: string): void {
    const attempt = (i: number) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.indexOnce(callId, relativePath).then(
          (done) => {
            if (!done && i + 1 < ATTEMPT_DELAYS_MS.length) attempt(i + 1);
          },
          (err: unknown) => this.logger.warn({ err, callId }, 'recording could not be indexed'),
        );
      }, ATTEMPT_DELAYS_MS[i]);
      timer.unref();
      this.timers.add(timer);
    };
    attempt(0);
  }

  async indexOnce(callId: string, relativePath: string): Promise<boolean> {
    const file = path.resolve(this.recordingsDir, relativePath);
    if (!file.startsWith(path.resolve(this.recordingsDir) + path.sep)) return true;
    const st = await stat(file).catch(() => null);
    if (!st || st.size <= EMPTY_WAV_BYTES) return false;
    const duration = (await wavDurationSeconds(file)) ?? 0;
    await this.store.upsertRecording({
      callId,
      path: relativePath,
      sizeBytes: st.size,
      durationSeconds: duration,
      at: this.now().toISOString(),
    });
    return true;
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
