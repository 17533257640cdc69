/**
 * The second line's callback clock as the console shows it (LINE-5): time left until the deadline,
 * amber in the last 30 minutes, red and counting up once it has passed; done once the subscriber
 * was reached.
 */
export type CountdownState = 'ok' | 'soon' | 'overdue' | 'done';

export const SOON_MS = 30 * 60_000;

export interface Countdown {
  state: CountdownState;
  /** Seconds left (positive) or past the deadline (negative); null when done. */
  seconds: number | null;
  text: string;
}

export function countdown(
  callback: { dueAt: string; doneAt: string | null } | null,
  now: number,
): Countdown | null {
  if (!callback) return null;
  if (callback.doneAt) return { state: 'done', seconds: null, text: '' };
  const ms = Date.parse(callback.dueAt) - now;
  const seconds = Math.trunc(ms / 1000);
  const state: CountdownState = ms <= 0 ? 'overdue' : ms <= SOON_MS ? 'soon' : 'ok';
  return { state, seconds, text: (ms <= 0 ? '−' : '') + clockText(Math.abs(seconds)) };
}

/** h:mm:ss */
export function clockText(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
