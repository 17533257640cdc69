import { describe, expect, it } from 'vitest';
import {
  almatyDay,
  callDuration,
  formatDuration,
  formatLongDate,
  serviceNumber,
  startOfAlmatyDay,
  toIso,
} from './format';
import { canOpen, landingFor, parseHash } from './router.svelte';

describe('format', () => {
  it('finds 00:00 in Almaty (UTC+5) for any instant of the day', () => {
    expect(toIso(startOfAlmatyDay(new Date('2026-03-03T18:59:59Z')))).toBe(
      '2026-03-02T19:00:00.000Z',
    );
    expect(toIso(startOfAlmatyDay(Date.parse('2026-03-03T19:00:00Z')))).toBe(
      '2026-03-03T19:00:00.000Z',
    );
    expect(almatyDay(new Date('2026-03-03T19:30:00Z'))).toBe('2026-03-04');
  });

  it('prints service numbers as published', () => {
    expect(serviceNumber('193')).toBe('193');
    expect(serviceNumber('88000800193')).toBe('8 8000 800 193');
    expect(serviceNumber('77272581500')).toBe('+7 727 258 15 00');
    expect(serviceNumber(null, '7172')).toBe('7172');
  });

  it('formats durations', () => {
    expect(formatDuration(5)).toBe('0:05');
    expect(formatDuration(185)).toBe('3:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(null)).toBe('—');
  });

  it('writes the Kazakh long date without relying on browser data', () => {
    expect(formatLongDate('2026-03-03T05:00:00Z', 'kk-KZ')).toBe('2026 ж. 3 наурыз, сейсенбі');
  });

  it('counts a live call from its start and an ended one from its duration', () => {
    const base = {
      id: '1',
      direction: 'inbound' as const,
      did: null,
      service: null,
      caller: null,
      answeredAt: null,
      startedAt: '2026-03-03T05:00:00.000Z',
    };
    const now = Date.parse('2026-03-03T05:01:30.000Z');
    expect(
      callDuration({ ...base, state: 'answered', endedAt: null, durationSeconds: null }, now),
    ).toBe(90);
    expect(
      callDuration(
        { ...base, state: 'ended', endedAt: '2026-03-03T05:00:40.000Z', durationSeconds: 40 },
        now,
      ),
    ).toBe(40);
  });
});

describe('routes', () => {
  it('lands each role on its own view', () => {
    expect(landingFor('operator')).toBe('operator');
    expect(landingFor('second_line')).toBe('operator');
    expect(landingFor('supervisor')).toBe('supervisor');
    expect(landingFor('administrator')).toBe('admin');
    expect(landingFor('observer')).toBe('observer');
  });

  it('lets only watchers open the wallboard', () => {
    expect(canOpen('observer', 'wallboard')).toBe(true);
    expect(canOpen('supervisor', 'wallboard')).toBe(true);
    expect(canOpen('operator', 'wallboard')).toBe(false);
    expect(canOpen('operator', 'supervisor')).toBe(false);
    expect(parseHash('#/wallboard')).toBe('wallboard');
    expect(parseHash('#/nope')).toBeNull();
  });
});
