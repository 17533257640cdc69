import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, loadConfig } from './config.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kcc-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(name: string, content: unknown): string {
  const file = path.join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('loadConfig', () => {
  it('runs on defaults with no file and no environment', () => {
    const config = loadConfig({});
    expect(config).toEqual(defaultConfig(path.resolve('data')));
    expect(config.http.port).toBe(8443);
    expect(config.demo).toBe(false);
    expect(config.pbx.generatedDir).toBe(path.join(path.resolve('data'), 'asterisk'));
  });

  it('puts the data under KCC_DATA_DIR', () => {
    const config = loadConfig({ KCC_DATA_DIR: '/var/lib/kcc' });
    expect(config.dataDir).toBe('/var/lib/kcc');
    expect(config.pbx.generatedDir).toBe('/var/lib/kcc/asterisk');
  });

  it('coerces environment overrides to the types of their keys', () => {
    const config = loadConfig({
      KCC_HTTP_PORT: '9443',
      KCC_AMI_PORT: '15038',
      KCC_DEMO: '1',
      KCC_LOG_LEVEL: 'debug',
      KCC_UI_DIR: '/opt/kcc/ui',
      KCC_ADMIN_PASSWORD: 'first-admin-pass',
    });
    expect(config.http.port).toBe(9443);
    expect(config.pbx.ami.port).toBe(15038);
    expect(config.demo).toBe(true);
    expect(config.logLevel).toBe('debug');
    expect(config.http.uiDir).toBe('/opt/kcc/ui');
    expect(config.auth.initialAdminPassword).toBe('first-admin-pass');
  });

  it.each([
    ['1', true],
    ['true', true],
    ['YES', true],
    ['on', true],
    ['0', false],
    ['false', false],
    ['', false],
  ])('KCC_DEMO=%j is %s', (raw, expected) => {
    expect(loadConfig({ KCC_DEMO: raw }).demo).toBe(expected);
  });

  it('reads an empty KCC_UI_DIR as no console', () => {
    expect(loadConfig({ KCC_UI_DIR: '' }).http.uiDir).toBeNull();
  });

  it('refuses a port that is not a number, naming the key', () => {
    expect(configError({ KCC_HTTP_PORT: 'abc' }).message).toContain('/http/port');
    expect(configError({ KCC_HTTP_PORT: '' }).message).toContain('/http/port');
  });

  it('refuses out-of-range and unknown values, naming the key', () => {
    expect(configError({ KCC_SIP_PORT: '70000' }).message).toContain('/pbx/sip/port');
    expect(configError({ KCC_LOG_LEVEL: 'verbose' }).message).toContain('/logLevel');
    expect(configError({ KCC_AMI_USERNAME: 'Bad User' }).message).toContain('/pbx/ami/username');
  });

  it('merges a JSON config file over the defaults, key by key', () => {
    const file = writeConfig('merge.json', {
      dataDir: '/srv/kcc',
      http: { host: '10.20.0.5', certificateNames: ['kcc.example.kz'] },
      pbx: { ami: { keepAliveMs: 3000 }, iceHostCandidates: { '172.17.0.2': '10.20.0.5' } },
      auth: { maxFailedLogins: 3 },
    });
    const config = loadConfig({ KCC_CONFIG: file });
    expect(config.dataDir).toBe('/srv/kcc');
    expect(config.http).toEqual({
      host: '10.20.0.5',
      port: 8443,
      certificateNames: ['kcc.example.kz'],
      uiDir: null,
    });
    expect(config.pbx.ami).toMatchObject({
      host: '127.0.0.1',
      port: 5038,
      keepAliveMs: 3000,
      username: 'kcc',
    });
    expect(config.pbx.iceHostCandidates).toEqual({ '172.17.0.2': '10.20.0.5' });
    expect(config.auth).toMatchObject({
      maxFailedLogins: 3,
      lockoutMinutes: 15,
      sessionTtlHours: 12,
    });
    // The generated PBX files follow the data dir the file names.
    expect(config.pbx.generatedDir).toBe('/srv/kcc/asterisk');
  });

  it('lets the environment override the file', () => {
    const file = writeConfig('override.json', { http: { port: 7443 }, demo: true });
    const config = loadConfig({ KCC_CONFIG: file, KCC_HTTP_PORT: '9443', KCC_DEMO: 'false' });
    expect(config.http.port).toBe(9443);
    expect(config.demo).toBe(false);
  });

  it('validates values that come from the file', () => {
    const file = writeConfig('bad-value.json', { auth: { maxFailedLogins: 0 } });
    expect(configError({ KCC_CONFIG: file }).message).toContain('/auth/maxFailedLogins');
  });

  it('names a config file that is missing or not JSON', () => {
    const missing = path.join(dir, 'missing.json');
    expect(configError({ KCC_CONFIG: missing }).message).toContain(missing);
    const broken = writeConfig('broken.json', '{"http": {');
    expect(configError({ KCC_CONFIG: broken }).message).toContain(broken);
  });
});
