import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DEFAULT_DISTRICT } from '../domain/district';
import { errors } from '../domain/errors';

/** Sealed for one district: its key is part of the associated data. */
const FORMAT = 'v2';
/** Sealed before districts existed (purpose only); read for the default district alone. */
const LEGACY_FORMAT = 'v1';
const IV_BYTES = 12;
// Binds the ciphertext to its purpose, so a value copied from another column does not decrypt here.
const PURPOSE = 'oneroster:provider-secret';

/**
 * The associated data of a district's secret: the purpose and the district key, so a row copied
 * into another district's configuration fails the GCM tag check instead of decrypting there.
 */
function associatedData(format: string, district: string): Buffer {
  return Buffer.from(format === LEGACY_FORMAT ? PURPOSE : `${PURPOSE}:district:${district}`);
}

/** Encrypts a district's secret with AES-256-GCM: `v2:iv:tag:ciphertext`, each base64, a fresh IV every time. */
export function encryptSecret(plain: string, key: Buffer, district: string = DEFAULT_DISTRICT): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(FORMAT, district));
  const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [FORMAT, iv.toString('base64'), cipher.getAuthTag().toString('base64'), ciphertext.toString('base64')].join(':');
}

/** Whether a stored secret predates districts (`v1`), so a save should seal it again for its district. */
export function isLegacySecret(stored: string): boolean {
  return stored.startsWith(`${LEGACY_FORMAT}:`);
}

/**
 * Decrypts a district's stored secret. A wrong key, or a secret sealed for another district, fails
 * the GCM tag check and gives a clear `encryption_key_mismatch` error, never garbage. A `v1`
 * secret (sealed before districts) is the default district's: any other district refuses it.
 */
export function decryptSecret(stored: string, key: Buffer, district: string = DEFAULT_DISTRICT): string {
  const [format, iv, tag, ciphertext, ...rest] = stored.split(':');
  if ((format !== FORMAT && format !== LEGACY_FORMAT) || !iv || !tag || ciphertext === undefined || rest.length > 0) {
    throw errors.storedSecretUnreadable();
  }
  try {
    if (format === LEGACY_FORMAT && district !== DEFAULT_DISTRICT) throw new Error('a v1 secret belongs to the default district');
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
    decipher.setAAD(associatedData(format, district));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]).toString('utf8');
  } catch {
    throw errors.encryptionKeyMismatch();
  }
}
