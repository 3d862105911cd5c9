import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hex } from "viem";
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { type Agreement, hashAgreement, signAgreement } from "../core/agreement.ts";
import { toJson } from "../core/schema.ts";
import {
  type ArbiterFixture,
  balanceOf,
  type Party,
  sampleAgreement,
  settleSample,
  useAnvil,
} from "../test/harness/anvil.ts";
import { freePort } from "./anvil.ts";
import { runCli } from "./cli.ts";
import { getLoan } from "./get-loan.ts";
import { getTokenConfig } from "./get-token-config.ts";

const chain = await useAnvil();
let fx: ArbiterFixture;
let snap: Hex;
const dir = mkdtempSync(join(tmpdir(), "arbiter-cli-"));

beforeAll(async () => {
  fx = await chain.deployFixture();
});
beforeEach(async () => {
  snap = await chain.snapshot();
});
afterEach(async () => {
  await chain.revert(snap);
});

/** Runs the CLI as `who` (its key in $ARBITER_PRIVATE_KEY) against the fixture's arbiter. */
async function cli(args: string[], who?: Party, extraEnv: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const env = {
    ARBITER_RPC_URL: chain.rpcUrl,
    ARBITER_ADDRESS: fx.arbiter,
    ...(who ? { ARBITER_PRIVATE_KEY: who.privateKey } : {}),
    ...extraEnv,
  };
  const code = await runCli(args, { stdout: (l) => out.push(l), stderr: (l) => err.push(l), env });
  const stdout = out.join("\n");
  const stderr = err.join("\n");
  for (const p of [fx.deployer, fx.lender, fx.borrower, fx.stranger, ...fx.arbiters]) {
    expect(stdout + stderr).not.toContain(p.privateKey.slice(2));
  }
  return { code, stdout, stderr, json: () => JSON.parse(stdout) };
}

function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === "string" ? content : toJson(content));
  return path;
}

async function signedFile(a: Agreement, name = "signed.json") {
  return file(name, {
    agreement: a,
    lenderSignature: signAgreement(fx.domain, a, fx.lender.signer),
    borrowerSignature: signAgreement(fx.domain, a, fx.borrower.signer),
  });
}

