/**
 * DID normalisation (SVC-1). The carrier may deliver a service number in any usual Kazakh form:
 * `193`, `88000800193`, `+77272581500`, `77272581500`, `87272581500`, with or without spaces,
 * dashes or brackets. Everything is reduced to one canonical digit string:
 *  - short numbers (3–6 digits) stay as they are;
 *  - toll-free numbers are written `8800…` (the form printed on the customer's materials);
 *  - every other national number is written in international form without `+`: `7…` (11 digits).
 */
export function normalizeDid(raw: string): string | null {
  const trimmed = raw.trim();
  if (!/^\+?[\d\s()-]+$/.test(trimmed)) return null;
  const digits = trimmed.replace(/\D/g, '');
  if (digits.length === 0) return null;
  if (digits.length <= 6) return digits;
  let national: string;
  if (digits.length === 11 && (digits.startsWith('7') || digits.startsWith('8'))) {
    national = digits.slice(1);
  } else if (digits.length === 10) {
    national = digits;
  } else {
    return digits;
  }
  return national.startsWith('800') ? `8${national}` : `7${national}`;
}

/** Every written form the dialplan should accept for a canonical service number. */
export function didVariants(canonical: string): string[] {
  if (canonical.length <= 6) return [canonical];
  const national = canonical.slice(1);
  return [`7${national}`, `8${national}`, `+7${national}`, national];
}

/** Finds the service a DID belongs to, or null when it is not one of ours. */
export function serviceForDid(raw: string, services: readonly string[]): string | null {
  const did = normalizeDid(raw);
  return did !== null && services.includes(did) ? did : null;
}
