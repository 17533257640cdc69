/**
 * The composition root: opens the database, wires every domain, connects to the PBX and serves
 * HTTPS. `startController` is what `main.ts` runs and what integration tests start in-process.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino, type Logger } from 'pino';
import { AuditStore } from './admin/audit-store.js';
import { AuthService } from './admin/auth-service.js';
import { nodeCrypto } from './admin/crypto.js';
import { seedDemo } from './admin/demo-seed.js';
import { UserStore } from './admin/users-store.js';
import { CallService, toView } from './calls/service.js';
import { CallStore } from './calls/store.js';
import { cdrFile, queueLogFile } from './calls/appended-file.js';
import { RecordingIndexer } from './recordings/indexer.js';
import type { Config } from './config.js';
import { migrateToLatest, openDatabase, pingDatabase, type OpenedDatabase } from './db/database.js';
import { HealthService } from './device/health.js';
import { buildApp, type App } from './http/app.js';
import { LiveHub } from './http/live-hub.js';
import { Metrics } from './http/metrics.js';
import { ensureTls } from './http/tls.js';
import { AmiLink } from './pbx/ami-link.js';
import { PbxConfigService } from './pbx/config-service.js';
import { PbxStore } from './pbx/store.js';
import { startOfDay } from './time.js';
import { DEFAULT_FLOW, DEFAULT_FLOW_ID, DEMO_PROMPTS } from './flows/default-flow.js';
import { FlowService } from './flows/service.js';
import { FlowStore } from './flows/store.js';
import { CalendarService } from './pbx/calendar-service.js';
import { PROMPT_LANGUAGES, PromptService } from './prompts/service.js';
import { seedDemoKnowledgeBase } from './admin/demo-seed.js';
import { KbService } from './servicedesk/kb/service.js';
import { KbStore } from './servicedesk/kb/store.js';
import { openPredicate } from './pbx/calendar.js';
import { ServiceDesk } from './servicedesk/service.js';
import { Integrations } from './servicedesk/integrations.js';
import { WebhookWorker } from './servicedesk/webhooks.js';
import { loadClockPolicy } from './servicedesk/routes.js';
import { CallControl } from './callcontrol/service.js';
import { Dispositions } from './dispositions/service.js';
import { ChatService } from './chat/service.js';
import { ChatStore } from './chat/store.js';
import { AgentService } from './agents/service.js';
import { AgentStore } from './agents/store.js';
import { apiRoutes } from './api-routes.js';
import { createSupervision } from './supervision/index.js';

export interface Controller {
  app: App;
  url: string;
  ami: AmiLink;
  calls: CallService;
  close(): Promise<void>;
}

const here = path.dirname(fileURLToPath(import.meta.url));

export async function readVersion(): Promise<string> {
  for (const candidate of [
    path.join(here, '../../package.json'),
    path.join(here, '../package.json'),
  ]) {
    try {
      return (JSON.parse(await readFile(candidate, 'utf8')) as { version: string }).version;
    } catch {
      // try the next location (source tree vs. built tree)
    }
  }
  return '0.0.0';
}

export function makeLogger(level: Config['logLevel']): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'req.headers["x-csrf-token"]',
        'secret',
        'password',
      ],
      censor: '[redacted]',
    },
  });
}

/**
 * Prepares state that must exist before Asterisk starts: database, first administrator, demo
 * data, AMI secret and the generated PBX files. Safe to run again at every start.
 */
