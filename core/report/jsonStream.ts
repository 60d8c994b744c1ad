/**
 * `JSON.stringify(value, null, 2)`, byte for byte, but produced in pieces: a result with millions of equity points
 * would otherwise be one string past V8's limit (~512 MB: "Invalid string length"), and holding it whole doubles
 * the memory a large backtest needs. Arrays longer than `SPLIT` are written element by element; everything
 * smaller is stringified whole (fast) and indented to its depth.
 */
const SPLIT = 256;
/** Pieces are gathered to about this many characters before each write. */
const CHUNK = 1 << 20;

/**
 * An array produced element by element as it is written (e.g. a million equity points made from columns): never
 * held whole. Written exactly as JSON.stringify writes the array of its elements.
 */
export class LazyJsonArray<T> {
  /**
   * `render(i, indent)`, when given, writes element i's pretty JSON directly (its lines indented by `indent`):
   * it must equal what JSON.stringify(at(i), null, 2) indented gives, and saves building each element.
   */
  constructor(readonly length: number, readonly at: (index: number) => T, readonly render?: (index: number, indent: string) => string) {}
  toJSON(): T[] {
    return Array.from({ length: this.length }, (_, i) => this.at(i));
  }
}

export function writeJsonPretty(value: unknown, write: (text: string) => void): void {
  let buffer = '';
  const emit = (text: string) => {
    buffer += text;
    if (buffer.length >= CHUNK) {
      write(buffer);
      buffer = '';
    }
  };
  writeValue(value, '', emit);
  if (buffer) write(buffer);
}

function writeValue(value: unknown, indent: string, emit: (text: string) => void): void {
  if (value instanceof LazyJsonArray && value.length > 0) {
    const { render } = value;
    if (render) {
      const inner = `${indent}  `;
      emit('[');
      for (let i = 0; i < value.length; i++) emit(`${i === 0 ? '\n' : ',\n'}${inner}${render(i, inner)}`);
      emit(`\n${indent}]`);
    } else writeItems(value.length, (i) => value.at(i), indent, emit);
    return;
  }
  const v = toJsonValue(value);
  if (Array.isArray(v) && needsSplit(v)) {
    writeItems(v.length, (i) => v[i], indent, emit);
    return;
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && needsSplit(v)) {
    const inner = `${indent}  `;
    let first = true;
    emit('{');
    for (const [key, raw] of Object.entries(v)) {
      const item = toJsonValue(raw);
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue; // omitted, as JSON.stringify does
      emit(`${first ? '' : ','}\n${inner}${JSON.stringify(key)}: `);
      first = false;
      writeValue(item, inner, emit);
    }
    emit(first ? '}' : `\n${indent}}`);
    return;
  }
  const text = JSON.stringify(v, null, 2);
  emit(indent ? text.replaceAll('\n', `\n${indent}`) : text);
}

function writeItems(length: number, at: (i: number) => unknown, indent: string, emit: (text: string) => void): void {
  const inner = `${indent}  `;
  emit('[');
  for (let i = 0; i < length; i++) {
    emit(i === 0 ? `\n${inner}` : `,\n${inner}`);
    const item = toJsonValue(at(i));
    // Inside arrays, what JSON.stringify cannot represent is written as null.
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') emit('null');
    else writeValue(item, inner, emit);
  }
  emit(`\n${indent}]`);
}

function toJsonValue(value: unknown): unknown {
  if (value instanceof LazyJsonArray && value.length > 0) return value; // written item by item, never materialised
  return value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function' ? (value as { toJSON(): unknown }).toJSON() : value;
}

/** Whether a value holds, at any depth, an array long enough to be written in pieces. */
function needsSplit(value: object, depth = 0): boolean {
  if (value instanceof LazyJsonArray) return value.length > 0;
  if (Array.isArray(value) && value.length > SPLIT) return true;
  if (depth > 4) return false;
  for (const item of Object.values(value)) if (item !== null && typeof item === 'object' && needsSplit(item, depth + 1)) return true;
  return false;
}
