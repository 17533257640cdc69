/**
 * The console's softphone (OP-32): registers the signed-in operator's WebRTC endpoint through this
 * origin's `/ws` (the controller relays it to Asterisk) and handles the calls Asterisk offers it.
 * Asterisk does the call control; the browser only answers, hangs up, mutes and carries media.
 *
 * JsSIP (a well-kept SIP-over-WebSocket stack) reconnects the WebSocket by itself after a network
 * blip or an Asterisk restart and registers again; the line state says so on screen meanwhile.
 */
import { UA, WebSocketInterface } from 'jssip';
import type { RTCSession } from 'jssip/lib/RTCSession';
import type { RTCSessionEvent } from 'jssip/lib/UA';
import { api, toApiError } from '../api';
import {
  dialTarget,
  displayNumber,
  mediaRecovery,
  microphoneProblem,
  sessionProblem,
  type CallView,
  type LineState,
  type Problem,
} from './line';
import { Ringer } from './ringer';
import { HeadsetButtons } from './headset.svelte';
import { KeepAwake } from './keep-awake';

interface SoftphoneCredentials {
  sipUsername: string;
  sipPassword: string;
  webSocketPath: string;
  displayName: string;
  services: Array<{ number: string; callerId: string }>;
}

const DEVICE_KEY = 'kcc.softphone.devices';
/** How often the console reads a consultation's or conference's state from the PBX. */
const CONTROL_POLL_MS = 1000;

export type TransferTarget = { type: 'operator' | 'queue' | 'external'; value: string };

/** An attended transfer in progress, as the PBX reports it. */
export interface ConsultView {
  state: 'ringing' | 'talking';
  target: TransferTarget | null;
}

export interface ConferencePartyView {
  channel: string;
  role: 'caller' | 'me' | 'party';
  number: string | null;
  name: string | null;
}

/** Why a call could not be placed from the console (each has a message). */
export class DialError extends Error {
  constructor(
    readonly reason: 'invalid' | 'not_registered' | 'hold_first' | 'busy',
    readonly input: string,
  ) {
    super(reason);
    this.name = 'DialError';
  }
}

export interface AudioDevices {
  input: string | null;
  output: string | null;
}

export class Softphone {
  #line = $state<LineState>('off');
  #problem = $state<Problem | null>(null);
  #call = $state.raw<CallView | null>(null);
  #devices = $state.raw<AudioDevices>(readDevices());
  #ua: UA | null = null;
  #session: RTCSession | null = null;
  #remoteAudio: HTMLAudioElement | null = null;
  readonly #ringer = new Ringer();
  readonly #awake = new KeepAwake();
  #wanted = false;
  #dispositionOptions = $state.raw<{ results: string[]; required: boolean } | null>(null);
  /** The last answered call whose disposition is not saved yet (OP-32 item 5). */
  #pendingDisposition = $state<string | null>(null);
  #consult = $state.raw<ConsultView | null>(null);
  /** The consultation ended without the operator (no answer, colleague hung up). */
  #consultLost = $state(false);
  #conference = $state.raw<ConferencePartyView[] | null>(null);
  #controlTimer: ReturnType<typeof setInterval> | null = null;
  #dtmf = $state('');
  /** Services the operator may call out for, with the number each presents. */
  #services = $state.raw<Array<{ number: string; callerId: string }>>([]);

  get services(): Array<{ number: string; callerId: string }> {
    return this.#services;
  }
  /** The held call while a second one is going on (OP-32: a call while another is on hold). */
  #parked = $state.raw<{ session: RTCSession; call: CallView } | null>(null);
  /** The held caller hung up during the second call. */
  #parkedLost = $state(false);

  get parkedLost(): boolean {
    return this.#parkedLost;
  }

  /** The attended transfer in progress, or null. */
  get consult(): ConsultView | null {
    return this.#consult;
  }

  get consultLost(): boolean {
    return this.#consultLost;
  }

  /** The parties of the call's conference, or null when it is not one. */
  get conference(): ConferencePartyView[] | null {
    return this.#conference;
  }

  /** Digits sent on the current call (the keypad shows them). */
  get dtmf(): string {
    return this.#dtmf;
  }

  get line(): LineState {
    return this.#line;
  }

  get problem(): Problem | null {
    return this.#problem;
  }

  get call(): CallView | null {
    return this.#call;
  }

  get devices(): AudioDevices {
    return this.#devices;
  }

  get dispositionOptions(): { results: string[]; required: boolean } | null {
    return this.#dispositionOptions;
  }

  /** The call waiting for its disposition; while one is and they are required, no call rings. */
  get pendingDisposition(): string | null {
    return this.#pendingDisposition;
  }

