import { describe, expect, it } from 'vitest';
import {
  dialTarget,
  mediaRecovery,
  microphoneProblem,
  readablePath,
  sessionProblem,
  talkSeconds,
  type CallView,
} from './line';

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

  it('brings a call’s audio back after a blip, or gives up and says so', () => {
    // A moment's silence heals by itself more often than not.
    expect(mediaRecovery(500, true, null)).toBe('wait');
    // Then an ICE restart, but only over a SIP line that is up again.
    expect(mediaRecovery(3000, false, null)).toBe('wait');
    expect(mediaRecovery(3000, true, null)).toBe('restart');
    // Not a re-INVITE storm: one every 5 s at most.
    expect(mediaRecovery(6000, true, 2000)).toBe('wait');
    expect(mediaRecovery(9000, true, 6000)).toBe('restart');
    // Twenty seconds without audio: the call is lost, whatever the line.
    expect(mediaRecovery(20_000, false, null)).toBe('give_up');
  });

  it('shows the IVR path as the nodes the caller went through', () => {
    expect(readablePath('/greeting/language/main_menu/topic_technical')).toBe(
      'greeting › language › main_menu › topic_technical',
    );
    expect(readablePath('')).toBeNull();
    expect(readablePath(null)).toBeNull();
  });

  it('counts talk time from the answer', () => {
    const call = { answeredAt: 1_000, endedAt: null } as CallView;
    expect(talkSeconds(call, 62_500)).toBe(61);
    expect(talkSeconds({ ...call, answeredAt: null }, 62_500)).toBe(0);
    expect(talkSeconds({ ...call, endedAt: 31_000 }, 62_500)).toBe(30);
  });
});
