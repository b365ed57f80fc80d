/**
 * Go's float formatting (strconv / fmt), so alert text reads exactly as Prometheus writes it:
 * `%v` of a float64 (`0.6666666666666666`, `1.234567e+06`), `%.4g` (what `humanize` uses), `%f`
 * and `%e`. Rounding to a precision is done on the exact binary value with ties to even, as Go
 * does; the shortest form takes JavaScript's shortest round-trip digits, which Go's shortest
 * form matches.
 */

/** Decimal digits (no leading or trailing zeros) and the decimal point position: 0.d1d2… × 10^dp. */
interface Digits {
  d: string;
  dp: number;
}

/** The exact decimal expansion of a finite, non-zero |v|. */
function exactDigits(v: number): Digits {
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, Math.abs(v));
  const bits = buf.getBigUint64(0);
  const exp = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & ((1n << 52n) - 1n);
  const mant = exp === 0 ? frac : frac | (1n << 52n);
  const e2 = (exp === 0 ? 1 : exp) - 1075;
  let s: string;
  let dp: number;
  if (e2 >= 0) {
    s = (mant << BigInt(e2)).toString();
    dp = s.length;
  } else {
    s = (mant * 5n ** BigInt(-e2)).toString();
    dp = s.length + e2;
  }
  const lead = s.length - s.replace(/^0+/, "").length;
  return trim({ d: s.slice(lead), dp: dp - lead });
}

function trim(x: Digits): Digits {
  let end = x.d.length;
  while (end > 0 && x.d[end - 1] === "0") end--;
  return end === 0 ? { d: "", dp: 0 } : { d: x.d.slice(0, end), dp: x.dp };
}

/** Rounds to `nd` digits, ties to even (Go's decimal.Round on an exact value). */
function round(x: Digits, nd: number): Digits {
  if (nd < 0) return { d: "", dp: 0 };
  if (x.d.length <= nd) return x;
  const next = x.d.charCodeAt(nd) - 48;
  const exactHalf = next === 5 && nd + 1 === x.d.length;
  const up = next > 5 || (next === 5 && !exactHalf) || (exactHalf && nd > 0 && (x.d.charCodeAt(nd - 1) - 48) % 2 === 1);
  let d = x.d.slice(0, nd);
  let dp = x.dp;
  if (up) {
    let i = d.length - 1;
    while (i >= 0 && d[i] === "9") i--;
    if (i < 0) {
      d = "1";
      dp++;
    } else d = d.slice(0, i) + String.fromCharCode(d.charCodeAt(i) + 1);
  }
  return trim({ d, dp });
}

/** Shortest round-trip digits of a finite, non-zero |v|. */
function shortestDigits(v: number): Digits {
  const [m, e] = Math.abs(v).toExponential().split("e");
  return trim({ d: m.replace(".", ""), dp: Number(e) + 1 });
}

const special = (v: number): string | undefined => (Number.isNaN(v) ? "NaN" : v === Infinity ? "+Inf" : v === -Infinity ? "-Inf" : undefined);

const sign = (v: number): string => (v < 0 || Object.is(v, -0) ? "-" : "");

function fmtE(neg: string, x: Digits, decimals: number, upper = false): string {
  const d = x.d === "" ? "0" : x.d;
  let out = neg + d[0];
  if (decimals > 0) out += `.${d.slice(1, 1 + decimals).padEnd(decimals, "0")}`;
  const e = x.d === "" ? 0 : x.dp - 1;
  return `${out}${upper ? "E" : "e"}${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
}

function fmtF(neg: string, x: Digits, decimals: number): string {
  let int: string;
  if (x.dp > 0) int = x.d.slice(0, x.dp).padEnd(x.dp, "0");
  else int = "0";
  let out = neg + int;
  if (decimals > 0) {
    let frac = "";
    for (let i = 0; i < decimals; i++) {
      const j = x.dp + i;
      frac += j >= 0 && j < x.d.length ? x.d[j] : "0";
    }
    out += `.${frac}`;
  }
  return out;
}

/** strconv.FormatFloat(v, 'g', prec, 64); prec -1 is the shortest form (Go's `%v`). */
export function formatG(v: number, prec = -1): string {
  const s = special(v);
  if (s !== undefined) return s;
  const neg = sign(v);
  const shortest = prec < 0;
  let x: Digits;
  if (v === 0) x = { d: "", dp: 0 };
  else x = shortest ? shortestDigits(v) : round(exactDigits(v), prec === 0 ? 1 : prec);
  if (prec === 0) prec = 1;
  const nd = x.d.length;
  let eprec = shortest ? 6 : prec;
  if (!shortest && eprec > nd && nd >= x.dp) eprec = nd;
  if (shortest) prec = nd === 0 ? 1 : nd;
  const exp = x.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > nd) prec = Math.max(nd, 1);
    return fmtE(neg, x, prec - 1);
  }
  if (prec > x.dp) prec = nd;
  return fmtF(neg, x, Math.max(prec - x.dp, 0));
}

/** Go's `%v` of a float64: how Prometheus prints `{{ $value }}`. */
export const formatFloat = (v: number): string => formatG(v, -1);

/** strconv.FormatFloat(v, 'f', decimals, 64) (`%.Nf`). */
export function formatFixed(v: number, decimals: number): string {
  const s = special(v);
  if (s !== undefined) return s;
  const x = v === 0 ? { d: "", dp: 0 } : exactDigits(v);
  return fmtF(sign(v), round(x, x.dp + decimals), decimals);
}

/** strconv.FormatFloat(v, 'e', decimals, 64) (`%.Ne`). */
export function formatExp(v: number, decimals: number, upper = false): string {
  const s = special(v);
  if (s !== undefined) return s;
  const x = v === 0 ? { d: "", dp: 0 } : round(exactDigits(v), decimals + 1);
  return fmtE(sign(v), x, decimals, upper);
}
