/**
 * Operator statuses (OP-32 items 4 and 8) as pure functions: what an operator chose, the
 * after-call-work timer, the "unreachable" overlay when the phone's contact is lost, and what each
 * status means for Asterisk's queues (paused or not, and the pause reason `QueuePause` sends and
 * `QueueStatus` shows as `PausedReason`). No I/O here: the service persists and applies these.
 *
 * Sign-in policy: signing in to the console moves an operator who was offline to `not_ready`
 * with the reason `signed_in`, so nobody takes calls before saying so with Ready. An operator who
 * signs in while already in a working status (a second tab, or a session that expired without a
 * sign-out) keeps it. Signing out sets `offline`.
 */

export const AGENT_STATES = ['ready', 'not_ready', 'after_call_work', 'offline'] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/** What the floor and the log show: the chosen state, or `unreachable` while the contact is lost. */
export type PublicStatus = AgentState | 'unreachable';

/** Pause reasons the system sets; operators cannot choose them and administrators cannot edit them. */
export const SYSTEM_REASONS = ['acw', 'unreachable', 'signed_in', 'offline'] as const;
export type SystemReason = (typeof SYSTEM_REASONS)[number];

/** Pause reason ids: lowercase letters, digits and underscores (they go into AMI headers). */
export const REASON_ID_PATTERN = '^[a-z][a-z0-9_]{0,31}$';

export interface AgentStatus {
  state: AgentState;
  /** The pause reason of `not_ready` (a `pause_reasons` id); null in every other state. */
  reason: string | null;
  /** When the chosen state began (ISO UTC). */
  since: string;
  /** End of after-call work (ISO UTC); null outside `after_call_work`. */
  acwUntil: string | null;
  /** The phone's contact is lost: paused as `unreachable` whatever was chosen. */
  unreachable: boolean;
  unreachableSince: string | null;
}

/** What Asterisk's queues must hold for an operator. */
export interface PbxPause {
  paused: boolean;
  /** `QueuePause` Reason; empty when not paused. */
  reason: string;
}

export type Choice =
  { state: 'ready' } | { state: 'not_ready'; reason: string } | { state: 'offline' };

export class StatusError extends Error {
  constructor(
    readonly code: 'reason_required' | 'reason_not_allowed' | 'state_not_choosable',
    message: string,
  ) {
    super(message);
    this.name = 'StatusError';
  }
}

/** An operator who never signed in: offline, and reachable until the PBX says otherwise. */
export function initialStatus(at: Date): AgentStatus {
  return {
    state: 'offline',
    reason: null,
    since: at.toISOString(),
    acwUntil: null,
    unreachable: false,
    unreachableSince: null,
  };
}

function enter(s: AgentStatus, state: AgentState, reason: string | null, at: Date): AgentStatus {
  return { ...s, state, reason, since: at.toISOString(), acwUntil: null };
}

/**
 * The operator's own choice: Ready, Not ready with a reason, or offline. Choosing anything during
 * after-call work ends it (the timer no longer sends them to Ready). Choosing the status one is
 * already in keeps its start time.
 */
export function choose(s: AgentStatus, choice: Choice, at: Date): AgentStatus {
  if (choice.state === 'not_ready') {
    if (!choice.reason) throw new StatusError('reason_required', 'Not ready needs a reason');
    if (s.state === 'not_ready' && s.reason === choice.reason) return s;
    return enter(s, 'not_ready', choice.reason, at);
  }
  if ('reason' in choice && choice.reason) {
    throw new StatusError('reason_not_allowed', `${choice.state} takes no reason`);
  }
  if (s.state === choice.state) return s;
  return enter(s, choice.state, null, at);
}

/** Signing in to the console: offline → not ready (`signed_in`); any working status stays. */
export function signIn(s: AgentStatus, at: Date): AgentStatus {
  if (s.state !== 'offline') return s;
  return enter(s, 'not_ready', 'signed_in', at);
}

export function signOut(s: AgentStatus, at: Date): AgentStatus {
  if (s.state === 'offline') return s;
  return enter(s, 'offline', null, at);
}

/**
 * A queue call the operator took has ended (`AgentComplete`). A Ready operator goes to after-call
 * work for `acwSeconds`; one who chose Not ready during the call stays so (that choice was the
 * point of choosing it during the call). With `acwSeconds` 0 nothing changes.
 */
export function callCompleted(s: AgentStatus, acwSeconds: number, at: Date): AgentStatus {
  if (acwSeconds <= 0) return s;
  if (s.state !== 'ready' && s.state !== 'after_call_work') return s;
  return {
    ...s,
    state: 'after_call_work',
    reason: null,
    since: s.state === 'after_call_work' ? s.since : at.toISOString(),
    acwUntil: new Date(at.getTime() + acwSeconds * 1000).toISOString(),
  };
}

/** After-call work whose timer ran out goes back to Ready. */
export function acwExpired(s: AgentStatus, at: Date): AgentStatus {
  if (s.state !== 'after_call_work' || s.acwUntil === null) return s;
  if (at.getTime() < new Date(s.acwUntil).getTime()) return s;
  return enter(s, 'ready', null, at);
}

/** Milliseconds of after-call work left (0 outside it). */
export function acwRemainingMs(s: AgentStatus, at: Date): number {
  if (s.state !== 'after_call_work' || s.acwUntil === null) return 0;
  return Math.max(0, new Date(s.acwUntil).getTime() - at.getTime());
}

/** The phone's contact is lost or back; the chosen status is kept underneath. */
export function setReachable(s: AgentStatus, reachable: boolean, at: Date): AgentStatus {
  if (s.unreachable === !reachable) return s;
  return reachable
    ? { ...s, unreachable: false, unreachableSince: null }
    : { ...s, unreachable: true, unreachableSince: at.toISOString() };
}

/**
 * Offline wins over unreachable: a signed-out operator's phone being gone is expected and says
 * nothing new to the supervisor.
 */
export function publicStatus(s: AgentStatus): PublicStatus {
  if (s.state === 'offline') return 'offline';
  return s.unreachable ? 'unreachable' : s.state;
}

/** When the public status began. */
export function publicSince(s: AgentStatus): string {
  return publicStatus(s) === 'unreachable' ? (s.unreachableSince ?? s.since) : s.since;
}

/** What Asterisk must hold for this status: every state but Ready is a pause with a reason. */
export function pbxPause(s: AgentStatus): PbxPause {
  switch (publicStatus(s)) {
    case 'ready':
      return { paused: false, reason: '' };
    case 'offline':
      return { paused: true, reason: 'offline' };
    case 'unreachable':
      return { paused: true, reason: 'unreachable' };
    case 'after_call_work':
      return { paused: true, reason: 'acw' };
    case 'not_ready':
      return { paused: true, reason: s.reason ?? 'not_ready' };
  }
}

/** The pause reason a log row records (null for Ready): exactly what Asterisk shows. */
export function logReason(s: AgentStatus): string | null {
  const p = pbxPause(s);
  return p.paused ? p.reason : null;
}

/** True when the change is one the status log and the floor should see. */
export function publicChanged(a: AgentStatus, b: AgentStatus): boolean {
  return (
    publicStatus(a) !== publicStatus(b) || logReason(a) !== logReason(b) || a.since !== b.since
  );
}
