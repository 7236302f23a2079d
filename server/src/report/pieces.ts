/**
 * Reports written in pieces. A JSON or SARIF report grows with the findings (11 MB of text for the generated
 * 5,000-file service), and held whole it costs several times its size at once: the pretty-printed string, kept
 * as UTF-16 when one message has a non-Latin-1 character, the pieces `JSON.stringify` joins, and the UTF-8 copy a
 * write makes. On that service that was 60 MB of the CLI's peak RSS. Written in pieces, a report costs one
 * batch at a time.
 */

/** Nesting depth down to which {@link jsonPieces} walks objects and arrays member by member. */
const STREAMED_DEPTH = 4;

/** Whether `value` is an object, whose `toJSON` JSON.stringify calls. */
const isContainer = (value: unknown): value is object => value !== null && typeof value === 'object';

/** Whether `value` is an array or a plain object: what {@link piecesOf} walks itself; others (a boxed string, a Map) JSON.stringify writes whole. */
const isWalked = (value: unknown): value is object =>
  Array.isArray(value) || (isContainer(value) && [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null));

/** `value` as `JSON.stringify` sees it under `key`: the result of its `toJSON(key)` when it has one (objects and BigInts). */
function jsonValue(key: string, value: unknown): unknown {
  const toJSON = isContainer(value) || typeof value === 'bigint' ? (value as { toJSON?: unknown }).toJSON : undefined;
  return typeof toJSON === 'function' ? (toJSON as (k: string) => unknown).call(value, key) : value;
}

/**
 * `JSON.stringify(v, null, 2)` of a value whose `toJSON` was already applied ({@link jsonValue}): the first call
 * of the replacer, for the top level, hands back `v` itself, so its own `toJSON` is not applied a second time.
 */
function stringifyConverted(v: unknown): string | undefined {
  let top = true;
  return JSON.stringify(
    v,
    (_key, x: unknown) => {
      if (!top) return x;
      top = false;
      return v;
    },
    2,
  );
}

/** Whether `JSON.stringify` leaves a property with this value out of an object (in an array it writes null). */
const isOmitted = (value: unknown) => value === undefined || typeof value === 'function' || typeof value === 'symbol';

/**
 * The text of `JSON.stringify(value, null, 2)` as pieces whose concatenation is exactly that text. Objects and
 * arrays nested less than {@link STREAMED_DEPTH} deep are walked member by member, deeper values are stringified
 * whole, so each piece is about one finding. `value` must be JSON-shaped (plain objects, arrays, strings, numbers,
 * booleans, null, objects with `toJSON`); a top-level value `JSON.stringify` would leave out gives no piece. Throws
 * what `JSON.stringify` throws (a cycle, a BigInt without `toJSON`), possibly after some pieces.
 */
export function jsonPieces(value: unknown): Generator<string> {
  return piecesOf(jsonValue('', value), 0, '');
}

/** {@link jsonPieces} of `v` (after `toJSON`) nested `depth` deep, its lines after the first indented by `indent`. */
function* piecesOf(v: unknown, depth: number, indent: string): Generator<string> {
  if (!isWalked(v) || depth >= STREAMED_DEPTH) {
    const text = stringifyConverted(v);
    if (text !== undefined) yield indent ? text.replace(/\n/g, `\n${indent}`) : text;
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) {
      yield '[]';
      return;
    }
    yield '[';
    for (let i = 0; i < v.length; i++) {
      yield `${i > 0 ? ',' : ''}\n${inner}`;
      const item = jsonValue(String(i), v[i]);
      if (isOmitted(item)) yield 'null';
      else yield* piecesOf(item, depth + 1, inner);
    }
    yield `\n${indent}]`;
    return;
  }
  let first = true;
  for (const k of Object.keys(v)) {
    const item = jsonValue(k, (v as Record<string, unknown>)[k]);
    if (isOmitted(item)) continue;
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(k)}: `;
    first = false;
    yield* piecesOf(item, depth + 1, inner);
  }
  yield first ? '{}' : `\n${indent}}`;
}

/** Size of the batches {@link writePieces} hands to `write`, in characters. */
const BATCH_CHARS = 1 << 16;

/**
 * Joins `pieces` into batches of about {@link BATCH_CHARS} characters (64 Ki) and passes each to `write`, so a
 * large report is written in few system calls without being held whole. Throws what `write` or the pieces throw.
 */
export function writePieces(pieces: Iterable<string>, write: (text: string) => void): void {
  let batch: string[] = [];
  let size = 0;
  for (const piece of pieces) {
    batch.push(piece);
    size += piece.length;
    if (size >= BATCH_CHARS) {
      write(batch.join(''));
      batch = [];
      size = 0;
    }
  }
  if (size > 0) write(batch.join(''));
}
