/**
 * USB headset call buttons (APP-2, OP-32 item 9), pure: where a headset's telephony controls sit in
 * its HID reports, what an input report says, which output reports light its LEDs, and what a
 * button press means for the call. The WebHID I/O lives in `headset.svelte.ts`.
 *
 * Usages are those of the USB HID Usage Tables: Telephony Device page (0x0B) and LED page (0x08).
 * The layout is read from `HIDDevice.collections` as Chromium builds it: a top-level collection
 * lists every item of its reports in descriptor order, the items of nested collections included,
 * so only top-level collections are read (their children would count those items twice). Within a
 * report each item takes reportSize × reportCount bits, little-endian, from bit 0 of the first
 * byte after the report id (WebHID gives and takes the data without the report id byte).
 */
import type { CallPhase } from './line';
import type { HIDCollectionInfo, HIDReportItem } from './webhid';

export const TELEPHONY_PAGE = 0x0b;
export const LED_PAGE = 0x08;
/** The Telephony page's Headset application collection, which the device chooser asks for. */
export const HEADSET_USAGE = 0x05;

/** A 32-bit extended usage, as WebHID gives `usages`, `usageMinimum` and `usageMaximum`. */
function usage(page: number, id: number): number {
  return ((page << 16) | id) >>> 0;
}

/** What the headset sends. */
const INPUT_USAGES = {
  hookSwitch: usage(TELEPHONY_PAGE, 0x20), // on/off control: on = off hook, in a call
  mute: usage(TELEPHONY_PAGE, 0x2f), // Phone Mute, on/off control
  flash: usage(TELEPHONY_PAGE, 0x21), // momentary: Jabra's hold/swap press
  redial: usage(TELEPHONY_PAGE, 0x24), // one-shot
  lineBusy: usage(TELEPHONY_PAGE, 0x97), // Line Busy Tone: Jabra reports it beside Hook Switch
} as const;

/**
 * What the console drives, in the order its reports are sent: Off-Hook before Mute, since a
 * headset applies mute to a call only.
 */
const OUTPUT_USAGES = {
  offHook: usage(LED_PAGE, 0x17),
  ring: usage(LED_PAGE, 0x18),
  mute: usage(LED_PAGE, 0x09),
  hold: usage(LED_PAGE, 0x20),
  ringer: usage(TELEPHONY_PAGE, 0x9e), // the headset's own ring tone, not a light
} as const;

export type InputControl = keyof typeof INPUT_USAGES;
export type OutputControl = keyof typeof OUTPUT_USAGES;

const INPUT_CONTROLS = Object.keys(INPUT_USAGES) as InputControl[];
const OUTPUT_CONTROLS = Object.keys(OUTPUT_USAGES) as OutputControl[];

/**
 * How an on/off control reports, after the Usage Tables' "On/Off Control" kinds:
 * - 'switch': absolute; the value is the state (Jabra's Hook Switch: 1 while in a call);
 * - 'toggle': relative; 1 while pressed, each press flips the state (Phone Mute on Jabra, Poly,
 *   EPOS: a press sends 1, the release 0);
 * - 'buttons': relative with a logical range of -1..1; +1 is an "on" press, -1 an "off" press.
 */
export type ControlMode = 'switch' | 'toggle' | 'buttons';

export interface InputField {
  reportId: number;
  /** First bit, counted from bit 0 of the first data byte. */
  bitOffset: number;
  /** Bits per value. */
  bitSize: number;
  mode: ControlMode;
  /** Two's complement values (logical minimum below 0). */
  signed: boolean;
  /**
   * Set for an array item, which is not a bit field: `slots` values of `bitSize` bits each list
   * the controls that are on; this control is on while one of them equals `value`.
   */
  array?: { slots: number; value: number };
}

export interface OutputField {
  reportId: number;
  bitOffset: number;
  bitSize: number;
}

export interface TelephonyMap {
  inputs: Partial<Record<InputControl, InputField>>;
  outputs: Partial<Record<OutputControl, OutputField>>;
  /** Byte length of each output report holding one of the outputs: the whole report is sent. */
  outputLengths: Map<number, number>;
  /** Controls found but not usable, for a diagnostics log. */
  skipped: string[];
}

