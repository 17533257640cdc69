/**
 * Health of the box: database, PBX link, disk and load. Disk and CPU figures come from
 * systeminformation and are cached briefly, since reading them spawns `df`.
 */
import os from 'node:os';
import si from 'systeminformation';
import type { AmiLinkStatus } from '../pbx/ami-link.js';

export interface Health {
  status: 'ok' | 'degraded';
  version: string;
  uptimeSeconds: number;
  db: 'ok' | 'error';
  pbx: { connected: boolean; version: string | null; since: string | null };
  disk: { path: string; totalBytes: number; freeBytes: number; usedPercent: number };
  load: { avg1: number; cpuPercent: number };
}

export interface HealthSources {
  version: string;
  dataDir: string;
  pingDb: () => Promise<boolean>;
  pbx: () => AmiLinkStatus;
  startedAt: number;
}

/** Below this much free space recordings are at risk: health reports degraded. */
const MIN_FREE_BYTES = 1024 ** 3;

export class HealthService {
  private system: { disk: Health['disk']; load: Health['load']; at: number } | null = null;

  constructor(private readonly src: HealthSources) {}

  async current(): Promise<Health> {
    const [dbOk, system] = await Promise.all([this.src.pingDb(), this.systemFigures()]);
    const pbx = this.src.pbx();
    const status =
      dbOk && pbx.connected && system.disk.freeBytes >= MIN_FREE_BYTES ? 'ok' : 'degraded';
    return {
      status,
      version: this.src.version,
      uptimeSeconds: Math.round((Date.now() - this.src.startedAt) / 1000),
      db: dbOk ? 'ok' : 'error',
      pbx: { connected: pbx.connected, version: pbx.version, since: pbx.since },
      disk: system.disk,
      load: system.load,
    };
  }

  private async systemFigures(): Promise<{ disk: Health['disk']; load: Health['load'] }> {
    if (this.system && Date.now() - this.system.at < 5000) return this.system;
    const [fs, load] = await Promise.all([
      si.fsSize().catch(() => []),
      si.currentLoad().catch(() => null),
    ]);
    // The file system holding the data dir: the longest mount point that prefixes it.
    const mount = fs
      .filter(
        (f) =>
          this.src.dataDir === f.mount ||
          this.src.dataDir.startsWith(f.mount.endsWith('/') ? f.mount : `${f.mount}/`),
      )
      .sort((a, b) => b.mount.length - a.mount.length)[0];
    const totalBytes = mount?.size ?? 0;
    const freeBytes = mount?.available ?? 0;
    this.system = {
      at: Date.now(),
      disk: {
        path: mount?.mount ?? this.src.dataDir,
        totalBytes,
        freeBytes,
        usedPercent:
          totalBytes > 0 ? Math.round(((totalBytes - freeBytes) / totalBytes) * 1000) / 10 : 0,
      },
      load: {
        avg1: Math.round((os.loadavg()[0] ?? 0) * 100) / 100,
        cpuPercent: Math.round((load?.currentLoad ?? 0) * 10) / 10,
      },
    };
    return this.system;
  }
}
