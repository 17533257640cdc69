/**
 * Call control on behalf of the signed-in operator (OP-32): Asterisk moves the call, the console
 * only asks. A request names the call (its linkedid); the operator's own channel in that call is
 * found in Asterisk's channel list, so nobody can move a call they are not on.
 */
import { AppError } from '../admin/errors.js';
import type { AmiMessage } from '../pbx/ami-socket.js';
import { TargetError, transferExtension, type TransferTarget } from './targets.js';

export interface CallControlPbx {
  action(message: Record<string, string>): Promise<AmiMessage>;
  actionList(message: Record<string, string>, completeEvent: string): Promise<AmiMessage[]>;
}

export interface CallControlDirectory {
  /** Users with a phone: username → display name. */
  phones(): Promise<Map<string, string>>;
  queues(): Promise<string[]>;
  /** Whether an outside number can be dialled (a trunk with an outbound address). */
  canDialOut(): Promise<boolean>;
}

export const TRANSFER_CONTEXT = 'kcc-transfer';
export const CONSULT_CONTEXT = 'kcc-consult';
export const CONFERENCE_CONTEXT = 'kcc-conference';
export const CONFERENCE_DIAL_CONTEXT = 'kcc-conference-dial';

/** Where an attended transfer stands, as Asterisk's channels show it. */
export interface ConsultState {
  /** none: the operator is with the caller; ringing: the colleague's phone rings; talking. */
  state: 'none' | 'ringing' | 'talking';
  target: TransferTarget | null;
}

export interface ConferenceParty {
  channel: string;
  /** The caller, the operator themself, or someone they added. */
  role: 'caller' | 'me' | 'party';
  number: string | null;
  name: string | null;
}

/** A call's conference room: the call id, so every operator on the call finds the same room. */
export const conferenceRoom = (callId: string) => callId;

/** `Local/op3@kcc-consult-0000001a;1` → the target it rings. */
export function consultTarget(localChannel: string): TransferTarget | null {
  const m = /^Local\/([^@]+)@/.exec(localChannel);
  const exten = m?.[1];
  if (!exten) return null;
  if (exten.startsWith('op')) return { type: 'operator', value: exten.slice(2) };
  if (exten.startsWith('ext')) return { type: 'external', value: exten.slice(3) };
  if (exten.startsWith('q')) return { type: 'queue', value: exten.slice(1) };
  return null;
}

const localPeer = (channel: string) =>
  channel.endsWith(';1') ? `${channel.slice(0, -2)};2` : `${channel.slice(0, -2)};1`;

export class CallControl {
  constructor(
    private readonly pbx: () => CallControlPbx | null,
    private readonly directory: CallControlDirectory,
    private readonly bridgeWaitMs = 10_000,
  ) {}

  private link(): CallControlPbx {
    const pbx = this.pbx();
    if (!pbx)
      throw new AppError(503, 'pbx_down', 'The PBX is not connected; the call stays as it is');
    return pbx;
  }

  /** The operator's channel in call `callId`, or a 409 saying they are not on it. */
  async operatorChannel(
    username: string,
    callId: string,
  ): Promise<{ channel: string; bridged: boolean }> {
    const mine = this.findMine(await this.channels(), username, callId);
    return { channel: mine.Channel!, bridged: Boolean(mine.BridgeId) };
  }

