/**
 * Every domain's routes in one list. The composition root registers them, and the access tests
 * build the app from this same list, so a route added to any domain is walked by those tests
 * (for instance the observer's: http/observer-access.test.ts) without touching them.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AuditStore } from './admin/audit-store.js';
import type { AuthService } from './admin/auth-service.js';
import { userRoutes } from './admin/users-routes.js';
import type { UserStore } from './admin/users-store.js';
import { agentRoutes, agentSessionHooks } from './agents/routes.js';
import type { AgentService } from './agents/service.js';
import type { AgentStore } from './agents/store.js';
import { callControlRoutes } from './callcontrol/routes.js';
import type { CallControl, CallControlPbx } from './callcontrol/service.js';
import type { CallService } from './calls/service.js';
import { chatRoutes } from './chat/routes.js';
import type { ChatService } from './chat/service.js';
import type { Db } from './db/database.js';
import { dispositionRoutes } from './dispositions/routes.js';
import type { Dispositions } from './dispositions/service.js';
import { flowRoutes } from './flows/routes.js';
import type { FlowService } from './flows/service.js';
import type { FlowStore } from './flows/store.js';
import { calendarRoutes } from './pbx/calendar-routes.js';
import type { CalendarService } from './pbx/calendar-service.js';
import type { PbxStore } from './pbx/store.js';
import { trunkRoutes } from './pbx/trunk-routes.js';
import { promptRoutes } from './prompts/routes.js';
import type { PromptService } from './prompts/service.js';
import { slaRoutes } from './reports/routes.js';
import type { Integrations } from './servicedesk/integrations.js';
import { kbRoutes } from './servicedesk/kb/routes.js';
import type { KbService } from './servicedesk/kb/service.js';
import { serviceDeskRoutes, subscriberRoutes } from './servicedesk/routes.js';
import type { ServiceDesk } from './servicedesk/service.js';
import type { Supervision } from './supervision/index.js';

export interface ApiServices {
  db: Db;
  now: () => Date;
  auth: AuthService;
  users: UserStore;
  audit: AuditStore;
  /** Renders the PBX configuration and reloads what changed. */
  syncPbx: () => Promise<void>;
  pbxStore: PbxStore;
  /** The AMI link while it is connected. */
  pbxLink: () => CallControlPbx | null;
  calls: CallService;
  serviceDesk: ServiceDesk;
  integrations: Integrations;
  flows: FlowService;
  flowStore: FlowStore;
  calendar: CalendarService;
  prompts: PromptService;
  kb: KbService;
  callControl: CallControl;
  dispositions: Dispositions;
  chat: ChatService;
  agents: AgentService;
  agentStore: AgentStore;
  supervision: Supervision;
}

/** The routes beyond the core ones `buildApp` registers itself. */
export function apiRoutes(s: ApiServices): FastifyPluginAsyncTypebox[] {
  return [
    serviceDeskRoutes(s.serviceDesk, s.integrations, s.db, s.now),
    subscriberRoutes(s.db, s.now),
    flowRoutes(s.flows, s.flowStore),
    calendarRoutes(s.calendar, s.now),
    promptRoutes(s.prompts),
    userRoutes(s.auth, s.users, s.audit, s.syncPbx),
    slaRoutes(s.calls, s.pbxStore, s.now),
    trunkRoutes(s.db, s.pbxStore, s.syncPbx),
    kbRoutes(s.kb),
    callControlRoutes(s.callControl, s.db, s.pbxLink),
    dispositionRoutes(s.dispositions),
    chatRoutes(s.chat),
    agentRoutes(s.agents, s.agentStore, s.now),
    agentSessionHooks(s.agents),
    s.supervision.routes,
  ];
}
