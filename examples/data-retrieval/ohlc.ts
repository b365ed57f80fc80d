/**
 * Aggregates minute bars into one daily OHLC row: open, high, low, close and volume.
 */
export interface OhlcRow {
  symbol: string;
  day: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** Parses `time,price,volume` CSV text and folds it into one OHLC row. */
export function toOhlc(symbol: string, day: string, csv: string): OhlcRow {
  let open = NaN;
  let high = -Infinity;
  let low = Infinity;
  let close = NaN;
  let volume = 0;
  const lines = csv.split("\n");
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line === "") continue;
    const [, p, v] = line.split(",");
    const price = Number(p);
    if (Number.isNaN(open)) open = price;
    if (price > high) high = price;
    if (price < low) low = price;
    close = price;
    volume += Number(v);
  }
  return { symbol, day, open, high, low, close, volume };
}
