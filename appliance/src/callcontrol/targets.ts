/**
 * Where an operator may transfer a caller, pure: the target as the console names it, checked and
 * turned into the extension of the `kcc-transfer` dialplan context (pbx/render).
 */
export type TransferTarget =
  | { type: 'operator'; value: string }
  | { type: 'queue'; value: string }
  | { type: 'external'; value: string };

export class TargetError extends Error {
  override name = 'TargetError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const USERNAME = /^[a-z][a-z0-9._-]{0,63}$/;
const QUEUE = /^[a-z][a-z0-9_-]{0,31}$/;

/** The `kcc-transfer` extension for a target; throws TargetError naming the field. */
export function transferExtension(t: TransferTarget): string {
  switch (t.type) {
    case 'operator':
      if (!USERNAME.test(t.value))
        throw new TargetError('target.value', `"${t.value}" is not a user name`);
      return `op${t.value}`;
    case 'queue':
      if (!QUEUE.test(t.value))
        throw new TargetError('target.value', `"${t.value}" is not a queue name`);
      return `q${t.value}`;
    case 'external': {
      const digits = externalDigits(t.value);
      return `ext${digits}`;
    }
  }
}

/**
 * An outside number as the carrier is dialled: digits only. People write `+7 727 258 15 00` or
 * `8 (727) 258-15-00`; what is not a plausible number is refused with what was wrong.
 */
export function externalDigits(input: string): string {
  const text = input.trim();
  if (!/^\+?[\d\s()-]+$/.test(text)) {
    throw new TargetError(
      'target.value',
      `"${input}" is not a phone number: digits, spaces, ( ) - and a leading +`,
    );
  }
  const digits = text.replace(/\D/g, '');
  if (digits.length < 3 || digits.length > 15) {
    throw new TargetError(
      'target.value',
      `"${input}" has ${digits.length} digits; a number has 3 to 15`,
    );
  }
  return digits;
}
