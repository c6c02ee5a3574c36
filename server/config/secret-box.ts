import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { errors } from '../domain/errors';

const FORMAT = 'v1';
const IV_BYTES = 12;
// Binds the ciphertext to its purpose, so a value copied from another column does not decrypt here.
const ASSOCIATED_DATA = Buffer.from('oneroster:provider-secret');

/** Encrypts a secret with AES-256-GCM: `v1:iv:tag:ciphertext`, each base64, a fresh IV every time. */
export function encryptSecret(plain: string, key: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(ASSOCIATED_DATA);
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [FORMAT, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
}

/**
 * Decrypts a stored secret. A wrong key fails the GCM tag check and gives a clear
 * `encryption_key_mismatch` error, never garbage.
 */
export function decryptSecret(stored: string, key: Buffer): string {
  const [format, iv, tag, ciphertext, ...rest] = stored.split(':');
  if (format !== FORMAT || !iv || !tag || ciphertext === undefined || rest.length > 0) {
    throw errors.storedSecretUnreadable();
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAAD(ASSOCIATED_DATA);
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw errors.encryptionKeyMismatch();
  }
}
