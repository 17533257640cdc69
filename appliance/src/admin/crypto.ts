/** Password hashing and random tokens, kept behind one small interface so tests can inject it. */
import { createHash, randomBytes } from 'node:crypto';
import { hash, verify, type Algorithm } from '@node-rs/argon2';

export interface Crypto {
  hashPassword(password: string): Promise<string>;
  verifyPassword(hash: string, password: string): Promise<boolean>;
  randomToken(bytes?: number): string;
  sha256(value: string): string;
}

// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane.
// Algorithm is a const enum in the package's types; 2 is Argon2id.
const ARGON2 = { algorithm: 2 as Algorithm, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export const nodeCrypto: Crypto = {
  hashPassword: (password) => hash(password, ARGON2),
  verifyPassword: async (h, password) => {
    try {
      return await verify(h, password);
    } catch {
      return false;
    }
  },
  randomToken: (bytes = 32) => randomBytes(bytes).toString('base64url'),
  sha256: (value) => createHash('sha256').update(value).digest('hex'),
};
