/**
 * What a supervisor does to an operator from the floor (SUP-33): force them Ready, or disconnect
 * them from the service (Signed out: paused as `offline` in every queue, and every console
 * session of theirs ended, so their console goes back to the sign-in page and its phone stops).
 * Each forced action needs a reason and is written to the audit log with who did it and why.
 */
import type { AgentView } from '../agents/service.js';
import { AppError } from '../admin/errors.js';
import type { AuditEntry } from '../admin/audit-store.js';

export interface FloorActionDeps {
  agents: {
    choose(
      userId: number,
      input: { status: string; reasonId?: string | null },
      by: string | null,
    ): Promise<AgentView>;
  };
  /** Ends every session of the user; returns their token hashes. */
  endSessions(userId: number): Promise<string[]>;
  /** Closes the live connections of an ended session. */
  closeLive(tokenHash: string): void;
  audit: { record(e: AuditEntry): Promise<void> };
}

export interface Supervisor {
  id: number;
  username: string;
  ip: string | null;
}

export class FloorActions {
  constructor(private readonly d: FloorActionDeps) {}

  async forceReady(by: Supervisor, userId: number, why: string): Promise<AgentView> {
    const reason = checkedReason(why);
    const view = await this.d.agents.choose(userId, { status: 'ready' }, by.username);
    await this.d.audit.record({
      userId: by.id,
      username: by.username,
      action: 'agent.forced_ready',
      target: view.username,
      details: { why: reason },
      ip: by.ip,
    });
    return view;
  }

  async disconnect(by: Supervisor, userId: number, why: string): Promise<AgentView> {
    const reason = checkedReason(why);
    if (userId === by.id) {
      throw new AppError(400, 'validation', 'userId: to leave the service yourself, sign out', {
        field: 'userId',
      });
    }
    const view = await this.d.agents.choose(userId, { status: 'offline' }, by.username);
    const ended = await this.d.endSessions(userId);
    for (const hash of ended) this.d.closeLive(hash);
    await this.d.audit.record({
      userId: by.id,
      username: by.username,
      action: 'agent.disconnected',
      target: view.username,
      details: { why: reason, sessionsEnded: ended.length },
      ip: by.ip,
    });
    return view;
  }
}

function checkedReason(why: string): string {
  const text = why.trim();
  if (text.length < 3) {
    throw new AppError(400, 'validation', 'why: say why (at least 3 characters); it is logged', {
      field: 'why',
    });
  }
  return text;
}