describe("arbiter CLI", () => {
  test("--help, no command, unknown command, unknown flag", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: npm run arbiter -- <command>/);
    expect((await cli([])).code).toBe(2);
    const unknown = await cli(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown command: frobnicate/);
    const flag = await cli(["status", "--colour"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/--colour/);
  });

  test("settle from a signed JSON file, status by id, repay, status by agreement file", async () => {
    const a = sampleAgreement(fx, await chain.now());
    const path = await signedFile(a);
    const settled = await cli(["settle", "--file", path], fx.borrower);
    expect(settled.stderr).toBe("");
    expect(settled.code).toBe(0);
    const id = hashAgreement(fx.domain, a);
    expect(settled.json()).toMatchObject({ id });

    const byId = await cli(["status", "--id", id]);
    expect(byId.code).toBe(0);
    expect(byId.json()).toMatchObject({
      loan: {
        id,
        status: "Active",
        outstanding: expect.any(String),
        agreement: { nonce: a.nonce.toString() },
      },
      dispute: null,
      riskLevel: 0,
    });

    const repaid = await cli(["repay", "--agreement", path], fx.borrower);
    expect(repaid.code).toBe(0);
    const status = await cli(["status", "--agreement", path]);
    expect(status.json().loan).toMatchObject({ status: "Repaid", outstanding: "0", escrowed: "0" });
  });

  test("partial repay, then claim-default refused during grace with a clear message", async () => {
    const { agreement } = await settleSample(chain, fx);
    const path = file("agreement.json", agreement);
    const partial = await cli(["repay", "--agreement", path, "--amount", "1000000"], fx.borrower);
    expect(partial.stderr).toBe("");
    expect(partial.code).toBe(0);
    const claim = await cli(["claim-default", "--agreement", path], fx.lender);
    expect(claim.code).toBe(1);
    expect(claim.stderr).toMatch(/ArbiterGracePeriodActiveError: .*can be claimed after/);
    expect(claim.stderr).toMatch(/Retry once the chain time/);
  });

  test("dispute, two arbiters sign, rule", async () => {
    const { agreement, id } = await settleSample(chain, fx);
    const path = file("agreement.json", agreement);
    const early = await cli(
      ["dispute", "--agreement", path, "--evidence", `0x${"11".repeat(32)}`],
      fx.lender,
    );
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/ArbiterNotDueError: The loan is not due until/);
    await chain.increaseTime(BigInt(agreement.tenor) + 1n);
    const transcript = file("transcript.json", { messages: ["rfq", "offer", "accept"] });
    const opened = await cli(["dispute", "--agreement", path, "--evidence-file", transcript], fx.lender);
    expect(opened.code).toBe(0);
    expect(opened.json().evidenceHash).toMatch(/^0x[0-9a-f]{64}$/);

    const sigs = [];
    for (const arbiter of fx.arbiters.slice(0, 2)) {
      const signed = await cli(
        ["sign-ruling", "--agreement", path, "--winner", "lender", "--close"],
        arbiter,
      );
      expect(signed.code).toBe(0);
      sigs.push(signed.json());
    }
    const sigFile = file("sigs.json", sigs);
    const ruled = await cli(
      ["rule", "--agreement", path, "--winner", "lender", "--close", "--signatures", sigFile],
      fx.stranger,
    );
    expect(ruled.stderr).toBe("");
    expect(ruled.code).toBe(0);
    expect((await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id })).status).toBe("Ruled");
  });

  test("deploy (listing a token), register, set-arbiters", async () => {
    const deployed = await cli(
      ["deploy", "--bond-bps", "50", "--token", `${fx.usdc}=100000000`, "--alert-quorum", "1"],
      fx.deployer,
    );
    expect(deployed.stderr).toBe("");
    expect(deployed.code).toBe(0);
    const arbiter = deployed.json().arbiter as string;
    expect(deployed.json().tokens).toMatchObject([{ token: fx.usdc, minBond: "100000000" }]);
    const status = await getTokenConfig({
      clients: fx.deployer.clients,
      arbiter: arbiter as Hex,
      token: fx.usdc,
    });
    expect(status).toMatchObject({ allowed: true, minBond: 100_000_000n });
    const reg = await cli(
      ["register", "--arbiter", arbiter, "--agent", fx.stranger.address, "--protocol", "vault-C"],
      fx.deployer,
    );
    expect(reg.code).toBe(0);
    const set = await cli(
      [
        "set-arbiters",
        "--arbiter",
        arbiter,
        "--arbiters",
        fx.arbiters.map((p) => p.address).join(","),
        "--threshold",
        "2",
      ],
      fx.deployer,
    );
    expect(set.code).toBe(0);
    const notGov = await cli(
      ["register", "--arbiter", arbiter, "--agent", fx.stranger.address, "--protocol", "x"],
      fx.stranger,
    );
    expect(notGov.code).toBe(1);
    expect(notGov.stderr).toMatch(/is not the arbiter's governance/);
  });

  test("build and sign an agreement, each party with its own key, then settle and repay it", async () => {
    const out = join(dir, "built.json");
    const built = await cli([
      "agreement",
      "--lender",
      fx.lender.address,
      "--borrower",
      fx.borrower.address,
      "--principal-token",
      fx.usdc,
      "--principal",
      "250000000000",
      "--collateral-token",
      fx.weth,
      "--collateral",
      "100000000000000000000",
      "--rate-bps",
      "700",
      "--tenor",
      "604800",
      "--lender-nonce",
      "41",
      "--borrower-nonce",
      "42",
      "--out",
      out,
    ]);
    expect(built.stderr).toBe("");
    expect(built.code).toBe(0);
    expect(built.json()).toMatchObject({
      agreement: { principal: "250000000000", nonce: ((41n << 128n) | 42n).toString(), callRiskLevel: 0 },
      amountDue: expect.any(String),
    });
    // A stranger's key is neither party: refused.
    const stranger = await cli(["sign-agreement", "--agreement", out], fx.stranger);
    expect(stranger.code).toBe(2);
    expect(stranger.stderr).toMatch(/is neither the agreement's lender nor its borrower/);
    const byLender = await cli(["sign-agreement", "--agreement", out, "--out", out], fx.lender);
    expect(byLender.code).toBe(0);
    expect(byLender.json()).toMatchObject({
      signedAs: "lender",
      lenderSignature: expect.stringMatching(/^0x/),
    });
    expect(byLender.json().borrowerSignature).toBeUndefined();
    const byBorrower = await cli(["sign-agreement", "--agreement", out, "--out", out], fx.borrower);
    expect(byBorrower.json()).toMatchObject({
      signedAs: "borrower",
      lenderSignature: byLender.json().lenderSignature,
    });
    const settled = await cli(["settle", "--file", out], fx.borrower);
    expect(settled.stderr).toBe("");
    expect(settled.json().id).toBe(byBorrower.json().id);
    const status = await cli(["status", "--agreement", out]);
    expect(status.json()).toMatchObject({
      loan: { status: "Active" },
      nonces: { lender: "41", borrower: "42" },
      disputeTerms: { bond: "2500000000", liveness: "86400", arbitrationWindow: "259200" },
    });
    expect((await cli(["repay", "--agreement", out], fx.borrower)).code).toBe(0);
    // The nonces are used: another agreement with the lender's 41 cannot settle.
    const credit = await cli(["credit", "--token", fx.usdc], fx.lender);
    expect(credit.json()).toMatchObject({ credit: "0" });
  });

  test("deploy-token deploys a mintable test token", async () => {
    const r = await cli(
      [
        "deploy-token",
        "--name",
        "Test Dollar",
        "--symbol",
        "TUSD",
        "--decimals",
        "6",
        "--mint-to",
        fx.stranger.address,
        "--amount",
        "5000000",
      ],
      fx.deployer,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const token = r.json().token as Hex;
    expect(await balanceOf(fx, token, fx.stranger.address)).toBe(5_000_000n);
    expect(r.json()).toMatchObject({ decimals: 6, mint: { hash: expect.stringMatching(/^0x/) } });
  });

  test("a token without code is refused before anything is sent", async () => {
    const noCode = "0x000000000000000000000000000000000000dEaD";
    const deploy = await cli(["deploy", "--token", `${noCode}=100`], fx.deployer);
    expect(deploy.code).toBe(2);
    expect(deploy.stderr).toMatch(
      /0x000000000000000000000000000000000000dEaD has no code on this chain: it is not a token/,
    );
    const allow = await cli(["allow-token", "--token", noCode, "--min-bond", "100"], fx.deployer);
    expect(allow.code).toBe(2);
    expect(allow.stderr).toMatch(/has no code/);
    const badBond = await cli(["allow-token", "--token", fx.usdc, "--min-bond", "123456789"], fx.deployer);
    expect(badBond.code).toBe(2);
    expect(badBond.stderr).toMatch(/cannot be stored exactly/);
  });

  test("an address that is not an arbiter is explained", async () => {
    const path = file("agreement.json", sampleAgreement(fx, await chain.now()));
    const token = await cli(["status", "--agreement", path, "--arbiter", fx.usdc]);
    expect(token.code).toBe(2);
    expect(token.stderr).toMatch(
      new RegExp(
        `${fx.usdc} is not an arbiter: the contract at that address on ${chain.rpcUrl} is not a LiquidityArbiter`,
      ),
    );
    const eoa = await cli(["repay", "--agreement", path, "--arbiter", fx.stranger.address], fx.borrower);
    expect(eoa.code).toBe(2);
    expect(eoa.stderr).toMatch(/is not an arbiter: there is no contract at that address/);
  });

  test("an unreachable RPC is named, in one short message", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const deploy = await cli(["deploy", "--rpc", url], fx.deployer);
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toMatch(new RegExp(`^Cannot reach the JSON-RPC endpoint ${url}: `));
    expect(deploy.stderr).not.toMatch(/Request body|0x6080/);
    expect(deploy.stderr.length).toBeLessThan(400);
    const status = await cli(["status", "--id", `0x${"11".repeat(32)}`, "--rpc", url]);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/Cannot reach the JSON-RPC endpoint/);
  });

  describe("bad input: exit 2 and a message naming the problem", () => {
    test("files", async () => {
      const missing = await cli(["settle", "--file", join(dir, "nope.json")], fx.borrower);
      expect(missing).toMatchObject({ code: 2 });
      expect(missing.stderr).toMatch(/Cannot read the signed agreement file .*nope.json: no such file/);

      const notJson = await cli(["settle", "--file", file("bad.json", "{ not json")], fx.borrower);
      expect(notJson.code).toBe(2);
      expect(notJson.stderr).toMatch(/is not valid JSON/);

      const a = sampleAgreement(fx, await chain.now());
      const badField = await cli(
        ["repay", "--agreement", file("field.json", { ...JSON.parse(toJson(a)), principal: "-5" })],
        fx.borrower,
      );
      expect(badField.code).toBe(2);
      expect(badField.stderr).toMatch(/principal/);

      const badSig = await cli(
        [
          "settle",
          "--file",
          file("sig.json", { agreement: a, lenderSignature: "0x12", borrowerSignature: "nope" }),
        ],
        fx.borrower,
      );
      expect(badSig.code).toBe(2);
      expect(badSig.stderr).toMatch(/borrowerSignature/);
    });

    test("flags and environment", async () => {
      const path = file("agreement.json", sampleAgreement(fx, await chain.now()));
      const noKey = await cli(["repay", "--agreement", path]);
      expect(noKey.code).toBe(2);
      expect(noKey.stderr).toMatch(/ARBITER_PRIVATE_KEY is not set/);

      const badKey = await cli(["repay", "--agreement", path], undefined, { ARBITER_PRIVATE_KEY: "hunter2" });
      expect(badKey.code).toBe(2);
      expect(badKey.stderr).not.toContain("hunter2");

      const amount = await cli(["repay", "--agreement", path, "--amount", "1.5"], fx.borrower);
      expect(amount.code).toBe(2);
      expect(amount.stderr).toMatch(/--amount 1.5 is not a non-negative integer/);

      const addr = await cli(["status", "--agreement", path, "--arbiter", "0x1234"]);
      expect(addr.code).toBe(2);
      expect(addr.stderr).toMatch(/--arbiter 0x1234 is not an address/);

      const packed = await cli(["invalidate-nonce", "--nonce", ((1n << 128n) | 1n).toString()], fx.lender);
      expect(packed.code).toBe(2);
      expect(packed.stderr).toMatch(/Pass your own half/);

      const winner = await cli(
        ["rule", "--agreement", path, "--winner", "both", "--signatures", path],
        fx.stranger,
      );
      expect(winner.code).toBe(2);
      expect(winner.stderr).toMatch(/--winner both/);
    });

    test("a contract refusal is exit 1 with the typed error", async () => {
      const a = sampleAgreement(fx, await chain.now());
      const path = await signedFile(a);
      expect((await cli(["settle", "--file", path], fx.borrower)).code).toBe(0);
      const again = await cli(["settle", "--file", path], fx.borrower);
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/ArbiterAlreadySettledError: Agreement 0x[0-9a-f]{64} is already settled/);
    });
  });
});