/** Where each telephony control of a device lives. The first place found wins. */
export function parseTelephony(collections: readonly HIDCollectionInfo[]): TelephonyMap {
  const map: TelephonyMap = { inputs: {}, outputs: {}, outputLengths: new Map(), skipped: [] };
  // Telephony collections first: some headsets repeat a control in a vendor collection, and one
  // press would then arrive twice.
  const telephony = collections.filter((c) => c.usagePage === TELEPHONY_PAGE);
  const others = collections.filter((c) => c.usagePage !== TELEPHONY_PAGE);
  for (const collection of [...telephony, ...others]) {
    for (const report of collection.inputReports ?? []) {
      readInputReport(map, report.reportId ?? 0, report.items ?? []);
    }
    for (const report of collection.outputReports ?? []) {
      readOutputReport(map, report.reportId ?? 0, report.items ?? []);
    }
  }
  return map;
}

interface PlacedItem {
  item: HIDReportItem;
  bitOffset: number;
  size: number;
  count: number;
}

/** The report's items with their first bit. Padding and unknown items take their room too. */
function place(items: readonly HIDReportItem[]): PlacedItem[] {
  const placed: PlacedItem[] = [];
  let bit = 0;
  for (const item of items) {
    const size = item.reportSize ?? 0;
    const count = item.reportCount ?? 0;
    placed.push({ item, bitOffset: bit, size, count });
    bit += size * count;
  }
  return placed;
}

/**
 * Whether an item can hold one of our controls: data, not padding, and at most 32 bits a value
 * (the HID limit for one field).
 */
function usable({ item, size, count }: PlacedItem): boolean {
  return !item.isConstant && size >= 1 && size <= 32 && count >= 1;
}

/**
 * The usage of a variable item's slot: a range counts up from its minimum, a list gives one
 * usage per slot, and the last usage repeats for slots beyond the usages given.
 */
function slotUsage(item: HIDReportItem, slot: number): number | undefined {
  if (item.isRange) {
    const min = item.usageMinimum;
    const max = item.usageMaximum;
    if (min === undefined || max === undefined || max < min) return undefined;
    return Math.min(min + slot, max);
  }
  const usages = item.usages ?? [];
  return usages[Math.min(slot, usages.length - 1)];
}

/**
 * The value an array item's slot holds while `wanted` is on: logical minimum for its first
 * usage, counting up.
 */
function arrayValue(item: HIDReportItem, wanted: number): number | undefined {
  let index: number;
  if (item.isRange) {
    const min = item.usageMinimum;
    const max = item.usageMaximum;
    if (min === undefined || max === undefined || wanted < min || wanted > max) return undefined;
    index = wanted - min;
  } else {
    index = (item.usages ?? []).indexOf(wanted);
    if (index < 0) return undefined;
  }
  const value = (item.logicalMinimum ?? 0) + index;
  return item.logicalMaximum === undefined || value <= item.logicalMaximum ? value : undefined;
}

function modeOf(item: HIDReportItem): ControlMode {
  if (item.isAbsolute ?? true) return 'switch';
  return (item.logicalMinimum ?? 0) < 0 ? 'buttons' : 'toggle';
}

function readInputReport(map: TelephonyMap, reportId: number, items: readonly HIDReportItem[]) {
  for (const placed of place(items)) {
    if (!usable(placed)) continue;
    const { item, bitOffset, size, count } = placed;
    const base = {
      reportId,
      bitSize: size,
      mode: modeOf(item),
      signed: (item.logicalMinimum ?? 0) < 0,
    };
    for (const control of INPUT_CONTROLS) {
      if (map.inputs[control]) continue;
      const wanted = INPUT_USAGES[control];
      if (item.isArray) {
        const value = arrayValue(item, wanted);
        if (value !== undefined) {
          map.inputs[control] = { ...base, bitOffset, array: { slots: count, value } };
        }
        continue;
      }
      for (let slot = 0; slot < count; slot++) {
        if (slotUsage(item, slot) === wanted) {
          map.inputs[control] = { ...base, bitOffset: bitOffset + slot * size };
          break;
        }
      }
    }
  }
}

function readOutputReport(map: TelephonyMap, reportId: number, items: readonly HIDReportItem[]) {
  const placed = place(items);
  let found = false;
  for (const p of placed) {
    if (!usable(p)) continue;
    const { item, bitOffset, size, count } = p;
    for (const control of OUTPUT_CONTROLS) {
      if (map.outputs[control]) continue;
      const wanted = OUTPUT_USAGES[control];
      if (item.isArray) {
        // An indicator array (the value names the one LED that is on) cannot show two lights at
        // once, and no headset seen declares one: left dark rather than guessed.
        if (arrayValue(item, wanted) !== undefined) {
          map.skipped.push(`output report ${reportId}: ${control} is in an array item`);
        }
        continue;
      }
      for (let slot = 0; slot < count; slot++) {
        if (slotUsage(item, slot) === wanted) {
          map.outputs[control] = { reportId, bitOffset: bitOffset + slot * size, bitSize: size };
          found = true;
          break;
        }
      }
    }
  }
  if (found) {
    const bits = placed.reduce((sum, p) => sum + p.size * p.count, 0);
    map.outputLengths.set(reportId, Math.ceil(bits / 8));
  }
}

