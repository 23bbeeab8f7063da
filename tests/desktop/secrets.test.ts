// The broker password goes through safeStorage, and the weak Linux basic_text store is refused.
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { createPasswordStore } from '../../main/desktop/secrets.ts';
import { resetElectron, safeStorage } from './fake-electron.ts';

let file: string;

beforeEach(() => {
  resetElectron();
  file = path.join(mkdtempSync(path.join(os.tmpdir(), 'taktboard-secret-')), 'broker-password.bin');
});

describe('password store', () => {
  it('stores the password encrypted, reads it back, and removes it with the empty string', async () => {
    const store = createPasswordStore(file, safeStorage, 'linux');
    expect(await store.unavailable()).toBeNull();
    expect(store.stored()).toBe(false);
    await store.save('s3cret-Passw0rd');
    expect(store.stored()).toBe(true);
    expect(readFileSync(file).toString('utf8')).not.toContain('s3cret');
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o077).toBe(0);
    expect(await store.load()).toBe('s3cret-Passw0rd');
    await store.save('');
    expect(existsSync(file)).toBe(false);
    expect(await store.load()).toBeUndefined();
  });

  it('refuses the Linux basic_text backend, in words, and stores nothing', async () => {
    safeStorage.backend = 'basic_text';
    const store = createPasswordStore(file, safeStorage, 'linux');
    expect(await store.unavailable()).toMatch(/basic_text/);
    expect(await store.unavailable()).toMatch(/keyring|GNOME Keyring|KWallet/);
    await expect(store.save('pw')).rejects.toThrow(/basic_text/);
    expect(existsSync(file)).toBe(false);
    expect(safeStorage.encryptStringAsync).not.toHaveBeenCalledWith('pw');
  });

  it('does not read a password stored earlier once the backend is basic_text', async () => {
    await createPasswordStore(file, safeStorage, 'linux').save('pw');
    safeStorage.backend = 'basic_text';
    expect(await createPasswordStore(file, safeStorage, 'linux').load()).toBeUndefined();
  });

  it('asks about basic_text only on Linux, and refuses when the keychain is unavailable anywhere', async () => {
    safeStorage.backend = 'basic_text';
    expect(await createPasswordStore(file, safeStorage, 'darwin').unavailable()).toBeNull();
    safeStorage.available = false;
    expect(await createPasswordStore(file, safeStorage, 'win32').unavailable()).toMatch(/keychain is not available/);
  });

  it('re-encrypts when the keychain says the key changed', async () => {
    const store = createPasswordStore(file, safeStorage, 'linux');
    await store.save('pw');
    safeStorage.decryptStringAsync.mockResolvedValueOnce({ result: 'pw', shouldReEncrypt: true });
    const before = safeStorage.encryptStringAsync.mock.calls.length;
    expect(await store.load()).toBe('pw');
    expect(safeStorage.encryptStringAsync.mock.calls.length).toBe(before + 1);
  });

  it('starts without a password it cannot decrypt instead of failing', async () => {
    const store = createPasswordStore(file, safeStorage, 'linux');
    await store.save('pw');
    safeStorage.decryptStringAsync.mockRejectedValueOnce(new Error('Error while decrypting the ciphertext'));
    expect(await store.load()).toBeUndefined();
  });
});
