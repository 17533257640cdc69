import { describe, expect, it } from 'vitest';
import { dialTarget, microphoneProblem, sessionProblem, talkSeconds, type CallView } from './line';

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

  it('says why a call the operator placed did not go through', () => {
    expect(sessionProblem('Not Found', 'outbound')).toBe('not_found');
    expect(sessionProblem('Busy', 'outbound')).toBe('busy');
    expect(sessionProblem('Unavailable', 'outbound')).toBe('no_answer');
    expect(sessionProblem('SIP Failure Code', 'outbound')).toBe('no_line');
    expect(sessionProblem('Bye', 'outbound')).toBeNull();
    // The same causes on an incoming call are the caller's doing, not a problem.
    expect(sessionProblem('Busy')).toBeNull();
  });

  it('reads the dial field as a colleague or an outside number', () => {
    expect(dialTarget('operator3')).toEqual({ kind: 'colleague', value: 'operator3' });
    expect(dialTarget(' +7 701 123-45-67 ')).toEqual({ kind: 'number', value: '77011234567' });
    expect(dialTarget('8 (727) 258 15 00')).toEqual({ kind: 'number', value: '87272581500' });
    expect(dialTarget('193')).toEqual({ kind: 'number', value: '193' });
    expect(dialTarget('12')).toBeNull();
    expect(dialTarget('1234567890123456')).toBeNull();
    expect(dialTarget('7701abc')).toBeNull();
    expect(dialTarget('')).toBeNull();
    expect(dialTarget('Operator 3')).toBeNull();
  });

  it('counts talk time from the answer', () => {
    const call = { answeredAt: 1_000, endedAt: null } as CallView;
    expect(talkSeconds(call, 62_500)).toBe(61);
    expect(talkSeconds({ ...call, answeredAt: null }, 62_500)).toBe(0);
    expect(talkSeconds({ ...call, endedAt: 31_000 }, 62_500)).toBe(30);
  });
});