/** A little-endian bit field, or undefined when the report is too short to hold it. */
function readBits(
  data: DataView,
  bitOffset: number,
  bitSize: number,
  signed: boolean,
): number | undefined {
  if (bitOffset + bitSize > data.byteLength * 8) return undefined;
  let value = 0;
  for (let i = 0; i < bitSize; i++) {
    const bit = bitOffset + i;
    // Arithmetic, not `<<`, so a 32-bit field does not turn negative.
    if ((data.getUint8(bit >> 3) >> (bit & 7)) & 1) value += 2 ** i;
  }
  return signed && value >= 2 ** (bitSize - 1) ? value - 2 ** bitSize : value;
}

/**
 * What an input report says about each control it carries; controls it does not carry are
 * absent, and so is a 'buttons' control at 0 (no press).
 */
export type HeadsetReport = Partial<Record<InputControl, boolean>>;

export function decodeInput(map: TelephonyMap, reportId: number, data: DataView): HeadsetReport {
  const report: HeadsetReport = {};
  for (const control of INPUT_CONTROLS) {
    const field = map.inputs[control];
    if (!field || field.reportId !== reportId) continue;
    const on = readControl(field, data);
    if (on !== undefined) report[control] = on;
  }
  return report;
}

function readControl(field: InputField, data: DataView): boolean | undefined {
  if (field.array) {
    let on = false;
    for (let slot = 0; slot < field.array.slots; slot++) {
      const value = readBits(
        data,
        field.bitOffset + slot * field.bitSize,
        field.bitSize,
        field.signed,
      );
      if (value === undefined) return undefined;
      if (value === field.array.value) on = true;
    }
    return on;
  }
  const value = readBits(data, field.bitOffset, field.bitSize, field.signed);
  if (value === undefined) return undefined;
  if (field.mode === 'buttons') return value > 0 ? true : value < 0 ? false : undefined;
  return value !== 0;
}

/** The headset's indicators as the console wants them. */
export interface HeadsetLights {
  offHook: boolean;
  ring: boolean;
  mute: boolean;
  hold?: boolean;
  /** The headset's own ringer; off unless asked for, since the console rings by itself. */
  ringer?: boolean;
}

export interface OutputReport {
  reportId: number;
  /** Without the report id byte, as `HIDDevice.sendReport` takes it. */
  data: Uint8Array<ArrayBuffer>;
}

/**
 * The output reports that set the lights, one per report id that holds any of them, whole (the
 * device's other outputs in those reports, and padding, are sent as 0).
 */
export function encodeOutput(map: TelephonyMap, lights: HeadsetLights): OutputReport[] {
  const reports = new Map<number, Uint8Array<ArrayBuffer>>();
  for (const control of OUTPUT_CONTROLS) {
    const field = map.outputs[control];
    if (!field) continue;
    let data = reports.get(field.reportId);
    if (!data) {
      data = new Uint8Array(map.outputLengths.get(field.reportId) ?? 0);
      reports.set(field.reportId, data);
    }
    // On is 1 whatever the field's width: every on/off indicator declares 0..1.
    if (lights[control]) setBit(data, field.bitOffset);
  }
  return [...reports].map(([reportId, data]) => ({ reportId, data }));
}

function setBit(data: Uint8Array, bit: number): void {
  const index = bit >> 3;
  if (index < data.length) data[index] = (data[index] ?? 0) | (1 << (bit & 7));
}

/**
 * The lights for a call. Off-Hook stays on while the call is held (Hold shows that instead):
 * Jabra headsets take Off-Hook going off as "hang up" and report the hook down, which would end
 * the call. Mute shows only off hook, the only time a headset applies it.
 */
export function lightsFor(phase: CallPhase | null, muted: boolean, held = false): HeadsetLights {
  const offHook = phase === 'connecting' || phase === 'active';
  return { offHook, ring: phase === 'ringing', mute: offHook && muted, hold: offHook && held };
}

/** The last known value of the two controls that act on the call. */
export interface ButtonState {
  hook: boolean;
  mute: boolean;
}

export type HeadsetAction = 'answer' | 'hangup' | 'toggle-mute';

