/**
 * Operator statuses applied to the PBX (OP-32 items 4 and 8). Every change goes through one
 * queue of steps, so the status, its log row and the `QueuePause` that tells Asterisk happen in
 * order, whether the change came from the operator, a supervisor, the after-call-work timer or an
 * AMI event.
 *
 * Asterisk's side: operators are static members `PJSIP/<username>` of their queues, and
 * `QueuePause` without `Queue` pauses or unpauses the member in every queue at once; the reason
 * shows in `QueueStatus` as `PausedReason`. Asterisk keeps pauses in memory only, so on every
 * AMI (re)connect, and after every reload of its queues, the controller puts each operator's
 * status back. The status in SQLite is the truth: when Asterisk cannot be told (link down), the
 * change is still saved and applied at the next connect.
 *
 * Contacts: `ContactStatus` Unreachable/Removed for an operator's endpoint sets the
 * `unreachable` overlay (paused as `unreachable`, the chosen status kept underneath); Reachable,
 * Created, Updated or NonQualified clears it. On connect the contacts are read again with
 * `PJSIPShowContacts`: an endpoint with no reachable contact counts as unreachable.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { AppError } from '../admin/errors.js';
import type { Agent, AgentStore, PauseReason } from './store.js';
import {
  acwExpired,
  callCompleted,
  choose,
  initialStatus,
  logReason,
  pbxPause,
  publicChanged,
  publicSince,
  publicStatus,
  setReachable,
  signIn,
  signOut,
  StatusError,
  type AgentState,
  type AgentStatus,
  type Choice,
  type PbxPause,
  type PublicStatus,
} from './status.js';

type AmiMessage = Record<string, string | undefined>;

/** The part of the PBX link statuses need (the AMI link; a fake in unit tests). */
export interface AgentPbx {
  readonly state: { connected: boolean };
  action(message: Record<string, string>): Promise<AmiMessage>;
  actionList(message: Record<string, string>, completeEvent: string): Promise<AmiMessage[]>;
}

/** One operator as the floor and the operator's own control see them. */
export interface AgentView {
  userId: number;
  username: string;
  displayName: string;
  role: string;
  /** ready, not_ready, after_call_work, offline, or unreachable while the contact is lost. */
  status: PublicStatus;
  /** What the operator chose (kept while unreachable). */
  state: AgentState;
  /** The Not ready reason id (null otherwise). */
  reasonId: string | null;
  /** When the shown status began. */
  since: string;
  unreachable: boolean;
  /** End of after-call work; null outside it. */
  acwEndsAt: string | null;
  /** What Asterisk holds: paused, and the reason it shows. */
  paused: boolean;
  pauseReason: string | null;
}

export interface AgentServiceDeps {
  store: AgentStore;
  now: () => Date;
  logger: Logger;
}

interface AgentServiceEvents {
  changed: [AgentView];
}

const REACHABLE = new Set(['Reachable', 'Created', 'Updated', 'NonQualified', 'Unknown']);
const LOST = new Set(['Unreachable', 'Removed']);

export class AgentService extends EventEmitter<AgentServiceEvents> {
  private readonly store: AgentStore;
  private readonly now: () => Date;
  private readonly logger: Logger;
  private pbx: AgentPbx | null = null;
  private statuses = new Map<number, AgentStatus>();
  private agents = new Map<string, Agent>();
  /** Per endpoint: its contacts' URIs and whether each is reachable. */
  private contacts = new Map<string, Map<string, boolean>>();
  /** What Asterisk was last told per operator (to skip actions that change nothing). */
  private applied = new Map<number, PbxPause>();
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | null = null;
  private resyncTimer: NodeJS.Timeout | null = null;
  private acw: number | null = null;

  constructor(deps: AgentServiceDeps) {
    super();
    this.store = deps.store;
    this.now = deps.now;
    this.logger = deps.logger;
  }

  /** Reads every operator's status; call once before anything else. */
  async load(): Promise<void> {
    this.statuses = await this.store.statuses();
    await this.refreshAgents();
  }

  /** Connects the PBX link (set once the controller serves). */
  attach(pbx: AgentPbx): void {
    this.pbx = pbx;
  }

