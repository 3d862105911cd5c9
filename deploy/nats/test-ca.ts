/**
 * A throwaway certificate authority for TLS on a local NATS server: a CA key and certificate, and a
 * server (and client) certificate it signs, valid for 127.0.0.1 and localhost. Made with Debian's
 * openssl, never committed; for tests and a developer's machine, not for production (use your
 * organisation's CA there).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type TestCa = {
  dir: string;
  caFile: string;
  caKeyFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
};

function openssl(args: string[], cwd: string): void {
  const r = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (r.error || r.status !== 0) {
    throw new Error(
      `openssl ${args[0]} failed: ${r.error?.message ?? r.stderr}\nInstall it (Debian/Ubuntu: apt-get install openssl).`,
    );
  }
}

/** Writes a CA and a server and client certificate signed by it into `dir`. */
export function generateTestCa(dir: string, params: { days?: number } = {}): TestCa {
  mkdirSync(dir, { recursive: true });
  const days = String(params.days ?? 2);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(
    [
      "req",
      "-x509",
      ...ec,
      "-keyout",
      "ca-key.pem",
      "-out",
      "ca.pem",
      "-days",
      days,
      "-subj",
      "/CN=liquidity-negotiation test CA",
    ],
    dir,
  );
  writeFileSync(
    join(dir, "server.ext"),
    "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature,keyEncipherment\n",
  );
  writeFileSync(
    join(dir, "client.ext"),
    "extendedKeyUsage=clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n",
  );
  for (const who of ["server", "client"]) {
    openssl(
      [
        "req",
        ...ec,
        "-keyout",
        `${who}-key.pem`,
        "-out",
        `${who}.csr`,
        "-subj",
        `/CN=${who === "server" ? "localhost" : "agent"}`,
      ],
      dir,
    );
    openssl(
      [
        "x509",
        "-req",
        "-in",
        `${who}.csr`,
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca-key.pem",
        "-CAcreateserial",
        "-out",
        `${who}.pem`,
        "-days",
        days,
        "-extfile",
        `${who}.ext`,
      ],
      dir,
    );
  }
  return {
    dir,
    caFile: join(dir, "ca.pem"),
    caKeyFile: join(dir, "ca-key.pem"),
    serverCertFile: join(dir, "server.pem"),
    serverKeyFile: join(dir, "server-key.pem"),
    clientCertFile: join(dir, "client.pem"),
    clientKeyFile: join(dir, "client-key.pem"),
  };
}
