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
    const channels = await this.link().actionList(
      { Action: 'CoreShowChannels' },
      'CoreShowChannelsComplete',
    );
    const prefix = `PJSIP/${username}-`;
    const mine = channels.find((c) => c.Linkedid === callId && c.Channel?.startsWith(prefix));
    if (!mine?.Channel) {
      throw new AppError(
        409,
        'not_on_call',
        `You are not on call ${callId} (it may have just ended)`,
      );
    }
    return { channel: mine.Channel, bridged: Boolean(mine.BridgeId) };
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

  /** Sends the caller to `target`; the operator's leg is hung up by Asterisk. */
  async blindTransfer(username: string, callId: string, target: TransferTarget): Promise<void> {
    let exten: string;
    try {
      exten = transferExtension(target);
    } catch (err) {
      if (err instanceof TargetError) {
        throw new AppError(400, 'validation', `${err.field}: ${err.message}`, { field: err.field });
      }
      throw err;
    }
    await this.checkTarget(username, target);
    const channel = await this.bridgedChannel(username, callId);
    try {
      await this.link().action({
        Action: 'BlindTransfer',
        Channel: channel,
        Context: TRANSFER_CONTEXT,
        Exten: exten,
      });
    } catch (err) {
      // The AMI link rejects with Asterisk's own words (e.g. the channel is gone).
      const reason = err instanceof Error ? err.message : String(err);
      throw new AppError(502, 'transfer_failed', `The PBX refused the transfer: ${reason}`);
    }
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
