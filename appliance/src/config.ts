/**
 * Controller configuration: defaults that run the demo, overridden by an optional JSON file
 * (`KCC_CONFIG=/etc/kcc/controller.json`) and then by environment variables. The result is
 * validated once at start; a bad value stops the controller with a message naming the key.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

const Port = Type.Integer({ minimum: 1, maximum: 65535 });

export const ConfigSchema = Type.Object({
  /** Where the database, certificates and generated PBX files live. */
  dataDir: Type.String({ minLength: 1 }),
  http: Type.Object({
    host: Type.String(),
    port: Type.Integer({ minimum: 0, maximum: 65535 }),
    /** Extra names and addresses to put in the server certificate (besides the host's own). */
    certificateNames: Type.Array(Type.String()),
    /** Built console to serve at `/`; absent in a controller-only test. */
    uiDir: Type.Union([Type.String(), Type.Null()]),
  }),
  pbx: Type.Object({
    ami: Type.Object({
      host: Type.String(),
      port: Port,
      username: Type.String({ minLength: 1, pattern: '^[a-z0-9_-]+$' }),
      /** AMI secret; generated into the data dir on first start when empty. */
      secret: Type.String(),
      actionTimeoutMs: Type.Integer({ minimum: 100 }),
      /** Ping interval: a silent Asterisk is declared lost after two missed pings. */
      keepAliveMs: Type.Integer({ minimum: 200 }),
    }),
    sip: Type.Object({
      /** Address the carrier trunk reaches (UDP and TCP). */
      bindAddress: Type.String(),
      port: Port,
    }),
    /** Asterisk's own HTTP server (SIP over WebSocket), loopback only: the controller proxies it. */
    http: Type.Object({ bindAddress: Type.String(), port: Port }),
    /** Address Asterisk puts in SDP for the operators' WebRTC media. */
    mediaAddress: Type.String(),
    /** `from => to` ICE host candidate rewrites (rtp.conf), for a box behind NAT or a loopback lab. */
    iceHostCandidates: Type.Record(Type.String(), Type.String()),
    /** Directory Asterisk includes as `/etc/asterisk/generated`. */
    generatedDir: Type.String({ minLength: 1 }),
    /** Asterisk's MixMonitor directory, as the controller sees it. */
    recordingsDir: Type.String({ minLength: 1 }),
    /** Asterisk's log directory (cdr-csv/Master.csv, queue_log), as the controller sees it. */
    logDir: Type.String({ minLength: 1 }),
  }),
  auth: Type.Object({
    sessionTtlHours: Type.Number({ exclusiveMinimum: 0 }),
    maxFailedLogins: Type.Integer({ minimum: 1 }),
    lockoutMinutes: Type.Number({ exclusiveMinimum: 0 }),
    /** Password for the first administrator; generated and printed once when empty. */
    initialAdminPassword: Type.String(),
  }),
  /** Bearer token Prometheus sends from another host; loopback needs none. */
  metricsToken: Type.String(),
  /** Seeds demo operators, a supervisor and the sample trunk on first start. */
  demo: Type.Boolean(),
  logLevel: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
  ),
});

export type Config = Static<typeof ConfigSchema>;

export function defaultConfig(dataDir = path.resolve('data')): Config {
  return {
    dataDir,
    http: { host: '0.0.0.0', port: 8443, certificateNames: [], uiDir: null },
    pbx: {
      ami: {
        host: '127.0.0.1',
        port: 5038,
        username: 'kcc',
        secret: '',
        actionTimeoutMs: 5000,
        keepAliveMs: 1000,
      },
      sip: { bindAddress: '0.0.0.0', port: 5060 },
      http: { bindAddress: '127.0.0.1', port: 8088 },
      mediaAddress: '',
      iceHostCandidates: {},
      generatedDir: path.join(dataDir, 'asterisk'),
      recordingsDir: '/var/spool/asterisk/monitor',
      logDir: '/var/log/asterisk',
    },
    auth: {
      sessionTtlHours: 12,
      maxFailedLogins: 5,
      lockoutMinutes: 15,
      initialAdminPassword: '',
    },
    metricsToken: '',
    demo: false,
    logLevel: 'info',
  };
}

