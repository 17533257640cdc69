/**
 * The operator's USB headset buttons (APP-2, OP-32 item 9) through WebHID: answer, hang up and
 * mute from the headset, and its lights showing the call. WebHID exists in Chromium browsers on a
 * secure origin only; elsewhere `supported` is false and the console works as before.
 *
 * The softphone stays the one owner of the call: the headset asks (the callbacks), the softphone
 * acts, and `sync()` tells the headset what happened. The decoding and the decisions are pure, in
 * `hid-telephony.ts`.
 */
import {
  HEADSET_USAGE,
  TELEPHONY_PAGE,
  TYPICAL_MODES,
  buttonsAfterSync,
  controlModes,
  decodeInput,
  disagrees,
  encodeOutput,
  headsetAction,
  lightsFor,
  nextButtons,
  parseTelephony,
  type ButtonState,
  type ControlModes,
  type HeadsetLights,
  type TelephonyMap,
} from './hid-telephony';
import type { CallPhase } from './line';
import type { HID, HIDConnectionEvent, HIDDevice, HIDInputReportEvent } from './webhid';

/** The paired headset's vendor and product id, for finding it again after a reload. */
const STORAGE_KEY = 'kcc.headset';

export interface HeadsetActions {
  answer(): void;
  hangup(): void;
  toggleMute(): void;
}

export type HeadsetProblem =
  | 'unsupported' // no WebHID in this browser, or not a secure origin
  | 'denied' // the browser refused the device chooser (no click, or blocked by policy)
  | 'not_telephony' // the chosen device has no hook switch or mute control
  | 'open_failed'; // another program holds the device, or it went away meanwhile

type KeyValueStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface HeadsetOptions {
  /** WebHID; `navigator.hid` unless given (tests give a fake, null means none). */
  hid?: HID | null;
  /** Where the pairing is remembered; `localStorage` unless given. */
  storage?: KeyValueStore | null;
  /** Sound the headset's own ringer too while a call rings (the console rings by itself). */
  ringer?: boolean;
}

interface Remembered {
  vendorId: number;
  productId: number;
}

export class HeadsetButtons {
  #supported = $state(false);
  #device = $state<string | null>(null);
  #problem = $state<HeadsetProblem | null>(null);

  readonly #actions: HeadsetActions;
  readonly #hid: HID | null;
  readonly #storage: KeyValueStore | null;
  readonly #ringer: boolean;
  #open: HIDDevice | null = null;
  #map: TelephonyMap | null = null;
  #modes: ControlModes = TYPICAL_MODES;
  #buttons: ButtonState = { hook: false, mute: false };
  #phase: CallPhase | null = null;
  #muted = false;
  #lights: HeadsetLights = lightsFor(null, false);
  /** The lights last written, so an unchanged sync sends nothing. */
  #written: string | null = null;
  /** Writes go one after another, in order. */
  #writes: Promise<void> = Promise.resolve();
  #listening = false;

