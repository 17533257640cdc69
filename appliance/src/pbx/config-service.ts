/**
 * Keeps Asterisk's generated configuration equal to the database: renders, writes what changed,
 * and reloads the affected modules over AMI when Asterisk is up (when it is down, it reads the
 * new files as it starts).
 */
import type { Logger } from 'pino';
import type { UserStore } from '../admin/users-store.js';
import type { Config } from '../config.js';
import type { AmiLink } from './ami-link.js';
import { writeGeneratedFiles } from './config-writer.js';
import { RELOAD_MODULE, renderAll, type GeneratedFile, type RenderState } from './render/index.js';
import type { FlowStore } from '../flows/store.js';
import { renderHoursDialplan } from './calendar.js';
import type { CalendarService } from './calendar-service.js';
import type { PbxStore } from './store.js';

export interface PbxSources {
  flows: FlowStore;
  calendar: CalendarService;
  now: () => Date;
}

export class PbxConfigService {
  /** Endpoint names of the users' phones as last rendered: the operators' side of a call. */
  private phones: ReadonlySet<string> = new Set();

  constructor(
    private readonly config: Config['pbx'],
    private readonly amiSecret: string,
    private readonly store: PbxStore,
    private readonly users: UserStore,
    private readonly sources: PbxSources,
    private readonly logger: Logger,
  ) {}

  async state(): Promise<RenderState> {
    const [trunks, services, softphones, queues, flows, serviceFlows, hours, rules, callerIds] =
      await Promise.all([
        this.store.trunks(),
        this.store.services(),
        this.users.softphoneUsers(),
        this.store.queues(),
        this.sources.flows.published(),
        this.sources.flows.serviceFlows(),
        this.sources.calendar.hours(),
        this.sources.calendar.rules(),
        this.store.outboundCallerIds(),
      ]);
    // Queue membership by role and spoken language: every operator speaks Kazakh (SVC-14), so
    // the Kazakh queue gets them all and the Russian queue the Russian speakers.
    const members = (q: (typeof queues)[number]) =>
      softphones
        .filter((u) => u.role === q.member_role)
        .filter(
          (u) => q.language === null || (JSON.parse(u.languages) as string[]).includes(q.language),
        )
        .map((u) => u.username);
    const year = this.sources.now().getUTCFullYear();
    return {
      sip: this.config.sip,
      http: this.config.http,
      ami: {
        bindAddress: this.config.ami.host,
        port: this.config.ami.port,
        username: this.config.ami.username,
        secret: this.amiSecret,
      },
      mediaAddress: this.config.mediaAddress,
      iceHostCandidates: this.config.iceHostCandidates,
      trunks,
      endpoints: softphones.map((u) => ({
        username: u.username,
        displayName: u.display_name,
        secret: u.sip_secret!,
        phoneType: u.phone_type,
      })),
      services,
      serviceFlows,
      outboundCallerIds: callerIds,
      flows,
      queues: queues.map((q) => ({
        name: q.name,
        strategy: q.strategy,
        ringSeconds: q.ring_seconds,
        wrapupSeconds: q.wrapup_seconds,
        maxWaitSeconds: q.max_wait_seconds,
        members: members(q),
      })),
      // This year and the next: a controller restarted once a year keeps the calendar current.
      hoursDialplan: renderHoursDialplan(year, year + 1, hours, rules),
    };
  }

  /** Whether a PJSIP endpoint is a user's phone (not a trunk). */
  isPhone(endpoint: string): boolean {
    return this.phones.has(endpoint);
  }

  /** Renders and writes; reloads changed modules through `ami` when given and connected. */
  async sync(ami?: AmiLink): Promise<GeneratedFile[]> {
    const state = await this.state();
    this.phones = new Set(state.endpoints.map((e) => e.username));
    const files = renderAll(state);
    const changed = await writeGeneratedFiles(this.config.generatedDir, files);
    if (changed.length > 0) this.logger.info({ changed }, 'wrote generated PBX configuration');
    if (ami?.state.connected) {
      for (const file of changed) {
        try {
          await ami.action({ Action: 'Reload', Module: RELOAD_MODULE[file] });
        } catch (err) {
          this.logger.error({ err, file }, 'Asterisk did not reload a changed configuration file');
        }
      }
    }
    return changed;
  }
}