  async saveDisposition(
    callId: string,
    input: { result: string; topic: string | null; comment: string | null },
  ): Promise<{ ticketId: number | null }> {
    const saved = await api.put<{ ticketId: number | null }>(
      `/api/calls/${encodeURIComponent(callId)}/disposition`,
      input,
    );
    if (this.#pendingDisposition === callId) this.#pendingDisposition = null;
    return saved;
  }

  /** Fetches this user's SIP credentials and registers. Safe to call again. */
  async start(): Promise<void> {
    if (this.#wanted) return;
    this.#wanted = true;
    this.#line = 'connecting';
    this.#problem = null;
    let creds: SoftphoneCredentials;
    try {
      creds = await api.get<SoftphoneCredentials>('/api/softphone');
    } catch (error) {
      this.#line = 'failed';
      this.#problem = toApiError(error).code === 'no_softphone' ? 'no_softphone' : 'network';
      this.#wanted = false;
      return;
    }
    if (!this.#wanted) return;
    this.#services = creds.services ?? [];
    this.#dispositionOptions = await api
      .get<{ results: string[]; required: boolean }>('/api/dispositions/options')
      .catch(() => null);
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${creds.webSocketPath}`;
    const socket = new WebSocketInterface(url);
    const ua = new UA({
      sockets: [socket],
      uri: `sip:${creds.sipUsername}@${location.hostname}`,
      authorization_user: creds.sipUsername,
      password: creds.sipPassword,
      display_name: creds.displayName,
      register: true,
      register_expires: 120,
      session_timers: false,
      user_agent: 'KCC console',
      connection_recovery_min_interval: 1,
      connection_recovery_max_interval: 15,
    });
    ua.on('connecting', () => {
      if (this.#line !== 'registered')
        this.#line = this.#line === 'off' ? 'connecting' : this.#line;
    });
    ua.on('registered', () => {
      this.#line = 'registered';
      this.#problem = null;
    });
    ua.on('unregistered', () => {
      if (this.#wanted) this.#line = 'reconnecting';
    });
    ua.on('disconnected', () => {
      if (this.#wanted) this.#line = 'reconnecting';
    });
    ua.on('registrationFailed', (e) => {
      const status = e.response?.status_code;
      this.#line = status === 401 || status === 403 ? 'failed' : 'reconnecting';
      this.#problem = status === 401 || status === 403 ? 'auth' : 'network';
    });
    ua.on('newRTCSession', (e: RTCSessionEvent) => {
      if (e.originator !== 'remote') return;
      this.#incoming(e.session, e.request);
    });
    this.#ua = ua;
    ua.start();
    this.#awake.hold();
    // A console that goes away (tab closed, reloaded) unregisters at once, so the queue stops
    // offering it calls now rather than at the next missed ping.
    window.addEventListener('pagehide', this.#onPageHide);
  }

  readonly #onPageHide = (): void => {
    this.#ua?.stop();
  };

  /** Unregisters and closes (sign-out). A call in progress is hung up first. */
  stop(): void {
    this.#wanted = false;
    if (typeof window !== 'undefined') window.removeEventListener('pagehide', this.#onPageHide);
    this.#ringer.stop();
    try {
      this.#session?.terminate();
    } catch {
      /* already over */
    }
    this.#session = null;
    this.#ua?.stop();
    this.#ua = null;
    this.#awake.release();
    this.#line = 'off';
    this.#call = null;
  }

  /** Answers the ringing call with the chosen microphone. */
  answer(): void {
    const session = this.#session;
    const call = this.#call;
    if (!session || !call || call.phase !== 'ringing') return;
    this.#ringer.stop();
    this.#setCall({ phase: 'connecting' });
    const input = this.#devices.input;
    session.answer({
      mediaConstraints: { audio: input ? { deviceId: { exact: input } } : true, video: false },
      pcConfig: { iceServers: [] },
    });
  }

  hangup(): void {
    const session = this.#session;
    if (!session) return;
    this.#ringer.stop();
    try {
      session.terminate();
    } catch {
      /* already over */
    }
  }

  toggleMute(): void {
    const session = this.#session;
    const call = this.#call;
    if (!session || !call || call.phase !== 'active') return;
    if (call.muted) session.unmute({ audio: true });
    else session.mute({ audio: true });
  }

  /** Puts the caller on hold (Asterisk plays them music) or takes them back. */
  toggleHold(): void {
    const session = this.#session;
    const call = this.#call;
    if (!session || !call || call.phase !== 'active') return;
    if (call.held) session.unhold();
    else session.hold();
  }

  /**
   * Blind transfer of the current call (Asterisk moves the caller; this console's leg ends).
   * Resolves when the PBX took the request; rejects with the controller's message otherwise.
   */
  async transfer(target: {
    type: 'operator' | 'queue' | 'external';
    value: string;
  }): Promise<void> {
    const call = this.#call;
    if (!call?.callId || call.phase !== 'active') throw new Error('no call to transfer');
    await api.post(`/api/calls/${encodeURIComponent(call.callId)}/transfer`, { target });
  }

  #callPath(suffix = ''): string {
    const call = this.#call;
    if (!call?.callId || call.phase !== 'active') throw new Error('no call in progress');
    return `/api/calls/${encodeURIComponent(call.callId)}${suffix}`;
  }

  /**
   * Attended transfer: the caller waits on music while the operator talks with `target`. The PBX
   * does it; the console follows the consultation's state from the PBX until it ends.
   */
  async startConsult(target: TransferTarget): Promise<void> {
    const state = await api.post<{ state: 'none' | 'ringing' | 'talking'; target: TransferTarget }>(
      this.#callPath('/consult'),
      { target },
    );
    this.#consultLost = false;
    this.#consult = state.state === 'none' ? null : { state: state.state, target: state.target };
    this.#watchControl();
  }

  /** Hands the caller to the consulted colleague; this console's leg ends. */
  async completeConsult(): Promise<void> {
    await api.post(this.#callPath('/consult/complete'), {});
  }

  /** Drops the consulted colleague and returns to the caller. */
  async cancelConsult(): Promise<void> {
    await api.post(this.#callPath('/consult/cancel'), {});
    this.#consult = null;
  }

  /** Adds a colleague or a number: the call becomes a conference. */
  async addToConference(target: TransferTarget): Promise<void> {
    await api.post(this.#callPath('/conference'), { target });
    this.#conference ??= [];
    this.#watchControl();
  }

  async dropFromConference(channel: string): Promise<void> {
    await api.post(this.#callPath('/conference/drop'), { channel });
    this.#conference = (this.#conference ?? []).filter((p) => p.channel !== channel);
  }

  /** Sends a keypad digit into the call (RFC 4733, as Asterisk expects from a WebRTC phone). */
  sendDtmf(digit: string): void {
    const session = this.#session;
    if (!session || this.#call?.phase !== 'active' || !/^[0-9*#A-D]$/.test(digit)) return;
    // The type names JsSIP's enum, declared only as a type: its value is the plain string.
    const transportType = 'RFC2833' as NonNullable<
      Parameters<RTCSession['sendDTMF']>[1]
    >['transportType'];
    session.sendDTMF(digit, { transportType, duration: 120, interToneGap: 70 });
    this.#dtmf = (this.#dtmf + digit).slice(-24);
  }

  /** Reads the consultation and conference from the PBX while either is going on. */
  #watchControl(): void {
    if (this.#controlTimer) return;
    const tick = async () => {
      const call = this.#call;
      if (!call?.callId || call.phase !== 'active' || (!this.#consult && !this.#conference)) {
        this.#stopWatching();
        return;
      }
      const base = `/api/calls/${encodeURIComponent(call.callId)}`;
      if (this.#consult) {
        const state = await api
          .get<{ state: 'none' | 'ringing' | 'talking'; target: TransferTarget | null }>(
            `${base}/consult`,
          )
          .catch(() => null);
        if (state && this.#consult) {
          if (state.state === 'none') {
            this.#consult = null;
            this.#consultLost = true;
          } else {
            this.#consult = { state: state.state, target: state.target ?? this.#consult.target };
          }
        }
      }
      if (this.#conference) {
        const list = await api
          .get<{ parties: ConferencePartyView[] }>(`${base}/conference`)
          .catch(() => null);
        if (list && this.#conference) this.#conference = list.parties;
      }
    };
    this.#controlTimer = setInterval(() => void tick(), CONTROL_POLL_MS);
  }

  #stopWatching(): void {
    if (this.#controlTimer) clearInterval(this.#controlTimer);
    this.#controlTimer = null;
  }

  /** Forgets an ended call's card. */
  dismiss(): void {
    if (this.#call?.phase === 'ended') this.#call = null;
  }

  /** Remembers the headset for this workstation (kept in this browser). */
  async setDevices(devices: AudioDevices): Promise<void> {
    this.#devices = devices;
    try {
      localStorage.setItem(DEVICE_KEY, JSON.stringify(devices));
    } catch {
      /* private mode: kept for this session only */
    }
    await this.#applyOutput();
  }

  /** Checks the microphone now (e.g. on going Ready), so a problem shows before a call rings. */
  async checkMicrophone(): Promise<Problem | null> {
    try {
      const input = this.#devices.input;
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: input ? { deviceId: { exact: input } } : true,
      });
      for (const track of stream.getTracks()) track.stop();
      if (this.#problem?.startsWith('mic_')) this.#problem = null;
      return null;
    } catch (error) {
      const problem = microphoneProblem(error);
      this.#problem = problem;
      return problem;
    }
  }

  #incoming(session: RTCSession, request: { getHeader(name: string): string | undefined }): void {
    // One call at a time (a second only while the first is held, placed by the operator), and
    // none while a required disposition is missing: Busy makes the queue offer the call to
    // someone else.
    if (
      this.#session ||
      this.#parked ||
      (this.#dispositionOptions?.required && this.#pendingDisposition)
    ) {
      session.terminate({ status_code: 486, reason_phrase: 'Busy Here' });
      return;
    }
    const identity = session.remote_identity;
    this.#begin(session, {
      id: session.id,
      direction: 'inbound',
      remote: displayNumber(identity?.uri?.user),
      remoteName: identity?.display_name || null,
      callId: request.getHeader('X-KCC-Call') ?? null,
      language: request.getHeader('X-KCC-Language') ?? null,
      service: request.getHeader('X-KCC-Service') ?? null,
      ivrPath: request.getHeader('X-KCC-Path') ?? null,
      phase: 'ringing',
      muted: false,
      held: false,
      ringingAt: Date.now(),
      answeredAt: null,
      endedAt: null,
      endProblem: null,
    });
    this.#ringer.start();
    notifyInBackground(this.#call?.remote ?? '');
  }

  /**
   * Calls a colleague (user name) or an outside number from this console. With a call in
   * progress, that call must be on hold first: it waits (the caller hears music) until the
   * second call ends, then comes back still on hold. Rejects with a DialError to show.
   */
  dial(input: string, service: string | null = null): void {
    const target = dialTarget(input);
    if (!target) throw new DialError('invalid', input);
    const ua = this.#ua;
    if (!ua || this.#line !== 'registered') throw new DialError('not_registered', input);
    if (this.#parked) throw new DialError('busy', input);
    if (this.#session) {
      if (!this.#call?.held || this.#call.phase !== 'active')
        throw new DialError('hold_first', input);
      this.#parked = { session: this.#session, call: this.#call };
      this.#session = null;
      this.#call = null;
    }
    const input_ = this.#devices.input;
    const session = ua.call(`sip:${target.value}@${location.hostname}`, {
      mediaConstraints: { audio: input_ ? { deviceId: { exact: input_ } } : true, video: false },
      pcConfig: { iceServers: [] },
      extraHeaders: service ? [`X-KCC-Service: ${service}`] : [],
    });
    this.#begin(session, {
      id: session.id,
      direction: 'outbound',
      remote: target.value,
      remoteName: null,
      callId: null,
      language: null,
      service,
      phase: 'connecting',
      muted: false,
      held: false,
      ringingAt: Date.now(),
      answeredAt: null,
      endedAt: null,
      endProblem: null,
    });
  }

  /** The call on hold while a second one is going on, if any. */
  get parked(): CallView | null {
    return this.#parked?.call ?? null;
  }

  /** Makes `session` the current call and follows it until it ends. */
  #begin(session: RTCSession, call: CallView): void {
    if (!this.#parked) this.#parkedLost = false;
    this.#session = session;
    this.#call = call;
    this.#consult = null;
    this.#consultLost = false;
    this.#conference = null;
    this.#dtmf = '';
    /** Applies to whichever slot holds this session now: current or parked. */
    const update = (patch: Partial<CallView>) => {
      if (this.#session === session) this.#setCall(patch);
      else if (this.#parked?.session === session) {
        this.#parked = { session, call: { ...this.#parked.call, ...patch } };
      }
    };
    let lost = false;
    session.on('peerconnection', (e) => {
      const pc = e.peerconnection;
      pc.addEventListener('track', (t: RTCTrackEvent) => {
        const audio = this.#audioElement();
        audio.srcObject = t.streams[0] ?? new MediaStream([t.track]);
        void audio.play().catch(() => undefined);
      });
      // A network blip: restart ICE once the line is back, or end the call and say it was lost.
      let lostSince: number | null = null;
      let lastRestart: number | null = null;
      let timer: ReturnType<typeof setInterval> | null = null;
      const stop = () => {
        if (timer) clearInterval(timer);
        timer = null;
      };
      const check = () => {
        if (lostSince === null || session.isEnded()) return stop();
        const now = Date.now();
        const action = mediaRecovery(
          now - lostSince,
          this.#line === 'registered',
          lastRestart === null ? null : now - lastRestart,
        );
        if (action === 'restart') {
          lastRestart = now;
          session.renegotiate({ rtcOfferConstraints: { iceRestart: true } });
        } else if (action === 'give_up') {
          stop();
          lost = true;
          try {
            session.terminate();
          } catch {
            /* already over */
          }
        }
      };
      pc.addEventListener('iceconnectionstatechange', () => {
        const state = pc.iceConnectionState;
        if (state === 'disconnected' || state === 'failed') {
          if (lostSince === null) lostSince = Date.now();
          update({ mediaLost: true });
          timer ??= setInterval(check, 1000);
        } else if (state === 'connected' || state === 'completed') {
          lostSince = null;
          stop();
          update({ mediaLost: false });
        } else if (state === 'closed') {
          stop();
        }
      });
    });
    session.on('accepted', () => update({ phase: 'active', answeredAt: Date.now() }));
    session.on('confirmed', () => {
      const phase = this.#session === session ? this.#call?.phase : this.#parked?.call.phase;
      if (phase !== 'active') update({ phase: 'active', answeredAt: Date.now() });
    });
    session.on('muted', () => update({ muted: true }));
    session.on('hold', () => update({ held: true }));
    session.on('unhold', () => update({ held: false }));
    session.on('unmuted', () => update({ muted: false }));
    session.on('getusermediafailed', (error: unknown) => {
      this.#problem = microphoneProblem(error);
    });
    const end = (cause: string | undefined) => {
      if (this.#parked?.session === session) {
        // The held caller hung up while the operator was on the second call.
        this.#parked = null;
        this.#parkedLost = true;
        return;
      }
      if (this.#session !== session) return;
      this.#ringer.stop();
      if (this.#call?.answeredAt && this.#call.callId) this.#pendingDisposition = this.#call.callId;
      const micProblem = this.#problem?.startsWith('mic_') ? this.#problem : null;
      this.#setCall({
        phase: 'ended',
        endedAt: Date.now(),
        endProblem: lost
          ? 'call_lost'
          : (micProblem ?? sessionProblem(cause, this.#call?.direction)),
      });
      this.#session = null;
      this.#consult = null;
      this.#conference = null;
      this.#stopWatching();
      const parked = this.#parked;
      if (parked) {
        // Back to the call that waited, still on hold: the operator resumes it.
        this.#parked = null;
        this.#session = parked.session;
        this.#call = parked.call;
        return;
      }
      const audio = this.#remoteAudio;
      if (audio) audio.srcObject = null;
    };
    session.on('ended', (e) => end(e.cause));
    session.on('failed', (e) => end(e.cause));
  }

  #setCall(patch: Partial<CallView>): void {
    if (this.#call) this.#call = { ...this.#call, ...patch };
  }

  #audioElement(): HTMLAudioElement {
    if (!this.#remoteAudio) {
      this.#remoteAudio = document.createElement('audio');
      this.#remoteAudio.autoplay = true;
      this.#remoteAudio.dataset.testid = 'softphone-remote-audio';
      document.body.appendChild(this.#remoteAudio);
      void this.#applyOutput();
    }
    return this.#remoteAudio;
  }

  async #applyOutput(): Promise<void> {
    const audio = this.#remoteAudio as
      (HTMLAudioElement & { setSinkId?(id: string): Promise<void> }) | null;
    const output = this.#devices.output;
    if (audio?.setSinkId && output) await audio.setSinkId(output).catch(() => undefined);
  }
}

function readDevices(): AudioDevices {
  try {
    const raw = typeof localStorage === 'undefined' ? null : localStorage.getItem(DEVICE_KEY);
    const parsed = raw ? (JSON.parse(raw) as Partial<AudioDevices>) : {};
    return { input: parsed.input ?? null, output: parsed.output ?? null };
  } catch {
    return { input: null, output: null };
  }
}

/** A desktop notification while the console is in the background (the operator is elsewhere). */
function notifyInBackground(number: string): void {
  if (typeof document === 'undefined' || !document.hidden) return;
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  try {
    const n = new Notification('KCC', {
      body: number,
      tag: 'kcc-incoming',
      requireInteraction: true,
    });
    n.onclick = () => {
      window.focus();
      n.close();
    };
  } catch {
    /* notifications unsupported here */
  }
}

export const softphone = new Softphone();

/** The operator's USB headset buttons drive the same softphone (APP-2). */
export const headset = new HeadsetButtons({
  answer: () => softphone.answer(),
  hangup: () => softphone.hangup(),
  toggleMute: () => softphone.toggleMute(),
});