export async function prepare(config: Config, logger: Logger) {
  await mkdir(config.dataDir, { recursive: true, mode: 0o750 });
  const database = openDatabase(path.join(config.dataDir, 'kcc.sqlite'));
  const applied = await migrateToLatest(database.db);
  if (applied.length) logger.info({ applied }, 'database migrated');
  const now = () => new Date();
  const users = new UserStore(database.db);
  const audit = new AuditStore(database.db, now);
  const auth = new AuthService(users, audit, nodeCrypto, config.auth, now);
  const pbxStore = new PbxStore(database.db);

  const admin = await auth.bootstrapAdmin(config.auth.initialAdminPassword);
  if (admin.generated) {
    // Shown once on the console, never logged: the administrator changes it after signing in.
    process.stdout.write(
      `\n  First start: administrator account created.\n  username: admin\n  password: ${admin.generated}\n\n`,
    );
  }
  if (config.demo) {
    const created = await seedDemo(auth, users, pbxStore);
    if (created.length) logger.info({ created }, 'demo users created');
  }

  let amiSecret = config.pbx.ami.secret;
  if (!amiSecret) {
    amiSecret = (await pbxStore.getSetting('pbx.ami_secret')) ?? '';
    if (!amiSecret) {
      amiSecret = nodeCrypto.randomToken(24);
      await pbxStore.setSetting('pbx.ami_secret', amiSecret, now().toISOString());
    }
  }
  const flowStore = new FlowStore(database.db);
  // The PBX link exists only once the controller serves; until then changes are written only.
  const link: { ami?: AmiLink } = {};
  const syncPbx = async () => {
    await pbxConfig.sync(link.ami);
  };
  const calendar = new CalendarService(database.db, pbxStore, syncPbx, now);
  const prompts = new PromptService(
    database.db,
    path.join(config.dataDir, 'prompts'),
    path.join(config.pbx.generatedDir, 'sounds'),
    now,
  );
  const pbxConfig = new PbxConfigService(
    config.pbx,
    amiSecret,
    pbxStore,
    users,
    { flows: flowStore, calendar, now },
    logger,
  );
  const queueNames = async () => new Set((await pbxStore.queues()).map((q) => q.name));
  const flows = new FlowService({
    store: flowStore,
    context: async () => ({ prompts: await prompts.names(), queues: await queueNames() }),
    syncPbx,
    now,
  });

  await calendar.ensureDefaults();
  await ensurePrompts(prompts, logger);
  await flows.ensureDefault(DEFAULT_FLOW_ID, 'Main', DEFAULT_FLOW);
  const kb = new KbService({ store: new KbStore(database.db), now });
  if (config.demo) {
    const articles = await seedDemoKnowledgeBase(kb);
    if (articles) logger.info({ articles }, 'demo knowledge base loaded');
  }
  await pbxConfig.sync();
  return {
    database,
    users,
    audit,
    auth,
    pbxStore,
    pbxConfig,
    amiSecret,
    now,
    link,
    flows,
    flowStore,
    calendar,
    prompts,
    syncPbx,
    kb,
  };
}

/** First start: the shipped prompts, spoken by espeak-ng, until the customer uploads theirs. */
async function ensurePrompts(prompts: PromptService, logger: Logger): Promise<void> {
  const have = await prompts.names();
  await prompts.republishAll();
  for (const [name, texts] of Object.entries(DEMO_PROMPTS)) {
    if (have.has(name)) continue;
    for (const language of PROMPT_LANGUAGES) {
      try {
        await prompts.synthesize(name, language, texts[language]);
      } catch (err) {
        logger.warn(
          { err: (err as Error).message, name, language },
          'could not make a shipped prompt (is espeak-ng installed?)',
        );
      }
    }
  }
}

