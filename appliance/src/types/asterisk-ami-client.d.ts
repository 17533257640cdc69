// The package ships no types; this declares the part of its API the PBX link uses.
declare module 'asterisk-ami-client' {
  import { EventEmitter } from 'node:events';

  export type AmiMessage = Record<string, string | undefined>;

  interface AmiClientOptions {
    reconnect?: boolean;
    maxAttemptsCount?: number;
    attemptsDelay?: number;
    keepAlive?: boolean;
    keepAliveDelay?: number;
    emitEventsByTypes?: boolean;
    eventTypeToLowerCase?: boolean;
    emitResponsesById?: boolean;
    addTime?: boolean;
  }

  export default class AmiClient extends EventEmitter {
    constructor(options?: AmiClientOptions);
    connect(
      user: string,
      secret: string,
      options: { host: string; port: number },
    ): Promise<unknown>;
    disconnect(): this;
    action(message: AmiMessage, promisable: true): Promise<AmiMessage>;
    action(message: AmiMessage, promisable?: false): this;
    readonly isConnected: boolean | null;
  }
}
