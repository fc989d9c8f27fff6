/**
 * A tiny terminal: enough of VT100 to replay what readline writes (text, CR,
 * LF, cursor moves, erase below and erase line) and read the screen back as
 * lines, so a test can check what a person would see rather than escape codes.
 */
export class Screen {
  readonly rows: string[][] = [[]];
  row = 0;
  col = 0;

  constructor(readonly columns = 80) {}

  write(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === "\x1b" && text[i + 1] === "[") {
        const m = /^\x1b\[([0-9;]*)([A-Za-z])/.exec(text.slice(i));
        if (!m) throw new Error(`unknown escape at ${JSON.stringify(text.slice(i, i + 8))}`);
        this.#csi(m[1] === "" ? undefined : Number(m[1]!.split(";")[0]), m[2]!);
        i += m[0].length - 1;
      } else if (c === "\r") this.col = 0;
      // The terminal driver turns LF into CR LF (ONLCR, which raw input mode leaves on).
      else if (c === "\n") {
        this.col = 0;
        this.#down();
      }
      else {
        if (this.col >= this.columns) {
          this.col = 0;
          this.#down();
        }
        this.#line()[this.col++] = c;
      }
    }
  }

  /** The screen's lines, trailing spaces and trailing empty lines left out. */
  lines(): string[] {
    const out = this.rows.map((r) => Array.from(r, (c) => c ?? " ").join("").trimEnd());
    while (out.length > 0 && out[out.length - 1] === "") out.pop();
    return out;
  }

  #line(): string[] {
    while (this.rows.length <= this.row) this.rows.push([]);
    return this.rows[this.row]!;
  }

  #down(): void {
    this.row++;
    this.#line();
  }

  #csi(n: number | undefined, op: string): void {
    switch (op) {
      case "A":
        this.row = Math.max(0, this.row - (n ?? 1));
        return;
      case "B":
        this.row += n ?? 1;
        this.#line();
        return;
      case "C":
        this.col += n ?? 1;
        return;
      case "D":
        this.col = Math.max(0, this.col - (n ?? 1));
        return;
      case "G":
        this.col = (n ?? 1) - 1;
        return;
      case "J": // erase below (0, the default): the rest of this line and every line under it
        this.#line().length = Math.min(this.#line().length, this.col);
        this.rows.length = this.row + 1;
        return;
      case "K": // erase in line: 0 to the right, 1 to the left, 2 all
        if ((n ?? 0) === 0) this.#line().length = Math.min(this.#line().length, this.col);
        else if (n === 2) this.rows[this.row] = [];
        else for (let x = 0; x <= this.col; x++) this.#line()[x] = " ";
        return;
      default:
        throw new Error(`unsupported escape ${op}`);
    }
  }
}