export async function startController(
  config: Config,
  logger = makeLogger(config.logLevel),
): Promise<Controller> {
  const version = await readVersion();
  const p = await prepare(config, logger);
  const { database, auth, pbxConfig, now } = p;
  const tls = await ensureTls(path.join(config.dataDir, 'tls'), config.http.certificateNames);
  if (tls.renewed) logger.info({ ca: tls.caFile }, 'issued the server certificate');

  const metrics = new Metrics();
  const ami = new AmiLink({
    host: config.pbx.ami.host,
    port: config.pbx.ami.port,
    username: config.pbx.ami.username,
    secret: p.amiSecret,
    actionTimeoutMs: config.pbx.ami.actionTimeoutMs,
    keepAliveMs: config.pbx.ami.keepAliveMs,
    logger: logger.child({ component: 'ami' }),
  });
  p.link.ami = ami;
  const services = await p.pbxStore.services();
  const callStore = new CallStore(database.db);
  const recordings = new RecordingIndexer(
    callStore,
    config.pbx.recordingsDir,
    logger.child({ component: 'recordings' }),
    now,
  );
  const calls = new CallService(
    callStore,
    { services, now, isOperator: (endpoint) => pbxConfig.isPhone(endpoint) },
    logger.child({ component: 'calls' }),
    (at) => startOfDay(at),
    recordings,
    {
      cdr: cdrFile(database.db, config.pbx.logDir),
      queueLog: queueLogFile(database.db, config.pbx.logDir),
    },
  );
  await calls.loadOpenCalls();
  const hub = new LiveHub(auth);
  // Expired sessions are useless rows holding personal data (IP, browser): drop them hourly.
  const purgeSessions = () =>
    p.users
      .deleteExpiredSessions(now().toISOString())
      .catch((err: unknown) => logger.error({ err }, 'session purge failed'));
  await purgeSessions();
  const purgeTimer = setInterval(() => void purgeSessions(), 3600_000);
  purgeTimer.unref();
  const startedAt = Date.now();
  const health = new HealthService({
    version,
    dataDir: config.dataDir,
    pingDb: () => pingDatabase(database.db),
    pbx: () => ami.state,
    startedAt,
  });

  const serviceDesk = new ServiceDesk(database.db, {
    now,
    logger: logger.child({ component: 'servicedesk' }),
    policy: () => loadClockPolicy(database.db),
    workingTime: async () => openPredicate(await p.calendar.hours(), await p.calendar.rules()),
  });
  const integrations = new Integrations(database.db, nodeCrypto, now);
  const webhooks = new WebhookWorker(database.db, {
    now,
    logger: logger.child({ component: 'webhooks' }),
  });
  serviceDesk.on('changed', (ticket, event) => {
    hub.publish('tickets', 'ticket.changed', { ticket, event });
    webhooks.nudge();
  });
  serviceDesk.on('breach', (b) =>
    hub.publish('servicedesk-alerts', `ticket.${b.kind}_breached`, b),
  );
  // Internal chat: each event goes to the conversation's participants only.
  const chat = new ChatService({ store: new ChatStore(database.db), now });
  chat.on('message', (to, data) => hub.publishTo(to, 'chat', 'chat.message', data));
  chat.on('read', (to, data) => hub.publishTo(to, 'chat', 'chat.read', data));
  chat.on('conversation', (to, data) => hub.publishTo(to, 'chat', 'chat.conversation', data));
  // Operator statuses (OP-32): QueuePause per change, put back on every AMI (re)connect.
  const agentStore = new AgentStore(database.db);
  const agents = new AgentService({
    store: agentStore,
    now,
    logger: logger.child({ component: 'agents' }),
  });
  await agents.load();
  agents.attach(ami);
  agents.on('changed', (view) => hub.publish('agents', 'agent.status', view));
  ami.on('event', (e) => void agents.handleEvent(e));
  ami.on('connected', () => void agents.resync());

  // Staffing alerts (STAFF-7/8/9) and the availability figures (OBS-13).
  const supervision = createSupervision({
    db: database.db,
    audit: p.audit,
    users: p.users,
    settings: p.pbxStore,
    agents,
    calls,
    calendar: p.calendar,
    hub,
    now,
    logger: logger.child({ component: 'supervision' }),
  });

  const pbxLink = () => (ami.state.connected ? ami : null);
  const callControl = new CallControl(pbxLink, {
    phones: async () =>
      new Map(
        (await p.users.softphoneUsers()).map(
          (u) => [u.username, u.display_name] as [string, string],
        ),
      ),
    queues: async () => (await p.pbxStore.queues()).map((q) => q.name),
    canDialOut: async () => (await p.pbxStore.trunks()).some((t) => Boolean(t.outboundUri)),
  });

  const app = await buildApp(
    {
      auth,
      users: p.users,
      calls,
      health,
      hub,
      metrics,
      now,
      version,
      uiDir: config.http.uiDir,
      pbxWebSocket: { host: config.pbx.http.bindAddress, port: config.pbx.http.port },
      caCert: tls.caCert,
      metricsToken: config.metricsToken,
      resolveApiToken: integrations.resolveToken,
      outboundCallerIds: () => p.pbxStore.outboundCallerIds(),
      routes: apiRoutes({
        db: database.db,
        now,
        auth,
        users: p.users,
        audit: p.audit,
        syncPbx: p.syncPbx,
        pbxStore: p.pbxStore,
        pbxLink,
        calls,
        serviceDesk,
        integrations,
        flows: p.flows,
        flowStore: p.flowStore,
        calendar: p.calendar,
        prompts: p.prompts,
        kb: p.kb,
        callControl,
        dispositions: new Dispositions(database.db, now),
        chat,
        agents,
        agentStore,
        supervision,
      }),
    },
    { loggerInstance: logger, https: { key: tls.key, cert: tls.cert } },
  );

  wireLiveUpdates({ ami, calls, hub, health, metrics, pbxConfig, logger, now });

  await app.listen({ host: config.http.host, port: config.http.port });
  ami.start();
  agents.start();
  await supervision.start();
  await serviceDesk.start();
  webhooks.start();
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  const url = `https://${config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host}:${port}`;

  let closing: Promise<void> | null = null;
  return {
    app,
    url,
    ami,
    calls,
    close: () =>
      (closing ??= (async () => {
        clearInterval(purgeTimer);
        recordings.stop();
        serviceDesk.stop();
        supervision.stop();
        agents.stop();
        await webhooks.stop();
        await ami.stop();
        await app.close();
        await calls.idle();
        await agents.idle();
        await supervision.idle();
        await closeDatabase(database);
      })()),
  };
}

