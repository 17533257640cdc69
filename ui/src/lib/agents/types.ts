/** Operator statuses as `/api/agents` answers them (OP-32). */
export type AgentStatusName = 'ready' | 'not_ready' | 'after_call_work' | 'offline' | 'unreachable';

export type AgentState = Exclude<AgentStatusName, 'unreachable'>;

export interface AgentView {
  userId: number;
  username: string;
  displayName: string;
  role: string;
  /** What the floor shows: the chosen state, or `unreachable` while the phone is lost. */
  status: AgentStatusName;
  /** What the operator chose (kept while unreachable). */
  state: AgentState;
  reasonId: string | null;
  /** When the shown status began (ISO). */
  since: string;
  unreachable: boolean;
  acwEndsAt: string | null;
  paused: boolean;
  pauseReason: string | null;
}

export interface PauseReason {
  id: string;
  names: { kk: string; ru: string; en: string };
  active: boolean;
  sort: number;
  /** Set by the system (acw, unreachable, signed_in, offline): never in the operator's menu. */
  system: boolean;
}
