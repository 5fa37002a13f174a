import { hash, verify } from '@node-rs/argon2';
import bcrypt from 'bcryptjs';
import { passwordSchema } from '@omni/contracts/identity';
import { badRequest } from '../../kernel/errors.js';

/**
 * Password hashing: argon2id (the library default; OWASP's minimum parameters m=19 MiB, t=2, p=1).
 * Hashes imported from older systems ($2a$/$2b$/$2y$ bcrypt) still verify and are replaced by argon2id
 * at the next successful sign-in.
 */
const argon2Options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const bcryptPrefix = /^\$2[aby]\$\d{2}\$/;

export type PasswordCheck = { isValid: boolean; needsRehash: boolean };

/** Apply the password rules (10–256 characters); throws a 400 naming the field. */
export function assertPasswordRules(password: string, field = 'password'): void {
  const result = passwordSchema.safeParse(password);
  if (!result.success) {
    const message = result.error.issues[0]?.message ?? 'Password does not meet the rules.';
    throw badRequest('auth.password_invalid', message, [{ path: field, message }]);
  }
}

export async function hashPassword(password: string): Promise<string> {
  return hash(password, argon2Options);
}

export function isSupportedPasswordHash(passwordHash: string): boolean {
  return passwordHash.startsWith('$argon2id$') || bcryptPrefix.test(passwordHash);
}

export async function checkPassword(passwordHash: string, password: string): Promise<PasswordCheck> {
  if (bcryptPrefix.test(passwordHash)) {
    const isValid = await bcrypt.compare(password, passwordHash).catch(() => false);
    return { isValid, needsRehash: isValid };
  }
  if (passwordHash.startsWith('$argon2')) {
    const isValid = await verify(passwordHash, password).catch(() => false);
    return { isValid, needsRehash: isValid && !passwordHash.startsWith('$argon2id$') };
  }
  return { isValid: false, needsRehash: false };
}

let dummyHash: Promise<string> | undefined;

/**
 * Spend the same effort as a real check when there is no hash to check against (unknown email, account
 * without a password), so response times do not reveal which emails have accounts.
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword('omni-dummy-password-for-timing');
  await verify(await dummyHash, password).catch(() => false);
}
