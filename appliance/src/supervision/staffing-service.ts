/**
 * Keeps the staffing alerts (STAFF-7/8/9) current: evaluates them when the floor changes and at
 * every minute boundary (opening and closing times and expired sessions change nothing on the
 * floor), journals each alert raised or cleared, and announces every change.
 *
 * Evaluations run one at a time, and a burst of floor changes (every status put back after an
 * AMI reconnect) makes one more evaluation, not one each.
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import {
  alertChanges,
  staffingAlerts,
  type StaffingAlert,
  type StaffingPolicy,
} from './staffing.js';
import type { StaffingJournal, StaffingSettings } from './store.js';

export type ActiveAlert = StaffingAlert & { since: string };

export interface StaffingState {
  /** Whether the center was open at the last evaluation. */
  open: boolean;
  evaluatedAt: string | null;
  alerts: ActiveAlert[];
}

export interface StaffingServiceDeps {
  /** People signed in to the console with a status other than Signed out. */
  signedIn: () => Promise<ReadonlyArray<{ role: string }>>;
  /** Whether the center is open at an instant (working hours and the holiday calendar). */
  workingTime: () => Promise<(at: Date) => boolean>;
  settings: Pick<StaffingSettings, 'load' | 'save'>;
  journal: Pick<StaffingJournal, 'record' | 'active'>;
  now: () => Date;
  logger: Logger;
}

const MINUTE_MS = 60_000;

export class StaffingService extends EventEmitter<{ changed: [StaffingState] }> {
  private state: StaffingState = { open: false, evaluatedAt: null, alerts: [] };
  private chain: Promise<unknown> = Promise.resolve();
  private queued: Promise<StaffingState> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly d: StaffingServiceDeps) {
    super();
  }

  /** Takes back the alerts the journal shows as active, so a restart raises nothing twice. */
  async load(): Promise<void> {
    const active = await this.d.journal.active();
    this.state = {
      open: active.length > 0,
      evaluatedAt: null,
      alerts: active.map((a) => ({ ...a.alert, since: a.since })),
    };
  }

  /** Evaluates now and then at every minute boundary until stop(). */
  start(): void {
    if (this.timer) return;
    void this.refresh().catch(() => undefined);
    this.schedule();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Resolves when every evaluation asked for so far has run. */
  idle(): Promise<void> {
    return this.chain.then(() => undefined);
  }

  current(): StaffingState {
    return this.state;
  }

  policy(): Promise<StaffingPolicy> {
    return this.d.settings.load();
  }

  /** Saves new minimums and evaluates with them at once. */
  async setPolicy(policy: StaffingPolicy): Promise<StaffingPolicy> {
    await this.d.settings.save(policy);
    await this.refresh();
    return policy;
  }

  /** Evaluates again (after the floor or a setting changed); coalesces requests that pile up. */
  refresh(): Promise<StaffingState> {
    if (this.queued) return this.queued;
    const run = this.chain.then(() => {
      this.queued = null;
      return this.evaluate();
    });
    this.queued = run;
    this.chain = run.catch((err: unknown) =>
      this.d.logger.error({ err }, 'staffing evaluation failed'),
    );
    return run;
  }

  private schedule(): void {
    const delay = MINUTE_MS - (this.d.now().getTime() % MINUTE_MS);
    this.timer = setTimeout(() => {
      void this.refresh().catch(() => undefined);
      this.schedule();
    }, delay);
    this.timer.unref();
  }

  private async evaluate(): Promise<StaffingState> {
    const [signedIn, isOpen, policy] = await Promise.all([
      this.d.signedIn(),
      this.d.workingTime(),
      this.d.settings.load(),
    ]);
    // The instant is taken after the reads, so that a minute boundary passed while reading counts.
    const at = this.d.now();
    const open = isOpen(at);
    const alerts = staffingAlerts({ signedIn, open }, policy);
    const before = this.state;
    const changes = alertChanges(before.alerts, alerts);
    // Journal first: if the write fails the state stays as it was and the next evaluation retries.
    for (const a of changes.cleared) await this.d.journal.record('cleared', a);
    for (const a of changes.raised) await this.d.journal.record('raised', a);
    const iso = at.toISOString();
    const since = new Map(before.alerts.map((a) => [a.id, a.since]));
    this.state = {
      open,
      evaluatedAt: iso,
      alerts: alerts.map((a) => ({ ...a, since: since.get(a.id) ?? iso })),
    };
    for (const a of changes.raised) this.d.logger.warn({ alert: a }, 'staffing alert raised');
    for (const a of changes.cleared) this.d.logger.info({ alert: a.id }, 'staffing alert cleared');
    const changed =
      before.open !== open ||
      changes.raised.length + changes.cleared.length + changes.updated.length > 0;
    if (changed) this.emit('changed', this.state);
    return this.state;
  }
}
