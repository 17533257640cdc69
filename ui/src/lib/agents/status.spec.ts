import { describe, expect, it } from 'vitest';
import {
  acwSecondsLeft,
  choosableReasons,
  reasonName,
  secondsSince,
  shortcut,
  sortFloor,
  upsertAgent,
} from './status';
import type { AgentView, PauseReason } from './types';

const reason = (id: string, sort: number, extra: Partial<PauseReason> = {}): PauseReason => ({
  id,
  names: { kk: `${id}-kk`, ru: `${id}-ru`, en: `${id}-en` },
  active: true,
  sort,
  system: false,
  ...extra,
});

const agent = (userId: number, displayName: string, status: AgentView['status']): AgentView => ({
  userId,
  username: displayName.toLowerCase(),
  displayName,
  role: 'operator',
  status,
  state: status === 'unreachable' ? 'ready' : status,
  reasonId: null,
  since: '2025-11-25T09:00:00.000Z',
  unreachable: status === 'unreachable',
  acwEndsAt: null,
  paused: status !== 'ready',
  pauseReason: null,
});

describe('status helpers', () => {
  it('offers only active, non-system reasons in order', () => {
    const list = [
      reason('lunch', 20),
      reason('acw', 900, { system: true }),
      reason('break', 10),
      reason('old', 5, { active: false }),
    ];
    expect(choosableReasons(list).map((r) => r.id)).toEqual(['break', 'lunch']);
    expect(reasonName(list, 'lunch', 'kk')).toBe('lunch-kk');
    expect(reasonName(list, 'mystery', 'ru')).toBe('mystery');
    expect(reasonName(list, null, 'en')).toBe('');
  });

  it('counts time in status and after-call work left', () => {
    const t = new Date('2025-11-25T09:01:05.500Z').getTime();
    expect(secondsSince('2025-11-25T09:00:00.000Z', t)).toBe(65);
    expect(secondsSince('2025-11-25T10:00:00.000Z', t)).toBe(0);
    expect(
      acwSecondsLeft({ status: 'after_call_work', acwEndsAt: '2025-11-25T09:01:10.000Z' }, t),
    ).toBe(5);
    expect(acwSecondsLeft({ status: 'ready', acwEndsAt: null }, t)).toBe(0);
  });

  it('maps F2 and F3', () => {
    expect(shortcut('F2')).toBe('ready');
    expect(shortcut('F3')).toBe('not_ready');
    expect(shortcut('F4')).toBeNull();
  });

  it('keeps the floor sorted with unreachable operators first', () => {
    const floor = sortFloor([
      agent(1, 'Dana', 'ready'),
      agent(2, 'Arman', 'offline'),
      agent(3, 'Bolat', 'ready'),
    ]);
    expect(floor.map((a) => a.displayName)).toEqual(['Bolat', 'Dana', 'Arman']);
    const next = upsertAgent(floor, agent(1, 'Dana', 'unreachable'));
    expect(next.map((a) => `${a.displayName} ${a.status}`)).toEqual([
      'Dana unreachable',
      'Bolat ready',
      'Arman offline',
    ]);
  });
});