async function closeDatabase(database: OpenedDatabase): Promise<void> {
  await database.db.destroy();
}

function wireLiveUpdates(d: {
  ami: AmiLink;
  calls: CallService;
  hub: LiveHub;
  health: HealthService;
  metrics: Metrics;
  pbxConfig: PbxConfigService;
  logger: Logger;
  now: () => Date;
}): void {
  const { ami, calls, hub, health, metrics, logger } = d;
  let summaryTimer: NodeJS.Timeout | null = null;
  // Summary figures are pushed at most every 500 ms however busy the PBX is.
  const pushSummary = () => {
    if (!hub.listening('summary')) {
      // Nobody watches the figures: keep the gauge, skip counting today's calls.
      metrics.activeCalls.set(calls.activeCount);
      return;
    }
    if (summaryTimer) return;
    summaryTimer = setTimeout(() => {
      summaryTimer = null;
      calls.summary().then(
        (s) => {
          metrics.activeCalls.set(s.activeCalls);
          hub.publish('summary', 'summary.changed', s);
        },
        (err: unknown) => logger.error({ err }, 'summary failed'),
      );
    }, 500);
    summaryTimer.unref();
  };
  const pushHealth = () =>
    health.current().then(
      (h) => hub.publish('health', 'health.changed', h),
      (err: unknown) => logger.error({ err }, 'health failed'),
    );

  ami.on('event', (e) => {
    metrics.callEvents.inc();
    void calls.handleEvent(e);
  });
  calls.on('changed', (call) => {
    hub.publish('calls', 'call.updated', toView(call, d.now()));
    pushSummary();
  });
  ami.on('connected', () => {
    metrics.pbxConnected.set(1);
    metrics.pbxReconnects.inc();
    void pushHealth();
    void d.pbxConfig
      .sync(ami)
      .catch((err: unknown) => logger.error({ err }, 'PBX configuration sync failed'));
    calls
      .reconcile(ami)
      .then(pushSummary, (err: unknown) =>
        logger.error({ err }, 'could not reconcile calls with the PBX'),
      );
  });
  ami.on('disconnected', () => {
    metrics.pbxConnected.set(0);
    void pushHealth();
  });
}
