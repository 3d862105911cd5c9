/**
 * Code generation for the per-message paths that are derived from a field list (the Agreement's
 * one definition, the wire Terms): straight-line code with named property loads and object
 * literals with static keys, which V8 runs several times faster than a loop over computed keys
 * (a keyed store that adds a property takes its slow path). Used by the agreement hash and builder
 * (agreement.ts) and the fast wire checks (negotiation/wire/fast-bodies.ts). Every name comes from
 * our own definitions, never from input, and must be a plain identifier.
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Throws unless `name` can be written as `object.name` in generated code. */
export function assertPlainName(name: string): string {
  // `__proto__` is an identifier, but in an object literal it sets the prototype.
  if (!IDENTIFIER.test(name) || name === "__proto__") throw new TypeError(`not a plain field name: ${name}`);
  return name;
}

export type LiteralField = {
  name: string;
  /** The expression of its value. */
  value: string;
  /** For an optional field: the expression that says it is present (else it is left out). */
  present?: string;
};

/** `return {...}` of the fields in order, optional ones only when present: one literal per
 *  combination of present optional fields (so the keys are always in field order, absent ones
 *  omitted), chosen by nested ifs. At most 4 optional fields (16 literals). */
export function returnLiteral(fields: readonly LiteralField[]): string {
  for (const f of fields) assertPlainName(f.name);
  const optional = fields.flatMap((f, i) => (f.present === undefined ? [] : [i]));
  if (optional.length > 4) throw new TypeError("more than 4 optional fields");
  const literal = (present: ReadonlySet<number>) =>
    `{ ${fields.flatMap((f, i) => (f.present === undefined || present.has(i) ? [`${f.name}: ${f.value}`] : [])).join(", ")} }`;
  const branch = (k: number, present: ReadonlySet<number>): string => {
    if (k === optional.length) return `return ${literal(present)};`;
    const i = optional[k]!;
    return `if (${fields[i]!.present}) { ${branch(k + 1, new Set([...present, i]))} } else { ${branch(k + 1, present)} }`;
  };
  return branch(0, new Set());
}

/** A function compiled from `body`, with `bindings` in scope (by name). */
export function compileFunction<F>(
  name: string,
  params: readonly string[],
  body: string,
  bindings: Record<string, unknown> = {},
): F {
  assertPlainName(name);
  for (const p of [...params, ...Object.keys(bindings)]) assertPlainName(p);
  const outer = new Function(
    ...Object.keys(bindings),
    `return function ${name}(${params.join(", ")}) {\n${body}\n};`,
  );
  return outer(...Object.values(bindings)) as F;
}
