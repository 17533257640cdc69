import { describe, expect, it } from 'vitest';
import {
  acwExpired,
  acwRemainingMs,
  callCompleted,
  choose,
  initialStatus,
  logReason,
  pbxPause,
  publicChanged,
  publicSince,
  publicStatus,
  setReachable,
  signIn,
  signOut,
  StatusError,
  type AgentStatus,
} from './status.js';

const T0 = new Date('2025-11-25T09:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function ready(): AgentStatus {
  return choose(signIn(initialStatus(T0), T0), { state: 'ready' }, T0);
}

describe('operator status', () => {
  it('starts offline, paused as offline', () => {
    const s = initialStatus(T0);
    expect(publicStatus(s)).toBe('offline');
    expect(pbxPause(s)).toEqual({ paused: true, reason: 'offline' });
  });

  it('signing in leaves the operator not ready (signed_in) until they choose Ready', () => {
    const s = signIn(initialStatus(T0), at(1));
    expect(s).toMatchObject({
      state: 'not_ready',
      reason: 'signed_in',
      since: at(1).toISOString(),
    });
    expect(pbxPause(s)).toEqual({ paused: true, reason: 'signed_in' });
    const r = choose(s, { state: 'ready' }, at(5));
    expect(r).toMatchObject({ state: 'ready', reason: null, since: at(5).toISOString() });
    expect(pbxPause(r)).toEqual({ paused: false, reason: '' });
  });

  it('signing in again while working keeps the status', () => {
    const r = ready();
    expect(signIn(r, at(30))).toBe(r);
  });

  it('signing out goes offline from any status', () => {
    const lunch = choose(ready(), { state: 'not_ready', reason: 'lunch' }, at(1));
    const off = signOut(lunch, at(2));
    expect(off).toMatchObject({ state: 'offline', reason: null });
    expect(pbxPause(off)).toEqual({ paused: true, reason: 'offline' });
  });

  it('not ready needs a reason and pauses with it', () => {
    expect(() => choose(ready(), { state: 'not_ready', reason: '' }, at(1))).toThrow(StatusError);
    const s = choose(ready(), { state: 'not_ready', reason: 'lunch' }, at(1));
    expect(pbxPause(s)).toEqual({ paused: true, reason: 'lunch' });
    expect(logReason(s)).toBe('lunch');
  });

  it('choosing the status one is in keeps its start time', () => {
    const s = choose(ready(), { state: 'not_ready', reason: 'break' }, at(1));
    expect(choose(s, { state: 'not_ready', reason: 'break' }, at(9))).toBe(s);
    const other = choose(s, { state: 'not_ready', reason: 'lunch' }, at(9));
    expect(other.since).toBe(at(9).toISOString());
  });

  it('after a queue call a Ready operator is in after-call work, then Ready again', () => {
    const acw = callCompleted(ready(), 15, at(100));
    expect(acw).toMatchObject({
      state: 'after_call_work',
      acwUntil: at(115).toISOString(),
      since: at(100).toISOString(),
    });
    expect(pbxPause(acw)).toEqual({ paused: true, reason: 'acw' });
    expect(acwRemainingMs(acw, at(110))).toBe(5000);
    expect(acwExpired(acw, at(114))).toBe(acw);
    const back = acwExpired(acw, at(115));
    expect(back).toMatchObject({ state: 'ready', acwUntil: null, since: at(115).toISOString() });
  });

  it('no after-call work when it is set to 0 or the operator chose Not ready during the call', () => {
    const r = ready();
    expect(callCompleted(r, 0, at(1))).toBe(r);
    const lunch = choose(r, { state: 'not_ready', reason: 'lunch' }, at(1));
    expect(callCompleted(lunch, 15, at(2))).toBe(lunch);
  });

  it('a choice during after-call work ends it for good', () => {
    const acw = callCompleted(ready(), 15, at(0));
    const lunch = choose(acw, { state: 'not_ready', reason: 'lunch' }, at(3));
    expect(lunch).toMatchObject({ state: 'not_ready', reason: 'lunch', acwUntil: null });
    expect(acwExpired(lunch, at(60))).toBe(lunch);
    const r = choose(acw, { state: 'ready' }, at(4));
    expect(r).toMatchObject({ state: 'ready', acwUntil: null });
  });

  it('unreachable pauses whatever was chosen and gives it back when the contact returns', () => {
    const lunch = choose(ready(), { state: 'not_ready', reason: 'lunch' }, at(1));
    const lost = setReachable(lunch, false, at(10));
    expect(publicStatus(lost)).toBe('unreachable');
    expect(publicSince(lost)).toBe(at(10).toISOString());
    expect(pbxPause(lost)).toEqual({ paused: true, reason: 'unreachable' });
    expect(lost.state).toBe('not_ready');
    expect(setReachable(lost, false, at(20))).toBe(lost);
    const back = setReachable(lost, true, at(30));
    expect(pbxPause(back)).toEqual({ paused: true, reason: 'lunch' });
    expect(publicSince(back)).toBe(at(1).toISOString());
  });

  it('a choice while unreachable is kept for when the contact is back', () => {
    const lost = setReachable(ready(), false, at(1));
    const chosen = choose(lost, { state: 'not_ready', reason: 'training' }, at(2));
    expect(pbxPause(chosen).reason).toBe('unreachable');
    expect(pbxPause(setReachable(chosen, true, at(3)))).toEqual({
      paused: true,
      reason: 'training',
    });
  });

  it('offline wins over unreachable', () => {
    const s = setReachable(initialStatus(T0), false, at(1));
    expect(publicStatus(s)).toBe('offline');
    expect(pbxPause(s).reason).toBe('offline');
    expect(publicChanged(initialStatus(T0), s)).toBe(false);
  });

  it('tells which changes the log and the floor see', () => {
    const r = ready();
    expect(publicChanged(r, setReachable(r, false, at(1)))).toBe(true);
    const acw = callCompleted(r, 15, at(1));
    expect(publicChanged(r, acw)).toBe(true);
    // A second call completing during after-call work extends it without a new log row.
    const again = callCompleted(acw, 15, at(5));
    expect(again.acwUntil).toBe(at(20).toISOString());
    expect(publicChanged(acw, again)).toBe(false);
  });
});
