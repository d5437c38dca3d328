// The book's shape assertions (d2l.check_shape, d2l.check_len), with the book's messages.

export function checkShape(a: { shape: readonly number[] }, shape: readonly number[]): void {
  const same = a.shape.length === shape.length && a.shape.every((d, i) => d === shape[i]);
  if (!same) throw new Error(`tensor's shape (${a.shape.join(', ')}) != expected shape (${shape.join(', ')})`);
}

export function checkLen(a: { length: number }, n: number): void {
  if (a.length !== n) throw new Error(`list's length ${a.length} != expected length ${n}`);
}
