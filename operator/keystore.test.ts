import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { privateKeyToAddress } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { anvilAccounts } from "../arbitration/anvil.ts";
import { KeystoreError } from "./errors.ts";
import { createKeystore, decryptKeystore, readKeystore } from "./keystore.ts";

const key = anvilAccounts[7];

describe("keystore (Web3 Secret Storage v3)", () => {
  it("round-trips a key and records its address", async () => {
    const json = await createKeystore({ privateKey: key, password: "correct horse", scryptN: 1024 });
    expect(json.version).toBe(3);
    expect((json.crypto as { kdf: string }).kdf).toBe("scrypt");
    expect(`0x${json.address}`).toBe(privateKeyToAddress(key).toLowerCase());
    expect(JSON.stringify(json)).not.toContain(key.slice(2));
    expect(await decryptKeystore({ json: JSON.stringify(json), password: "correct horse" })).toBe(key);
  });

  it("reads a keystore written by another tool (pbkdf2, the test vector of the Web3 Secret Storage spec)", async () => {
    // https://ethereum.org/developers/docs/data-structures-and-encoding/web3-secret-storage (PBKDF2 vector)
    const vector = {
      crypto: {
        cipher: "aes-128-ctr",
        cipherparams: { iv: "6087dab2f9fdbbfaddc31a909735c1e6" },
        ciphertext: "5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46",
        kdf: "pbkdf2",
        kdfparams: {
          c: 262144,
          dklen: 32,
          prf: "hmac-sha256",
          salt: "ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd",
        },
        mac: "517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2",
      },
      id: "3198bc9c-6672-5ab3-d995-4942343ae5b6",
      version: 3,
    };
    expect(await decryptKeystore({ json: JSON.stringify(vector), password: "testpassword" })).toBe(
      "0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d",
    );
  });

  it("says a wrong password is wrong, without echoing it", async () => {
    const json = JSON.stringify(await createKeystore({ privateKey: key, password: "right", scryptN: 1024 }));
    const err = await decryptKeystore({
      json,
      password: "wrong-password-123",
      file: "agent.keystore.json",
    }).catch((e) => e);
    expect(err).toBeInstanceOf(KeystoreError);
    expect(err.message).toContain("wrong password");
    expect(err.message).toContain("agent.keystore.json");
    expect(err.message).not.toContain("wrong-password-123");
  });

  it("refuses a file whose address is not the key's, and files that are not keystores", async () => {
    const json = await createKeystore({ privateKey: key, password: "pw", scryptN: 1024 });
    const other = { ...json, address: privateKeyToAddress(anvilAccounts[0]).slice(2) };
    await expect(decryptKeystore({ json: JSON.stringify(other), password: "pw" })).rejects.toThrow(
      /does not match/,
    );
    await expect(decryptKeystore({ json: "[]", password: "pw" })).rejects.toThrow(/not a version 3 keystore/);
    const dir = mkdtempSync(join(tmpdir(), "ks-"));
    writeFileSync(join(dir, "bad.json"), "{");
    await expect(readKeystore({ path: join(dir, "bad.json"), password: "pw" })).rejects.toThrow(/not JSON/);
    await expect(readKeystore({ path: join(dir, "none.json"), password: "pw" })).rejects.toThrow(
      /cannot be read/,
    );
  });
});
