import { type Hex, keccak256, toHex } from "viem";
import { generatePrivateKey, privateKeyToAccount, sign } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { createSigner, InvalidSignatureFormatError, recoverDigest } from "./signer.ts";

describe("signer", () => {
  const pk = generatePrivateKey();
  const digest = keccak256(toHex("hello"));

  it("derives the same checksummed address as viem", () => {
    for (let i = 0; i < 50; i++) {
      const key = generatePrivateKey();
      expect(createSigner(key).address).toBe(privateKeyToAccount(key).address);
    }
  });

  it("produces the same signature as viem and recovers the signer", async () => {
    const signer = createSigner(pk);
    const ours = signer.signDigest(digest);
    const theirs = await sign({ hash: digest, privateKey: pk, to: "hex" });
    expect(ours).toBe(theirs);
    expect(recoverDigest(digest, ours)).toBe(signer.address);
  });

  it("refuses malformed and malleable signatures", () => {
    const sig = createSigner(pk).signDigest(digest);
    expect(() => recoverDigest(digest, "0x1234")).toThrow(InvalidSignatureFormatError);
    expect(() => recoverDigest(digest, `${sig.slice(0, 130)}1d` as Hex)).toThrow(InvalidSignatureFormatError);
    // Flip s to n - s: the malleable twin must be refused.
    const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
    const s = BigInt(`0x${sig.slice(66, 130)}`);
    const twin = `${sig.slice(0, 66)}${(n - s).toString(16).padStart(64, "0")}${sig.slice(130)}` as Hex;
    expect(() => recoverDigest(digest, twin)).toThrow(InvalidSignatureFormatError);
    const zeroS = `${sig.slice(0, 66)}${"0".repeat(64)}${sig.slice(130)}` as Hex;
    expect(() => recoverDigest(digest, zeroS)).toThrow(InvalidSignatureFormatError);
    expect(() => recoverDigest("0x1234", sig)).toThrow(InvalidSignatureFormatError);
    // Right length, but a character that is not hex (first, middle, last): the decoder stops there.
    for (const at of [2, 40, 65]) {
      const bad = `${sig.slice(0, at)}g${sig.slice(at + 1)}` as Hex;
      expect(() => recoverDigest(digest, bad)).toThrow(InvalidSignatureFormatError);
      const badDigest = `${digest.slice(0, at)}z${digest.slice(at + 1)}` as Hex;
      expect(() => recoverDigest(badDigest, sig)).toThrow(InvalidSignatureFormatError);
      expect(() => createSigner(pk).signDigest(badDigest)).toThrow(RangeError);
    }
    const last = `${sig.slice(0, 131)}g` as Hex;
    expect(() => recoverDigest(digest, last)).toThrow(InvalidSignatureFormatError);
    expect(() => recoverDigest(digest, `0X${sig.slice(2)}` as Hex)).toThrow(InvalidSignatureFormatError);
  });

  it("returns the real signer whatever address the caller expects", () => {
    const a = createSigner(pk);
    const b = createSigner(generatePrivateKey());
    const sig = a.signDigest(digest);
    expect(recoverDigest(digest, sig)).toBe(a.address);
    // The shortcut answers only when the recovered key is the expected address's own key.
    expect(recoverDigest(digest, sig, a.address)).toBe(a.address);
    expect(recoverDigest(digest, sig, b.address)).toBe(a.address);
    expect(recoverDigest(digest, b.signDigest(digest), a.address)).toBe(b.address);
    expect(recoverDigest(digest, sig, a.address.toLowerCase() as Hex)).toBe(a.address);
  });

  it("recovers each signer again and again (cached addresses stay per key)", () => {
    const keys = Array.from({ length: 20 }, () => generatePrivateKey());
    for (let round = 0; round < 3; round++) {
      for (const key of keys) {
        const d = keccak256(toHex(`round ${round}`));
        expect(recoverDigest(d, createSigner(key).signDigest(d))).toBe(privateKeyToAccount(key).address);
      }
    }
  });
});
