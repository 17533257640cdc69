import { describe, expect, it } from 'vitest';
import { alertMessage, levelUnder, waitingFor } from './levels';

describe('levelUnder', () => {
  it('is green under the last fifth of the line, amber up to it, red beyond', () => {
    expect(levelUnder(0, 5)).toBe('ok');
    expect(levelUnder(3.9, 5)).toBe('ok');
    expect(levelUnder(4, 5)).toBe('warn');
    expect(levelUnder(5, 5)).toBe('warn');
    expect(levelUnder(5.1, 5)).toBe('bad');
    expect(levelUnder(23, 30)).toBe('ok');
    expect(levelUnder(30, 30)).toBe('warn');
    expect(levelUnder(31, 30)).toBe('bad');
  });

  it('is unknown without a figure', () => {
    expect(levelUnder(null, 5)).toBe('unknown');
  });
});

describe('waitingFor', () => {
  it('adds the time since the figures arrived while someone waits', () => {
    const figures = { waitingNow: 2, longestWaitingNowSeconds: 20 };
    expect(waitingFor(figures, 1_000, 1_000)).toBe(20);
    expect(waitingFor(figures, 1_000, 12_500)).toBe(31);
  });

  it('is zero with nobody waiting', () => {
    expect(waitingFor({ waitingNow: 0, longestWaitingNowSeconds: 0 }, 0, 60_000)).toBe(0);
  });
});

describe('alertMessage', () => {
  it('fills the operators count and minimum', () => {
    expect(
      alertMessage({ id: 'operators_below_minimum', count: 1, minimum: 3, since: '' }),
    ).toEqual({ key: 'staffing.operators_below_minimum', params: { count: 1, minimum: 3 } });
    expect(alertMessage({ id: 'no_supervisor', since: '' }).key).toBe('staffing.no_supervisor');
  });
});