  constructor(actions: HeadsetActions, options: HeadsetOptions = {}) {
    this.#actions = actions;
    this.#hid = options.hid !== undefined ? options.hid : browserHid();
    this.#storage = options.storage !== undefined ? options.storage : browserStorage();
    this.#ringer = options.ringer ?? false;
    this.#supported = this.#hid !== null;
    if (!this.#hid) this.#problem = 'unsupported';
  }

  get supported(): boolean {
    return this.#supported;
  }

  /** The open headset's product name, or null while none is open. */
  get device(): string | null {
    return this.#device;
  }

  get problem(): HeadsetProblem | null {
    return this.#problem;
  }

  /**
   * Opens the headset paired earlier, if it is plugged in (the browser keeps the permission), and
   * from then on opens it whenever it is plugged in again. Call once when the console starts.
   */
  async restore(): Promise<boolean> {
    const hid = this.#hid;
    if (!hid) return false;
    this.#listen(hid);
    const wanted = this.#remembered();
    if (!wanted) return false;
    let devices: HIDDevice[];
    try {
      devices = await hid.getDevices();
    } catch {
      return false;
    }
    const device = telephonyDevice(devices.filter((d) => isRemembered(d, wanted)));
    return device ? this.#attach(device) : false;
  }

  /** Shows the browser's device chooser and opens the headset picked. Must run from a click. */
  async pair(): Promise<boolean> {
    const hid = this.#hid;
    if (!hid) {
      this.#problem = 'unsupported';
      return false;
    }
    this.#listen(hid);
    let devices: HIDDevice[];
    try {
      devices = await hid.requestDevice({
        filters: [{ usagePage: TELEPHONY_PAGE, usage: HEADSET_USAGE }],
      });
    } catch (error) {
      // Chromium resolves with no device when the chooser is closed; NotFoundError is the same.
      if ((error as { name?: string } | null)?.name === 'NotFoundError') return false;
      this.#problem = 'denied';
      return false;
    }
    if (devices.length === 0) return false;
    // One headset can come as several devices (Windows gives one per top-level collection).
    const device = telephonyDevice(devices);
    if (!device) {
      this.#problem = 'not_telephony';
      return false;
    }
    if (this.#open && this.#open !== device) await this.#detach(true);
    const opened = await this.#attach(device);
    if (opened) this.#remember(device);
    return opened;
  }

  /**
   * Tells the headset the call's state: lights it, and is what a button press is judged against.
   * Call it on every change of the call's phase, mute or hold, with null when there is no call.
   */
  sync(phase: CallPhase | null, muted: boolean, held = false): void {
    this.#phase = phase;
    this.#muted = muted;
    this.#lights = {
      ...lightsFor(phase, muted, held),
      ringer: this.#ringer && phase === 'ringing',
    };
    this.#write(false);
  }

  /** Turns the lights off and releases the headset (sign-out). The pairing is kept. */
  async close(): Promise<void> {
    this.#unlisten();
    await this.#detach(true);
  }

  /** Closes and forgets the headset: not reopened after a reload, permission given back. */
  async forget(): Promise<void> {
    const device = this.#open;
    await this.close();
    try {
      this.#storage?.removeItem(STORAGE_KEY);
    } catch {
      /* storage unavailable: nothing was kept */
    }
    await device?.forget?.().catch(() => undefined);
  }

  async #attach(device: HIDDevice): Promise<boolean> {
    if (this.#open === device) return true;
    const map = parseTelephony(device.collections);
    if (!map.inputs.hookSwitch && !map.inputs.mute) {
      this.#problem = 'not_telephony';
      return false;
    }
    try {
      if (!device.opened) await device.open();
    } catch {
      this.#problem = 'open_failed';
      return false;
    }
    this.#open = device;
    this.#map = map;
    this.#modes = controlModes(map);
    this.#buttons = buttonsAfterSync({ hook: false, mute: false }, this.#lights, this.#modes);
    device.addEventListener('inputreport', this.#onReport);
    this.#device = device.productName || `${hex(device.vendorId)}:${hex(device.productId)}`;
    this.#problem = null;
    // A headset plugged in mid-call learns the call's state at once.
    this.#write(true);
    return true;
  }

  async #detach(lightsOff: boolean): Promise<void> {
    const device = this.#open;
    const map = this.#map;
    if (!device || !map) return;
    device.removeEventListener('inputreport', this.#onReport);
    this.#open = null;
    this.#map = null;
    this.#device = null;
    this.#written = null;
    await this.#writes;
    if (lightsOff) {
      // Not left ringing or off hook for the next program that uses the headset.
      for (const { reportId, data } of encodeOutput(map, lightsFor(null, false))) {
        await device.sendReport(reportId, data).catch(() => undefined);
      }
    }
    await device.close().catch(() => undefined);
  }

  readonly #onReport = (event: Event): void => {
    const map = this.#map;
    if (!map) return;
    const { reportId, data } = event as HIDInputReportEvent;
    const report = decodeInput(map, reportId, data);
    if (report.hookSwitch === undefined && report.mute === undefined) return;
    const action = headsetAction(this.#buttons, report, this.#phase, this.#muted, this.#modes);
    this.#buttons = nextButtons(this.#buttons, report);
    if (action === 'answer') this.#actions.answer();
    else if (action === 'hangup') this.#actions.hangup();
    else if (action === 'toggle-mute') this.#actions.toggleMute();
    else if (disagrees(this.#buttons, this.#lights, this.#modes)) this.#write(true);
  };

  /** Sends the lights; `force` sends them even if unchanged (to correct the headset). */
  #write(force: boolean): void {
    const device = this.#open;
    const map = this.#map;
    if (!device || !map) return;
    const key = JSON.stringify(this.#lights);
    if (!force && key === this.#written) return;
    this.#written = key;
    this.#buttons = buttonsAfterSync(this.#buttons, this.#lights, this.#modes);
    const reports = encodeOutput(map, this.#lights);
    this.#writes = this.#writes
      .then(async () => {
        for (const { reportId, data } of reports) await device.sendReport(reportId, data);
      })
      // Unplugged mid-write: the disconnect event follows and detaches it.
      .catch(() => undefined);
  }

  #listen(hid: HID): void {
    if (this.#listening) return;
    this.#listening = true;
    hid.addEventListener('connect', this.#onConnect);
    hid.addEventListener('disconnect', this.#onDisconnect);
  }

  #unlisten(): void {
    if (!this.#listening || !this.#hid) return;
    this.#listening = false;
    this.#hid.removeEventListener('connect', this.#onConnect);
    this.#hid.removeEventListener('disconnect', this.#onDisconnect);
  }

  readonly #onConnect = (event: Event): void => {
    const { device } = event as HIDConnectionEvent;
    const wanted = this.#remembered();
    if (this.#open || !wanted || !isRemembered(device, wanted) || !telephonyDevice([device])) {
      return;
    }
    void this.#attach(device);
  };

  readonly #onDisconnect = (event: Event): void => {
    if ((event as HIDConnectionEvent).device !== this.#open) return;
    void this.#detach(false);
  };

  #remembered(): Remembered | null {
    try {
      const raw = this.#storage?.getItem(STORAGE_KEY);
      const parsed = raw ? (JSON.parse(raw) as Partial<Remembered>) : null;
      if (typeof parsed?.vendorId !== 'number' || typeof parsed.productId !== 'number') return null;
      return { vendorId: parsed.vendorId, productId: parsed.productId };
    } catch {
      return null;
    }
  }

  #remember(device: HIDDevice): void {
    const value: Remembered = { vendorId: device.vendorId, productId: device.productId };
    try {
      this.#storage?.setItem(STORAGE_KEY, JSON.stringify(value));
    } catch {
      /* private mode: paired for this session only */
    }
  }
}

function isRemembered(device: HIDDevice, wanted: Remembered): boolean {
  return device.vendorId === wanted.vendorId && device.productId === wanted.productId;
}

/** The device among these that carries a telephony collection. */
function telephonyDevice(devices: readonly HIDDevice[]): HIDDevice | null {
  return devices.find((d) => d.collections.some((c) => c.usagePage === TELEPHONY_PAGE)) ?? null;
}

function hex(id: number): string {
  return id.toString(16).padStart(4, '0');
}

function browserHid(): HID | null {
  if (typeof navigator === 'undefined') return null;
  return (navigator as Navigator & { hid?: HID }).hid ?? null;
}

function browserStorage(): KeyValueStore | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