export interface ControlModes {
  hookSwitch: ControlMode;
  mute: ControlMode;
}

/** The most common layout (Jabra): an absolute hook switch and a toggle-button mute. */
export const TYPICAL_MODES: ControlModes = { hookSwitch: 'switch', mute: 'toggle' };

export function controlModes(map: TelephonyMap): ControlModes {
  return {
    hookSwitch: map.inputs.hookSwitch?.mode ?? TYPICAL_MODES.hookSwitch,
    mute: map.inputs.mute?.mode ?? TYPICAL_MODES.mute,
  };
}

/**
 * What a headset report asks of the call, from the change since the previous report:
 * - the hook going off (picked up) while the call rings answers it; going on (put down) while it
 *   connects or is active hangs up; a 'toggle' hook press does whichever fits the phase;
 * - the hook going on while it rings does nothing: rejecting a queue call is not a headset key's
 *   job, and a stale absolute hook (left off hook) would otherwise reject the next call;
 * - the hook going off with no call, or on with none, does nothing (the caller writes the
 *   console's lights back, see `disagrees`);
 * - Phone Mute acts only in an active call (the softphone mutes nothing else). A 'toggle' mute
 *   acts on the press (0 → 1) only, never the release; a 'switch' mute acts when its new value
 *   differs from the console's; an identical repeated report is no change and does nothing;
 * - a report that both answers or hangs up and moves mute acts on the hook only.
 * Update the state with `nextButtons` after each report.
 */
export function headsetAction(
  prev: ButtonState,
  report: HeadsetReport,
  phase: CallPhase | null,
  muted: boolean,
  modes: ControlModes = TYPICAL_MODES,
): HeadsetAction | null {
  const hook = hookIntent(prev.hook, report.hookSwitch, modes.hookSwitch, phase);
  if (hook === 'pick-up' && phase === 'ringing') return 'answer';
  if (hook === 'put-down' && (phase === 'connecting' || phase === 'active')) return 'hangup';
  if (phase === 'active' && muteWanted(prev.mute, report.mute, modes.mute, muted)) {
    return 'toggle-mute';
  }
  return null;
}

function hookIntent(
  prev: boolean,
  now: boolean | undefined,
  mode: ControlMode,
  phase: CallPhase | null,
): 'pick-up' | 'put-down' | null {
  if (now === undefined) return null;
  switch (mode) {
    case 'switch':
      if (now === prev) return null;
      return now ? 'pick-up' : 'put-down';
    case 'toggle':
      if (!now || prev) return null;
      return phase === 'ringing' ? 'pick-up' : 'put-down';
    case 'buttons':
      return now ? 'pick-up' : 'put-down';
  }
}

function muteWanted(
  prev: boolean,
  now: boolean | undefined,
  mode: ControlMode,
  muted: boolean,
): boolean {
  if (now === undefined) return false;
  switch (mode) {
    case 'toggle':
      return now && !prev;
    case 'switch':
      return now !== prev && now !== muted;
    case 'buttons':
      return now !== muted;
  }
}

/** The button state after a report: what it carried, the rest as before. */
export function nextButtons(prev: ButtonState, report: HeadsetReport): ButtonState {
  return { hook: report.hookSwitch ?? prev.hook, mute: report.mute ?? prev.mute };
}

/**
 * The button state once the console has written its lights. A 'switch' control follows the
 * host's indicator (a Jabra headset goes off hook when told Off-Hook, and may or may not report
 * it), so its known value becomes the light's: the headset's echo is then no change, and its next
 * press is a real edge even if it never echoed. Toggle buttons keep their pressed state.
 */
export function buttonsAfterSync(
  prev: ButtonState,
  lights: HeadsetLights,
  modes: ControlModes,
): ButtonState {
  return {
    hook: modes.hookSwitch === 'switch' ? lights.offHook : prev.hook,
    mute: modes.mute === 'switch' ? lights.mute : prev.mute,
  };
}

/**
 * Whether a 'switch' control now contradicts the console, after a report that did nothing (a
 * press with no call ringing). The console then writes its lights back, so the headset returns
 * to the console's state at once: otherwise it waits for an acknowledgement that never comes
 * (Jabra reverts by itself after about two seconds), or stays off hook and the next press,
 * meant to answer, puts it on hook instead.
 */
export function disagrees(
  buttons: ButtonState,
  lights: HeadsetLights,
  modes: ControlModes,
): boolean {
  return (
    (modes.hookSwitch === 'switch' && buttons.hook !== lights.offHook) ||
    (modes.mute === 'switch' && buttons.mute !== lights.mute)
  );
}