type Env = Record<string, string | undefined>;

/** Environment variables and the config keys they set. */
const ENV_KEYS: Array<[string, string[]]> = [
  ['KCC_HTTP_HOST', ['http', 'host']],
  ['KCC_HTTP_PORT', ['http', 'port']],
  ['KCC_UI_DIR', ['http', 'uiDir']],
  ['KCC_AMI_HOST', ['pbx', 'ami', 'host']],
  ['KCC_AMI_PORT', ['pbx', 'ami', 'port']],
  ['KCC_AMI_USERNAME', ['pbx', 'ami', 'username']],
  ['KCC_AMI_SECRET', ['pbx', 'ami', 'secret']],
  ['KCC_SIP_BIND', ['pbx', 'sip', 'bindAddress']],
  ['KCC_SIP_PORT', ['pbx', 'sip', 'port']],
  ['KCC_PBX_HTTP_PORT', ['pbx', 'http', 'port']],
  ['KCC_MEDIA_ADDRESS', ['pbx', 'mediaAddress']],
  ['KCC_GENERATED_DIR', ['pbx', 'generatedDir']],
  ['KCC_RECORDINGS_DIR', ['pbx', 'recordingsDir']],
  ['KCC_PBX_LOG_DIR', ['pbx', 'logDir']],
  ['KCC_ADMIN_PASSWORD', ['auth', 'initialAdminPassword']],
  ['KCC_DEMO', ['demo']],
  ['KCC_METRICS_TOKEN', ['metricsToken']],
  ['KCC_LOG_LEVEL', ['logLevel']],
];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
    return out;
  }
  return over === undefined ? base : over;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function setPath(target: Record<string, unknown>, keys: string[], value: unknown): void {
  let node = target;
  for (const k of keys.slice(0, -1)) {
    if (!isPlainObject(node[k])) node[k] = {};
    node = node[k] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function coerce(raw: string, current: unknown): unknown {
  if (typeof current === 'number') return raw.trim() === '' ? NaN : Number(raw);
  if (typeof current === 'boolean') return ['1', 'true', 'yes', 'on'].includes(raw.toLowerCase());
  if (current === null && raw === '') return null;
  return raw;
}

/** Builds the configuration from defaults, the optional file and the environment. */
export function loadConfig(env: Env = process.env): Config {
  const dataDir = path.resolve(env.KCC_DATA_DIR ?? 'data');
  let merged: unknown = defaultConfig(dataDir);
  const file = env.KCC_CONFIG;
  if (file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
    }
    merged = deepMerge(merged, parsed);
    // The environment wins over the file, for the data dir too.
    if (env.KCC_DATA_DIR !== undefined) (merged as { dataDir: string }).dataDir = dataDir;
  }
  const withEnv = structuredClone(merged) as Record<string, unknown>;
  for (const [name, keys] of ENV_KEYS) {
    const raw = env[name];
    if (raw === undefined) continue;
    let current: unknown = withEnv;
    for (const k of keys) current = isPlainObject(current) ? current[k] : undefined;
    setPath(withEnv, keys, coerce(raw, current));
  }
  if (env.KCC_GENERATED_DIR === undefined && isPlainObject(withEnv.pbx)) {
    // Keep the generated dir under a data dir given in the file, unless set explicitly.
    const fileDir = (withEnv as { dataDir?: string }).dataDir;
    const pbx = withEnv.pbx as { generatedDir?: string };
    if (fileDir && pbx.generatedDir === path.join(dataDir, 'asterisk')) {
      pbx.generatedDir = path.join(fileDir, 'asterisk');
    }
  }
  const errors = [...Value.Errors(ConfigSchema, withEnv)];
  if (errors.length > 0) {
    const lines = errors.slice(0, 10).map((e) => `  ${e.path || '/'}: ${e.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return withEnv as Config;
}
