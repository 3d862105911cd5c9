/**
 * An agent's private key at rest: a Web3 Secret Storage (keystore v3) file, the format of geth,
 * Foundry's `cast wallet`, MetaMask exports and ethers, read and written by @ethereumjs/wallet
 * (scrypt or pbkdf2, AES-128-CTR, keccak MAC). The key and password never leave these functions
 * except as the return value; errors name the file, not its secrets.
 */
import { readFile } from "node:fs/promises";
import { Wallet } from "@ethereumjs/wallet";
import { bytesToHex, getAddress, type Hex, hexToBytes } from "viem";
import { privateKeyToAddress } from "viem/accounts";
import { KeystoreError } from "./errors.ts";

export type KeystoreJson = {
  version: 3;
  id: string;
  address?: string;
  crypto: Record<string, unknown>;
};

export type CreateKeystoreParameters = {
  privateKey: Hex;
  password: string;
  /** scrypt cost (N). Default 2^18 as geth's "standard"; tests pass 2^10 to stay fast. */
  scryptN?: number;
};

/** Encrypts `privateKey` into keystore JSON (with the checksummed address, as geth writes it). */
export async function createKeystore(p: CreateKeystoreParameters): Promise<KeystoreJson> {
  const wallet = Wallet.fromPrivateKey(hexToBytes(p.privateKey));
  const json = (await wallet.toV3(p.password, { kdf: "scrypt", n: p.scryptN ?? 2 ** 18 })) as KeystoreJson;
  return { ...json, address: getAddress(privateKeyToAddress(p.privateKey)).slice(2).toLowerCase() };
}

export type DecryptKeystoreParameters = { json: string; password: string; file?: string };

/** The private key in keystore JSON text. A wrong password or a damaged file is a KeystoreError. */
export async function decryptKeystore(p: DecryptKeystoreParameters): Promise<Hex> {
  const file = p.file ?? "(keystore)";
  let parsed: KeystoreJson;
  try {
    parsed = JSON.parse(p.json) as KeystoreJson;
  } catch (cause) {
    throw new KeystoreError({ file, reason: "it is not JSON", cause });
  }
  if (parsed?.version !== 3 || typeof parsed.crypto !== "object") {
    throw new KeystoreError({
      file,
      reason: "it is not a version 3 keystore (no `crypto`, or `version` is not 3)",
    });
  }
  let wallet: Wallet;
  try {
    // nonStrict: keystores written by other tools use `Crypto` and mixed-case keys.
    wallet = await Wallet.fromV3(parsed as never, p.password, true);
  } catch (cause) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    const reason = /passphrase|derivation/i.test(msg)
      ? "wrong password (the MAC does not match)"
      : `it cannot be decrypted (${msg})`;
    throw new KeystoreError({ file, reason });
  }
  const key = bytesToHex(wallet.getPrivateKey());
  if (parsed.address && getAddress(`0x${parsed.address.replace(/^0x/, "")}`) !== privateKeyToAddress(key)) {
    throw new KeystoreError({ file, reason: "the key inside does not match the file's `address`" });
  }
  return key;
}

/** Reads and decrypts a keystore file. */
export async function readKeystore(p: { path: string; password: string }): Promise<Hex> {
  let json: string;
  try {
    json = await readFile(p.path, "utf8");
  } catch (cause) {
    throw new KeystoreError({ file: p.path, reason: "the file cannot be read", cause });
  }
  return decryptKeystore({ json, password: p.password, file: p.path });
}
