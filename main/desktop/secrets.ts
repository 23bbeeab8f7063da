// The broker password, encrypted with the OS keychain through Electron's safeStorage and kept in its
// own file next to the configuration (the config file itself never holds a secret).
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import type { SafeStorage } from 'electron';
import { logger } from '../core/log.ts';
import { writeFileAtomic } from './files.ts';
import { DesktopError } from './ipc.ts';

const log = logger('desktop-secrets');

export type SafeStorageLike = Pick<SafeStorage, 'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'>;

export interface PasswordStore {
  /** Why no password can be stored on this machine, in words for the Settings screen; null when it can. */
  unavailable(): Promise<string | null>;
  stored(): boolean;
  /** The stored password, or undefined when none is stored or it cannot be decrypted here. */
  load(): Promise<string | undefined>;
  /** Stores the password; the empty string removes it. Throws when unavailable() says why. */
  save(password: string): Promise<void>;
}

export const BASIC_TEXT_REFUSAL =
  'The broker password cannot be stored: this Linux desktop has no keyring (Electron falls back to the "basic_text" store, ' +
  'which is not encryption). Install and unlock GNOME Keyring or KWallet, or run `taktboard serve` with TAKTBOARD_MQTT_PASSWORD.';

export function createPasswordStore(file: string, safeStorage: SafeStorageLike, platform: NodeJS.Platform = process.platform): PasswordStore {
  const unavailable = async (): Promise<string | null> => {
    // basic_text "encrypts" with a key hard-coded in Chromium: as good as clear text on disk.
    if (platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return BASIC_TEXT_REFUSAL;
    if (!(await safeStorage.isAsyncEncryptionAvailable())) {
      return 'The broker password cannot be stored: the operating system keychain is not available to Taktboard.';
    }
    return null;
  };
  return {
    unavailable,
    stored: () => existsSync(file),
    async load() {
      if (!existsSync(file) || (await unavailable()) !== null) return undefined;
      try {
        const { result, shouldReEncrypt } = await safeStorage.decryptStringAsync(await readFile(file));
        // A rotated keychain key: write it again under the new key so the next start still decrypts it.
        if (shouldReEncrypt) await writeFileAtomic(file, await safeStorage.encryptStringAsync(result), 0o600);
        return result;
      } catch (err) {
        // Another user's or machine's keychain: start without it; the broker's refusal shows in the UI.
        log.warn('stored broker password cannot be decrypted', { file, error: err instanceof Error ? err.message : String(err) });
        return undefined;
      }
    },
    async save(password) {
      // Removing needs no keychain, so it works even where storing is refused.
      if (password === '') {
        await rm(file, { force: true });
        return;
      }
      const reason = await unavailable();
      if (reason !== null) throw new DesktopError(reason);
      await writeFileAtomic(file, await safeStorage.encryptStringAsync(password), 0o600);
    },
  };
}
