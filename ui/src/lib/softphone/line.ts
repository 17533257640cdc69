/**
 * The softphone's line and call as the console shows them, pure: what state the registration is
 * in, what happened to a call, and which problem to tell the operator about in words they can act
 * on. The I/O (JsSIP, the microphone, sounds) lives in `softphone.svelte.ts`.
 */

/** The registration of the operator's endpoint through `/ws`. */
export type LineState =
  | 'off' // not started (signed out, or no softphone for this role)
  | 'connecting' // opening the WebSocket or registering
  | 'registered' // Asterisk can ring this console
  | 'reconnecting' // the WebSocket dropped (network blip, Asterisk restart): retrying by itself
  | 'failed'; // cannot register: see the problem

export type CallPhase = 'ringing' | 'connecting' | 'active' | 'ended';

export interface CallView {
  id: string;
  direction: 'inbound' | 'outbound';
  /** The caller's number as Asterisk presents it. */
  remote: string;
  remoteName: string | null;
  /** Call facts the PBX put in the INVITE (X-KCC-* headers), when present. */
  callId: string | null;
  language: string | null;
  service: string | null;
  /** The IVR nodes the caller went through (`/greeting/language/main_menu/topic_technical`). */
  ivrPath?: string | null;
  phase: CallPhase;
  muted: boolean;
  /** On hold from this console: the caller hears music on hold. */
  held: boolean;
  ringingAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  /** Why the call ended, when it did not end normally. */
  endProblem: Problem | null;
  /** The call's audio path is down (network blip): the console is trying to bring it back. */
  mediaLost?: boolean;
}

/** What went wrong, as something the operator can act on (each maps to a message key). */
export type Problem =
  | 'mic_denied'
  | 'mic_missing'
  | 'mic_busy'
  | 'no_softphone'
  | 'auth'
  | 'network'
  | 'media'
  | 'unknown'
  // An operator's own call out that did not go through:
  | 'not_found'
  | 'busy'
  | 'no_answer'
  | 'rejected'
  | 'no_line'
  // The network dropped during the call and the audio could not be brought back.
  | 'call_lost';

/** The problem behind a getUserMedia failure. */
export function microphoneProblem(error: unknown): Problem {
  const name = (error as { name?: string } | null)?.name ?? '';
  if (name === 'NotAllowedError' || name === 'SecurityError' || name === 'PermissionDeniedError') {
    return 'mic_denied';
  }
  if (
    name === 'NotFoundError' ||
    name === 'DevicesNotFoundError' ||
    name === 'OverconstrainedError'
  ) {
    return 'mic_missing';
  }
  if (name === 'NotReadableError' || name === 'TrackStartError' || name === 'AbortError') {
    return 'mic_busy';
  }
  return 'unknown';
}

/**
 * The problem behind a JsSIP session's `failed` cause (JsSIP.C.causes). A call the operator
 * placed that did not go through says why; an incoming call that ended early is no problem.
 */
export function sessionProblem(
  cause: string | undefined,
  direction: 'inbound' | 'outbound' = 'inbound',
): Problem | null {
  if (direction === 'outbound') {
    switch (cause) {
      case 'Not Found':
      case 'Address Incomplete':
        return 'not_found';
      case 'Busy':
        return 'busy';
      case 'No Answer':
      case 'Unavailable':
        return 'no_answer';
      case 'Rejected':
        return 'rejected';
      // Asterisk answers 503 when no outside line is set up or the carrier refused the call.
      case 'SIP Failure Code':
        return 'no_line';
      default:
        break;
    }
  }
  switch (cause) {
    case 'User Denied Media Access':
      return 'mic_denied';
    case 'WebRTC Error':
    case 'Bad Media Description':
    case 'Incompatible SDP':
    case 'Missing SDP':
      return 'media';
    case 'Connection Error':
    case 'Request Timeout':
    case 'SIP Failure Code':
      return 'network';
    // A caller who hung up while it rang, or who was answered elsewhere, is not a problem.
    case 'Canceled':
    case 'Terminated':
    case 'Bye':
    case 'No Answer':
    case 'Rejected':
    case 'Busy':
    case 'Unavailable':
    case undefined:
      return null;
    default:
      return 'unknown';
  }
}

/** How long the audio may be gone before the console restarts ICE, and before it gives up. */
export const MEDIA_RESTART_AFTER_MS = 2000;
export const MEDIA_GIVE_UP_AFTER_MS = 20_000;

/**
 * What to do about a call whose audio path is down (the peer connection's ICE state is
 * `disconnected` or `failed`) for `lostMs`: wait a moment (a blip often heals by itself); then
 * restart ICE with a re-INVITE, once the SIP line is back (the re-INVITE needs it), and again
 * every few seconds; past the limit, end the call and tell the operator it was lost rather than
 * leave a silent call on screen.
 */
export function mediaRecovery(
  lostMs: number,
  lineRegistered: boolean,
  msSinceLastRestart: number | null,
): 'wait' | 'restart' | 'give_up' {
  if (lostMs >= MEDIA_GIVE_UP_AFTER_MS) return 'give_up';
  if (lostMs < MEDIA_RESTART_AFTER_MS || !lineRegistered) return 'wait';
  if (msSinceLastRestart !== null && msSinceLastRestart < 5000) return 'wait';
  return 'restart';
}

/** What the operator typed to call: a colleague's user name or an outside number's digits. */
export type DialTarget = { kind: 'colleague'; value: string } | { kind: 'number'; value: string };

/**
 * Reads the dial field: `operator3` calls a colleague; `+7 701 123-45-67` or `8 (727) 258 15 00`
 * calls that number (digits only go to the PBX). Anything else is refused before dialling.
 */
export function dialTarget(input: string): DialTarget | null {
  const text = input.trim();
  if (/^[a-z][a-z0-9._-]{0,63}$/.test(text)) return { kind: 'colleague', value: text };
  if (!/^\+?[\d\s()-]+$/.test(text)) return null;
  const digits = text.replace(/\D/g, '');
  return digits.length >= 3 && digits.length <= 15 ? { kind: 'number', value: digits } : null;
}

/** The IVR path for the caller card: `/greeting/language/main_menu` → `greeting › language › main_menu`. */
export function readablePath(path: string | null | undefined): string | null {
  const nodes = (path ?? '').split('/').filter(Boolean);
  return nodes.length > 0 ? nodes.join(' › ') : null;
}

/** Seconds of conversation so far (or in all, once ended). */
export function talkSeconds(call: CallView, now: number): number {
  if (call.answeredAt === null) return 0;
  return Math.max(0, Math.floor(((call.endedAt ?? now) - call.answeredAt) / 1000));
}

/** The caller's number from a SIP URI user part: digits, with the + kept. */
export function displayNumber(user: string | undefined | null): string {
  if (!user) return '';
  const m = /^\+?\d+$/.exec(user.trim());
  return m ? m[0] : user;
}
