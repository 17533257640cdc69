/**
 * The part of the WebHID API (https://wicg.github.io/webhid/) the headset buttons use. TypeScript's
 * DOM library does not declare WebHID (Chromium only), so these are declared here as a module,
 * not as globals, to stay out of the way of a future `@types/w3c-web-hid`.
 *
 * The report items are WebIDL dictionaries, so every member may be missing in principle; Chromium
 * fills them all. Usages are 32-bit "extended" usages: usage page << 16 | usage id.
 */

export interface HIDReportItem {
  isAbsolute?: boolean;
  isArray?: boolean;
  isConstant?: boolean;
  isRange?: boolean;
  hasPreferredState?: boolean;
  /** Set for a non-range item: one usage per slot, the last one repeating. */
  usages?: number[];
  /** Set for a range item instead of `usages`. */
  usageMinimum?: number;
  usageMaximum?: number;
  reportSize?: number;
  reportCount?: number;
  logicalMinimum?: number;
  logicalMaximum?: number;
}

export interface HIDReportInfo {
  reportId?: number;
  items?: HIDReportItem[];
}

export interface HIDCollectionInfo {
  usagePage?: number;
  usage?: number;
  type?: number;
  children?: HIDCollectionInfo[];
  inputReports?: HIDReportInfo[];
  outputReports?: HIDReportInfo[];
  featureReports?: HIDReportInfo[];
}

export interface HIDDevice extends EventTarget {
  readonly opened: boolean;
  readonly vendorId: number;
  readonly productId: number;
  readonly productName: string;
  readonly collections: HIDCollectionInfo[];
  open(): Promise<void>;
  close(): Promise<void>;
  /** Revokes this origin's permission (Chrome 100+). */
  forget?(): Promise<void>;
  /** `data` without the report id byte; report id 0 for devices that use none. */
  sendReport(reportId: number, data: BufferSource): Promise<void>;
}

/** The `inputreport` event; `data` starts after the report id byte. */
export interface HIDInputReportEvent extends Event {
  readonly device: HIDDevice;
  readonly reportId: number;
  readonly data: DataView;
}

/** The `connect` and `disconnect` events of `navigator.hid`. */
export interface HIDConnectionEvent extends Event {
  readonly device: HIDDevice;
}

export interface HIDDeviceFilter {
  vendorId?: number;
  productId?: number;
  usagePage?: number;
  usage?: number;
}

export interface HID extends EventTarget {
  getDevices(): Promise<HIDDevice[]>;
  requestDevice(options: { filters: HIDDeviceFilter[] }): Promise<HIDDevice[]>;
}