  /** Runs the after-call-work clock every second. */
  start(intervalMs = 1000): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.resyncTimer) clearTimeout(this.resyncTimer);
    this.timer = null;
    this.resyncTimer = null;
  }

  /** Resolves when every step queued so far has run. */
  idle(): Promise<void> {
    return this.chain.then(() => undefined);
  }

  private run<T>(step: () => Promise<T>): Promise<T> {
    const next = this.chain.then(step);
    this.chain = next.catch((err: unknown) =>
      this.logger.error({ err }, 'operator status step failed'),
    );
    return next;
  }

  // ------------------------------------------------------------------------------------------
  // Reading

  async floor(): Promise<AgentView[]> {
    await this.refreshAgents();
    return [...this.agents.values()].map((a) => this.view(a));
  }

  async me(userId: number): Promise<AgentView> {
    const agent = await this.agentById(userId);
    if (!agent) throw new AppError(404, 'no_status', 'This user has no phone and no status');
    return this.view(agent);
  }

  private view(a: Agent): AgentView {
    const s = this.statusOf(a.userId);
    const pause = pbxPause(s);
    return {
      userId: a.userId,
      username: a.username,
      displayName: a.displayName,
      role: a.role,
      status: publicStatus(s),
      state: s.state,
      reasonId: s.reason,
      since: publicSince(s),
      unreachable: s.unreachable,
      acwEndsAt: s.acwUntil,
      paused: pause.paused,
      pauseReason: pause.paused ? pause.reason : null,
    };
  }

  private statusOf(userId: number): AgentStatus {
    return this.statuses.get(userId) ?? initialStatus(this.now());
  }

  // ------------------------------------------------------------------------------------------
  // Changes

  /**
   * The operator's own choice (`by` null) or a supervisor's (`by` their username). Not ready
   * needs an active reason that is not a system one.
   */
  async choose(
    userId: number,
    input: { status: string; reasonId?: string | null },
    by: string | null = null,
  ): Promise<AgentView> {
    const choice = await this.toChoice(input);
    const agent = await this.agentById(userId);
    if (!agent) throw new AppError(404, 'no_status', 'This user has no phone and no status');
    return this.run(async () => {
      try {
        await this.change(agent, (s, at) => choose(s, choice, at), by);
      } catch (err) {
        if (err instanceof StatusError) throw new AppError(400, err.code, err.message);
        throw err;
      }
      return this.view(agent);
    });
  }

  private async toChoice(input: { status: string; reasonId?: string | null }): Promise<Choice> {
    const reasonId = input.reasonId ?? null;
    if (input.status === 'not_ready') {
      if (!reasonId) {
        throw new AppError(400, 'reason_required', 'reasonId is required for not_ready', {
          field: 'reasonId',
        });
      }
      const reason = await this.store.reason(reasonId);
      if (!reason || !reason.active || reason.system) {
        throw new AppError(400, 'unknown_reason', `reasonId ${reasonId} is not a pause reason`, {
          field: 'reasonId',
        });
      }
      return { state: 'not_ready', reason: reasonId };
    }
    if (input.status !== 'ready' && input.status !== 'offline') {
      throw new AppError(
        400,
        'bad_status',
        `status must be ready, not_ready or offline, not ${input.status}`,
        { field: 'status' },
      );
    }
    if (reasonId) {
      throw new AppError(400, 'reason_not_allowed', `reasonId is only for not_ready`, {
        field: 'reasonId',
      });
    }
    return { state: input.status };
  }

  /** Signing in to the console (see the sign-in policy in status.ts). Not an operator: no-op. */
  signedIn(userId: number): Promise<void> {
    return this.run(async () => {
      const agent = await this.agentById(userId);
      if (agent) await this.change(agent, signIn, null);
    });
  }

  signedOut(userId: number): Promise<void> {
    return this.run(async () => {
      const agent = await this.agentById(userId);
      if (agent) await this.change(agent, signOut, null);
    });
  }

  /** Ends after-call work whose time is up. */
  tick(): Promise<void> {
    const at = this.now().getTime();
    const due = [...this.statuses].filter(
      ([, s]) =>
        s.state === 'after_call_work' && s.acwUntil && new Date(s.acwUntil).getTime() <= at,
    );
    if (due.length === 0) return Promise.resolve();
    return this.run(async () => {
      for (const [userId] of due) {
        const agent = await this.agentById(userId);
        if (agent) await this.change(agent, acwExpired, 'system');
      }
    });
  }

  /** AMI events: AgentComplete, ContactStatus, queue reloads and members added. */
  handleEvent(e: AmiMessage): Promise<void> | void {
    switch (e.Event) {
      case 'AgentComplete': {
        const username = memberName(e);
        if (!username) return;
        return this.run(async () => {
          const agent = await this.agentByName(username);
          if (!agent) return;
          const acw = await this.acwSeconds();
          await this.change(agent, (s, at) => callCompleted(s, acw, at), 'system');
        });
      }
      case 'ContactStatus': {
        const username = e.AOR ?? e.EndpointName;
        const uri = e.URI ?? '';
        const status = e.ContactStatus ?? '';
        if (!username || (!REACHABLE.has(status) && !LOST.has(status))) return;
        return this.run(async () => {
          const set = this.contacts.get(username) ?? new Map<string, boolean>();
          if (status === 'Removed') set.delete(uri);
          else set.set(uri, REACHABLE.has(status));
          this.contacts.set(username, set);
          const agent = await this.agentByName(username);
          if (!agent) return;
          const reachable = [...set.values()].some(Boolean);
          await this.change(agent, (s, at) => setReachable(s, reachable, at), 'system');
        });
      }
      case 'Reload':
      case 'QueueMemberAdded':
      case 'FullyBooted':
        // A reloaded queues.conf re-creates its static members, and an Asterisk that takes AMI
        // logins while still booting may not have its queues yet: put the pauses back.
        this.scheduleReapply();
        return;
      default:
        return;
    }
  }

  /**
   * After an AMI (re)connect: reads the contacts, marks operators without a reachable one, and
   * tells Asterisk every operator's status (an Asterisk that restarted holds no pauses at all).
   */
  resync(): Promise<void> {
    return this.run(async () => {
      await this.refreshAgents();
      const pbx = this.pbx;
      if (!pbx?.state.connected) return;
      let contacts: Map<string, Map<string, boolean>> | null = null;
      try {
        const list = await pbx.actionList({ Action: 'PJSIPShowContacts' }, 'ContactListComplete');
        contacts = new Map();
        for (const c of list) {
          if (c.Event !== 'ContactList') continue;
          const aor = c.Aor ?? c.AOR ?? c.ObjectName?.split(';@')[0];
          if (!aor) continue;
          const set = contacts.get(aor) ?? new Map<string, boolean>();
          set.set(c.Uri ?? c.URI ?? c.ObjectName ?? '', !LOST.has(c.Status ?? ''));
          contacts.set(aor, set);
        }
      } catch (err) {
        this.logger.warn({ err }, 'could not read the PBX contacts; reachability kept as it was');
      }
      if (contacts) {
        this.contacts = contacts;
        for (const agent of this.agents.values()) {
          const reachable = [...(contacts.get(agent.username)?.values() ?? [])].some(Boolean);
          await this.change(agent, (s, at) => setReachable(s, reachable, at), 'system', false);
        }
      }
      this.applied.clear();
      await this.applyAll();
    });
  }

  private scheduleReapply(): void {
    if (this.resyncTimer) return;
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = null;
      void this.run(async () => {
        await this.refreshAgents();
        this.applied.clear();
        await this.applyAll();
      });
    }, 200);
    this.resyncTimer.unref();
  }

  private async applyAll(): Promise<void> {
    for (const agent of this.agents.values()) {
      await this.apply(agent, pbxPause(this.statusOf(agent.userId)));
    }
  }

  /**
   * One step: computes the next status, saves it (with a log row when what the floor sees
   * changed), tells Asterisk and announces it. `apply` false leaves Asterisk for the caller.
   */
  private async change(
    agent: Agent,
    next: (s: AgentStatus, at: Date) => AgentStatus,
    by: string | null,
    apply = true,
  ): Promise<void> {
    const at = this.now();
    const before = this.statuses.get(agent.userId);
    const from = before ?? initialStatus(at);
    const to = next(from, at);
    if (before && to === from) return;
    const logged = !before || publicChanged(from, to);
    const iso = at.toISOString();
    await this.store.save(
      agent.userId,
      to,
      iso,
      logged
        ? {
            userId: agent.userId,
            status: publicStatus(to),
            reason: logReason(to),
            at: iso,
            setBy: by,
          }
        : null,
    );
    this.statuses.set(agent.userId, to);
    if (logged) {
      this.logger.info(
        {
          user: agent.username,
          from: before ? publicStatus(from) : null,
          to: publicStatus(to),
          reason: logReason(to),
          by,
        },
        'operator status',
      );
    }
    if (apply) await this.apply(agent, pbxPause(to));
    this.emit('changed', this.view(agent));
  }

  /** `QueuePause` for the member in every queue it belongs to. */
  private async apply(agent: Agent, pause: PbxPause): Promise<void> {
    const pbx = this.pbx;
    if (!pbx?.state.connected) return;
    const last = this.applied.get(agent.userId);
    if (last && last.paused === pause.paused && last.reason === pause.reason) return;
    const message: Record<string, string> = {
      Action: 'QueuePause',
      Interface: `PJSIP/${agent.username}`,
      Paused: pause.paused ? 'true' : 'false',
    };
    if (pause.paused) message.Reason = pause.reason;
    try {
      await pbx.action(message);
      this.applied.set(agent.userId, pause);
    } catch (err) {
      // A supervisor with a phone is in no queue: Asterisk answers "Interface not found".
      const text = err instanceof Error ? err.message : String(err);
      if (/not found/i.test(text)) {
        this.applied.set(agent.userId, pause);
        this.logger.debug({ user: agent.username }, 'operator is in no queue');
      } else {
        this.logger.warn({ err, user: agent.username }, 'Asterisk did not take the pause');
      }
    }
  }

  // ------------------------------------------------------------------------------------------
  // Operators

  private async refreshAgents(): Promise<void> {
    this.agents = new Map((await this.store.agents()).map((a) => [a.username, a]));
    // An operator who never had a status is signed out since now (saved at the first change).
    for (const a of this.agents.values()) {
      if (!this.statuses.has(a.userId)) this.statuses.set(a.userId, initialStatus(this.now()));
    }
  }

  private async agentByName(username: string): Promise<Agent | undefined> {
    if (!this.agents.has(username)) await this.refreshAgents();
    return this.agents.get(username);
  }

  private async agentById(userId: number): Promise<Agent | undefined> {
    const find = () => [...this.agents.values()].find((a) => a.userId === userId);
    const found = find();
    if (found) return found;
    await this.refreshAgents();
    return find();
  }

  // ------------------------------------------------------------------------------------------
  // Pause reasons and settings (administrator)

  reasons(): Promise<PauseReason[]> {
    return this.store.reasons();
  }

  async addReason(r: Omit<PauseReason, 'system'>): Promise<PauseReason> {
    if (await this.store.reason(r.id)) {
      throw new AppError(409, 'exists', `A pause reason ${r.id} exists already`, { field: 'id' });
    }
    await this.store.insertReason(r);
    return (await this.store.reason(r.id))!;
  }

  async updateReason(
    id: string,
    r: Partial<Pick<PauseReason, 'names' | 'active' | 'sort'>>,
  ): Promise<PauseReason> {
    const existing = await this.store.reason(id);
    if (!existing) throw new AppError(404, 'not_found', `No pause reason ${id}`);
    if (existing.system) {
      throw new AppError(409, 'system_reason', `${id} is set by the system and cannot be edited`);
    }
    await this.store.updateReason(id, r);
    return (await this.store.reason(id))!;
  }

  /** The after-call work time; read once, then kept (it is read at the end of every call). */
  async acwSeconds(): Promise<number> {
    this.acw ??= await this.store.acwSeconds();
    return this.acw;
  }

  async setAcwSeconds(seconds: number): Promise<number> {
    await this.store.setAcwSeconds(seconds, this.now().toISOString());
    this.acw = seconds;
    return seconds;
  }
}

/** The operator's username from a queue event: MemberName, else the PJSIP interface. */
function memberName(e: AmiMessage): string | null {
  const iface = e.Interface ?? e.MemberName ?? '';
  const m = /^PJSIP\/(.+)$/.exec(iface);
  if (m) return m[1]!;
  return e.MemberName ?? null;
}
