/**
 * The average of integers, `sum / count`, as the double nearest to the
 * exact quotient (ties to even): what dividing two doubles gives while the
 * sum fits in 53 bits, and still right past that, where converting the sum
 * first would round twice. Every backend returns integer and bigint
 * averages through it, so they agree to the last bit.
 *
 * @example
 * ```ts
 * integerAverage(2n ** 53n + 1n, 1n); // 9007199254740992 (the nearest double)
 * integerAverage(2531715510n, 11n);   // 230155955.45454547
 * ```
 */
export function integerAverage(sum: bigint, count: bigint): number {
  if (count <= 0n) throw new RangeError('integerAverage: count must be positive');
  const negative = sum < 0n;
  const magnitude = negative ? -sum : sum;
  if (magnitude <= 9007199254740991n && count <= 9007199254740991n) {
    const v = Number(magnitude) / Number(count); // two exact operands, one rounding
    return negative ? -v : v;
  }
  // Scale so the quotient holds at least 66 bits, keep a sticky bit for a non-zero remainder (below the 53 bits
  // Number() rounds to), convert once, and scale back by a power of two (exact).
  const shift = Math.max(0, 66 - (magnitude.toString(2).length - count.toString(2).length));
  const scaled = magnitude << BigInt(shift);
  let quotient = scaled / count;
  if (scaled % count !== 0n) quotient |= 1n;
  const v = Number(quotient) / 2 ** shift;
  return negative ? -v : v;
}
