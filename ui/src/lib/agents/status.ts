/** Pure helpers of the status control and the floor card (no DOM, no requests). */
import type { AgentView, PauseReason } from './types';

type Lang = 'kk' | 'ru' | 'en';

/** The reasons an operator can pick for Not ready, in the administrator's order. */
export function choosableReasons(reasons: readonly PauseReason[]): PauseReason[] {
  return reasons
    .filter((r) => r.active && !r.system)
    .sort((a, b) => a.sort - b.sort || a.id.localeCompare(b.id));
}

/** A reason's name in the UI language; the id itself when the reason is unknown. */
export function reasonName(
  reasons: readonly PauseReason[],
  id: string | null,
  language: Lang,
): string {
  if (!id) return '';
  return reasons.find((r) => r.id === id)?.names[language] ?? id;
}

/** Whole seconds from `since` to `now` (never negative). */
export function secondsSince(since: string, now: number): number {
  return Math.max(0, Math.floor((now - new Date(since).getTime()) / 1000));
}

/** Whole seconds of after-call work left, rounded up (0 when none). */
export function acwSecondsLeft(view: Pick<AgentView, 'acwEndsAt' | 'status'>, now: number): number {
  if (view.status !== 'after_call_work' || !view.acwEndsAt) return 0;
  return Math.max(0, Math.ceil((new Date(view.acwEndsAt).getTime() - now) / 1000));
}

/** The keyboard shortcuts of the status control: F2 Ready, F3 Not ready (opens the reasons). */
export function shortcut(key: string): 'ready' | 'not_ready' | null {
  if (key === 'F2') return 'ready';
  if (key === 'F3') return 'not_ready';
  return null;
}

const ORDER: Record<AgentView['status'], number> = {
  unreachable: 0,
  ready: 1,
  after_call_work: 2,
  not_ready: 3,
  offline: 4,
};

/** The floor's order: unreachable first (the supervisor acts on it), then by status and name. */
export function sortFloor(items: readonly AgentView[]): AgentView[] {
  return [...items].sort(
    (a, b) => ORDER[a.status] - ORDER[b.status] || a.displayName.localeCompare(b.displayName),
  );
}

/** Applies one `agent.status` event to the floor. */
export function upsertAgent(items: readonly AgentView[], view: AgentView): AgentView[] {
  const rest = items.filter((a) => a.userId !== view.userId);
  return sortFloor([...rest, view]);
}
