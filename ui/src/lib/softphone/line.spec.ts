import { describe, expect, it } from 'vitest';
import { microphoneProblem, sessionProblem, talkSeconds, type CallView } from './line';

describe('softphone line', () => {
  it('tells a denied microphone from a missing or busy one', () => {
    expect(microphoneProblem({ name: 'NotAllowedError' })).toBe('mic_denied');
    expect(microphoneProblem({ name: 'NotFoundError' })).toBe('mic_missing');
    expect(microphoneProblem({ name: 'NotReadableError' })).toBe('mic_busy');
    expect(microphoneProblem(new Error('x'))).toBe('unknown');
  });

  it('does not call a caller who hung up a problem', () => {
    expect(sessionProblem('Canceled')).toBeNull();
    expect(sessionProblem('Bye')).toBeNull();
    expect(sessionProblem('User Denied Media Access')).toBe('mic_denied');
    expect(sessionProblem('Connection Error')).toBe('network');
  });

  it('counts talk time from the answer', () => {
    const call = { answeredAt: 1_000, endedAt: null } as CallView;
    expect(talkSeconds(call, 62_500)).toBe(61);
    expect(talkSeconds({ ...call, answeredAt: null }, 62_500)).toBe(0);
    expect(talkSeconds({ ...call, endedAt: 31_000 }, 62_500)).toBe(30);
  });
});