  /**
   * The operator's channel once it is bridged with the caller. Right after the answer the caller
   * still hears the recording notice (queue-callerannounce) and there is no bridge to transfer out
   * of yet; that lasts a few seconds, so wait for it rather than refuse.
   */
  private async bridgedChannel(username: string, callId: string): Promise<string> {
    const deadline = Date.now() + this.bridgeWaitMs;
    for (;;) {
      const { channel, bridged } = await this.operatorChannel(username, callId);
      if (bridged) return channel;
      if (Date.now() >= deadline) {
        throw new AppError(
          409,
          'not_bridged',
          'The caller is not connected to you yet (the recording notice is still playing); try again in a moment',
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  private extension(target: TransferTarget): string {
    try {
      return transferExtension(target);
    } catch (err) {
      if (err instanceof TargetError) {
        throw new AppError(400, 'validation', `${err.field}: ${err.message}`, { field: err.field });
      }
      throw err;
    }
  }

  /** Runs an AMI action; Asterisk's refusal becomes a 502 that says what was refused. */
  private async pbxAction(what: string, message: Record<string, string>): Promise<AmiMessage> {
    try {
      return await this.link().action(message);
    } catch (err) {
      // The AMI link rejects with Asterisk's own words (e.g. the channel is gone).
      const reason = err instanceof Error ? err.message : String(err);
      throw new AppError(502, 'pbx_refused', `The PBX refused ${what}: ${reason}`);
    }
  }

  private channels(): Promise<AmiMessage[]> {
    return this.link().actionList({ Action: 'CoreShowChannels' }, 'CoreShowChannelsComplete');
  }

  /**
   * Attended transfer, first step: the caller waits on music while the operator talks with
   * `target` (AMI Atxfer into kcc-consult). Complete or cancel it with the methods below.
   */
  async consult(username: string, callId: string, target: TransferTarget): Promise<ConsultState> {
    const exten = this.extension(target);
    await this.checkTarget(username, target);
    const channel = await this.bridgedChannel(username, callId);
    const now = await this.consultState(username, callId);
    if (now.state !== 'none') {
      throw new AppError(
        409,
        'consult_in_progress',
        'You are already consulting a colleague: complete or cancel that first',
      );
    }
    // Atxfer types its Exten into the channel as DTMF digits, which our targets (`opoperator3`)
    // are not: TRANSFER_EXTEN on the operator's channel names the target instead, and Asterisk
    // takes it without reading digits. The one digit Atxfer insists on then reaches the
    // colleague's ringing leg, where Dial ignores it.
    await this.pbxAction('the consultation', {
      Action: 'Setvar',
      Channel: channel,
      Variable: 'TRANSFER_EXTEN',
      Value: exten,
    });
    await this.pbxAction('the consultation', {
      Action: 'Atxfer',
      Channel: channel,
      Context: CONSULT_CONTEXT,
      Exten: '0',
    });
    return { state: 'ringing', target };
  }

  /** The operator's consultation in call `callId`, read from Asterisk's channels. */
  async consultState(username: string, callId: string): Promise<ConsultState> {
    const channels = await this.channels();
    const mine = this.findMine(channels, username, callId);
    const bridge = mine.BridgeId;
    const local = bridge
      ? channels.find(
          (c) =>
            c.BridgeId === bridge &&
            c.Channel?.startsWith('Local/') &&
            c.Channel.includes(`@${CONSULT_CONTEXT}-`),
        )
      : undefined;
    if (!local?.Channel) return { state: 'none', target: null };
    const far = channels.find((c) => c.Channel === localPeer(local.Channel!));
    const answered =
      far?.BridgeId !== undefined &&
      far.BridgeId !== '' &&
      channels.some((c) => c.BridgeId === far.BridgeId && c.Channel !== far.Channel);
    return { state: answered ? 'talking' : 'ringing', target: consultTarget(local.Channel) };
  }

  /** Completes the attended transfer: the operator's leg leaves; caller and colleague talk. */
  async completeConsult(username: string, callId: string): Promise<void> {
    const { channel, state } = await this.consultOrFail(username, callId);
    if (state.state === 'ringing') {
      throw new AppError(
        409,
        'consult_not_answered',
        'The colleague has not answered yet: wait for them, or cancel and use a blind transfer',
      );
    }
    // Asterisk completes an attended transfer when the transferring leg hangs up.
    await this.pbxAction('completing the transfer', {
      Action: 'Hangup',
      Channel: channel,
      Cause: '16',
    });
  }

  /** Cancels the consultation: the colleague's leg is dropped, the operator is back with the caller. */
  async cancelConsult(username: string, callId: string): Promise<void> {
    const { channel } = await this.consultOrFail(username, callId);
    await this.pbxAction('cancelling the consultation', {
      Action: 'CancelAtxfer',
      Channel: channel,
    });
  }

  private async consultOrFail(username: string, callId: string) {
    const { channel } = await this.operatorChannel(username, callId);
    const state = await this.consultState(username, callId);
    if (state.state === 'none') {
      throw new AppError(
        409,
        'no_consult',
        'There is no consultation any more (the colleague hung up or did not answer); you are back with the caller',
      );
    }
    return { channel, state };
  }

  /**
   * Three-way conference: moves the caller and the operator into the call's conference room
   * (once) and dials `target` into it.
   */
  async conferenceAdd(username: string, callId: string, target: TransferTarget): Promise<void> {
    if (target.type === 'queue') {
      throw new AppError(400, 'validation', 'target.type: a queue cannot join a conference', {
        field: 'target.type',
      });
    }
    const exten = this.extension(target);
    await this.checkTarget(username, target);
    const room = conferenceRoom(callId);
    const channels = await this.channels();
    const mine = this.findMine(channels, username, callId);
    const caller = channels.find((c) => c.Uniqueid === callId && c.Linkedid === callId);
    if (!caller?.Channel) {
      throw new AppError(409, 'caller_gone', 'The caller has already hung up');
    }
    if (caller.Application !== 'ConfBridge') {
      if (!mine.BridgeId || mine.BridgeId !== caller.BridgeId) {
        throw new AppError(
          409,
          'not_bridged',
          'The caller is not connected to you right now (on a consultation?): finish that first',
        );
      }
      await this.pbxAction('the conference', {
        Action: 'Redirect',
        Channel: caller.Channel,
        Context: CONFERENCE_CONTEXT,
        Exten: `caller${room}`,
        Priority: '1',
        ExtraChannel: mine.Channel!,
        ExtraContext: CONFERENCE_CONTEXT,
        ExtraExten: `staff${room}`,
        ExtraPriority: '1',
      });
    }
    const vars = [`__KCC_CALL=${callId}`];
    for (const name of ['KCC_LANG', 'KCC_SERVICE']) {
      const value = await this.channelVar(caller.Channel, name);
      if (value) vars.push(`__${name}=${value}`);
    }
    await this.pbxAction('dialling the party', {
      Action: 'Originate',
      Channel: `Local/${exten}@${CONFERENCE_DIAL_CONTEXT}`,
      Context: CONFERENCE_CONTEXT,
      Exten: `staff${room}`,
      Priority: '1',
      Async: 'true',
      Timeout: '60000',
      CallerID: `"${caller.CallerIDName && caller.CallerIDName !== '<unknown>' ? caller.CallerIDName : ''}" <${caller.CallerIDNum ?? ''}>`,
      Variable: vars.join(','),
    });
  }

  /** Who is in the call's conference room now. */
  async conferenceParties(username: string, callId: string): Promise<ConferenceParty[]> {
    const channels = await this.channels();
    const mine = this.findMine(channels, username, callId);
    let members: AmiMessage[];
    try {
      members = await this.link().actionList(
        { Action: 'ConfbridgeList', Conference: conferenceRoom(callId) },
        'ConfbridgeListComplete',
      );
    } catch {
      // Asterisk answers an error when the room does not exist: nobody is in a conference.
      return [];
    }
    return members
      .filter((m) => m.Event === 'ConfbridgeList' && m.Channel)
      .map((m) => ({
        channel: m.Channel!,
        role:
          m.Channel === mine.Channel
            ? 'me'
            : channels.some((c) => c.Channel === m.Channel && c.Uniqueid === callId)
              ? 'caller'
              : 'party',
        number: m.CallerIDNum && m.CallerIDNum !== '<unknown>' ? m.CallerIDNum : null,
        name: m.CallerIDName && m.CallerIDName !== '<unknown>' ? m.CallerIDName : null,
      }));
  }

  /** Drops one party (not the operator themself: they hang up for that). */
  async conferenceDrop(username: string, callId: string, channel: string): Promise<void> {
    const parties = await this.conferenceParties(username, callId);
    const party = parties.find((p) => p.channel === channel);
    if (!party) {
      throw new AppError(404, 'not_found', `channel: ${channel} is not in this conference`, {
        field: 'channel',
      });
    }
    if (party.role === 'me') {
      throw new AppError(400, 'validation', 'channel: to leave the conference, hang up', {
        field: 'channel',
      });
    }
    await this.pbxAction('dropping the party', {
      Action: 'ConfbridgeKick',
      Conference: conferenceRoom(callId),
      Channel: channel,
    });
  }

  private findMine(channels: AmiMessage[], username: string, callId: string): AmiMessage {
    const prefix = `PJSIP/${username}-`;
    const mine = channels.find((c) => c.Linkedid === callId && c.Channel?.startsWith(prefix));
    if (!mine?.Channel) {
      throw new AppError(
        409,
        'not_on_call',
        `You are not on call ${callId} (it may have just ended)`,
      );
    }
    return mine;
  }

  private async channelVar(channel: string, name: string): Promise<string | null> {
    try {
      const r = await this.link().action({ Action: 'Getvar', Channel: channel, Variable: name });
      return r.Value ? r.Value : null;
    } catch {
      return null;
    }
  }

  /** Sends the caller to `target`; the operator's leg is hung up by Asterisk. */
  async blindTransfer(username: string, callId: string, target: TransferTarget): Promise<void> {
    const exten = this.extension(target);
    await this.checkTarget(username, target);
    const channel = await this.bridgedChannel(username, callId);
    await this.pbxAction('the transfer', {
      Action: 'BlindTransfer',
      Channel: channel,
      Context: TRANSFER_CONTEXT,
      Exten: exten,
    });
  }

  private async checkTarget(username: string, target: TransferTarget): Promise<void> {
    if (target.type === 'operator') {
      if (target.value === username) {
        throw new AppError(400, 'validation', 'target.value: that is you', {
          field: 'target.value',
        });
      }
      const phones = await this.directory.phones();
      const name = phones.get(target.value);
      if (name === undefined) {
        throw new AppError(
          400,
          'validation',
          `target.value: no colleague "${target.value}" with a phone`,
          {
            field: 'target.value',
          },
        );
      }
      if (!(await this.online(target.value))) {
        throw new AppError(
          409,
          'target_offline',
          `${name} is offline (no phone connected); choose someone else`,
          {
            field: 'target.value',
          },
        );
      }
    } else if (target.type === 'queue') {
      if (!(await this.directory.queues()).includes(target.value)) {
        throw new AppError(400, 'validation', `target.value: no queue "${target.value}"`, {
          field: 'target.value',
        });
      }
    } else if (!(await this.directory.canDialOut())) {
      throw new AppError(
        409,
        'no_trunk',
        'No outside line is set up for transfers; ask the administrator',
      );
    }
  }

  /** Whether the colleague's endpoint has a registered phone right now. */
  async online(username: string): Promise<boolean> {
    try {
      const details = await this.link().actionList(
        { Action: 'PJSIPShowEndpoint', Endpoint: username },
        'EndpointDetailComplete',
      );
      const state = details.find((d) => d.Event === 'EndpointDetail')?.DeviceState ?? 'Unavailable';
      return state !== 'Unavailable' && state !== 'Invalid' && state !== 'Unknown';
    } catch {
      return false;
    }
  }
}
