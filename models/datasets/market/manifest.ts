/**
 * The score-market manifest: a JSON object mapping roles to files (relative paths are read from
 * the manifest's folder). Validated with zod; every error names the role and the file.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { BaseError } from "../../../core/errors.ts";
import { ManifestError } from "../../errors.ts";
import { type MarketFiles, type MarketInputs, ROLES, readRole } from "./roles.ts";

const file = z.string().min(1, "must be a file path");
export const ManifestSchema = z.strictObject({
  $comment: z.string().optional(),
  ethPrice: file,
  btcPrice: file.optional(),
  ethFunding: file.optional(),
  btcFunding: file.optional(),
  aaveWeth: file.optional(),
  aaveUsdc: file.optional(),
  stethPrice: file.optional(),
  usdcPrice: file.optional(),
  daiPrice: file.optional(),
  usdtPrice: file.optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;

export function parseManifest({ json, manifest }: { json: unknown; manifest: string }): Manifest {
  const r = ManifestSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const role =
      issue.code === "unrecognized_keys"
        ? issue.keys.join(", ")
        : issue.path.length
          ? String(issue.path[0])
          : undefined;
    const problem =
      issue.code === "unrecognized_keys"
        ? `is not a role (roles: ${ROLES.join(", ")})`
        : role === "ethPrice" && issue.code === "invalid_type"
          ? "is required"
          : z.prettifyError(r.error);
    throw new ManifestError({ manifest, ...(role ? { role } : {}), problem });
  }
  return r.data;
}

export type LoadManifestReturnType = { manifest: Manifest; files: MarketFiles; inputs: MarketInputs };

/** Reads, validates and loads every role's file; a missing or bad file names its role. */
export function loadManifest(path: string): LoadManifestReturnType {
  if (!existsSync(path) || !statSync(path).isFile())
    throw new ManifestError({ manifest: path, problem: "does not exist" });
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new ManifestError({ manifest: path, problem: "is not valid JSON", cause });
  }
  const manifest = parseManifest({ json, manifest: path });
  const base = dirname(resolve(path));
  const files: Record<string, string> = {};
  const inputs: Record<string, unknown> = {};
  for (const role of ROLES) {
    const f = manifest[role];
    if (f === undefined) continue;
    const abs = isAbsolute(f) ? f : resolve(base, f);
    if (!existsSync(abs))
      throw new ManifestError({ manifest: path, role, problem: `names ${abs}, which does not exist` });
    files[role] = abs;
    try {
      inputs[role] = readRole(role, abs);
    } catch (cause) {
      if (cause instanceof BaseError)
        throw new ManifestError({ manifest: path, role, problem: cause.shortMessage, cause });
      throw cause;
    }
  }
  return { manifest, files: files as MarketFiles, inputs: inputs as MarketInputs };
}
