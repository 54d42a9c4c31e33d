import { SingleBar } from "cli-progress";

/** Raised when one of the demo's own invariants does not hold: the demo fails loudly with what broke. */
export class InvariantError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "InvariantError";
    }
}

/** Asserts an invariant of the demo; the message says what was expected and what was found. */
export function check(condition: boolean, message: string): asserts condition {
    if (!condition) {
        throw new InvariantError(message);
    }
}

/** What a step reports for the closing summary. */
export interface StepReport {
    /** One line: the step's outcome in numbers. */
    outcome: string;
    /** What the step proves about the platform. */
    proves: string;
    /** Throughput figures measured by the step (name -> formatted value). */
    figures?: Record<string, string>;
}

export interface StepRecord extends Partial<StepReport> {
    name: string;
    ok: boolean;
    ms: number;
    error?: string;
}

export type Print = (line?: string) => void;

/** Runs the numbered steps, timing each; a failing step is recorded with its reason and stops the run. */
export class StepRunner {
    readonly records: StepRecord[] = [];

    constructor(private readonly print: Print) {}

    async run(name: string, step: () => Promise<StepReport>): Promise<StepReport> {
        this.header(name);
        const started = performance.now();
        let report: StepReport;
        try {
            report = await step();
        } catch (error) {
            throw this.failed(name, performance.now() - started, error);
        }
        return this.passed(name, performance.now() - started, report);
    }

    /**
     * Starts a step now, alongside the steps run after it (for one that mostly waits, such as a paced sweep).
     * Its lines are held back; `finish()` waits for it, then prints them under its number, so the output reads
     * in order. The time recorded is the step's own, from its start.
     */
    background(name: string, step: (print: Print) => Promise<StepReport>): { finish(): Promise<StepReport> } {
        const lines: (string | undefined)[] = [];
        const started = performance.now();
        const outcome = step((line) => lines.push(line)).then(
            (report) => ({ ok: true as const, report, ms: performance.now() - started }),
            (error: unknown) => ({ ok: false as const, error, ms: performance.now() - started }),
        );
        return {
            finish: async () => {
                const result = await outcome;
                this.header(`${name} (ran alongside the steps before it)`);
                for (const line of lines) this.print(line);
                if (!result.ok) throw this.failed(name, result.ms, result.error);
                return this.passed(name, result.ms, result.report);
            },
        };
    }

    private header(name: string): void {
        this.print();
        this.print(`[${this.records.length + 1}] ${name}`);
    }

    private passed(name: string, ms: number, report: StepReport): StepReport {
        this.records.push({ name, ok: true, ms, ...report });
        this.print(`    ok (${seconds(ms)}): ${report.outcome}`);
        return report;
    }

    private failed(name: string, ms: number, error: unknown): StepFailure {
        const reason = error instanceof Error ? error.message : String(error);
        this.records.push({ name, ok: false, ms, error: reason });
        this.print(`    FAILED (${seconds(ms)}): ${reason}`);
        return new StepFailure(name, error);
    }
}

/** A step failed: carries the step's name so the command's last line says which one and why. */
export class StepFailure extends Error {
    constructor(
        readonly step: string,
        readonly cause: unknown,
    ) {
        super(`step "${step}" failed: ${cause instanceof Error ? cause.message : String(cause)}`);
        this.name = "StepFailure";
    }
}

export function seconds(ms: number): string {
    return `${(ms / 1000).toFixed(1)}s`;
}

/** Thousands separators for counts. */
export function n(value: number): string {
    return value.toLocaleString("en-US");
}

/** A rate as "12,345/s". */
export function rate(count: number, ms: number): string {
    return `${n(Math.round((count * 1000) / Math.max(ms, 1)))}/s`;
}

/** A plain text table with right-aligned numbers. */
export function table(header: string[], rows: (string | number)[][], indent = "    "): string {
    const cells = [header, ...rows.map((row) => row.map((cell) => (typeof cell === "number" ? n(cell) : cell)))];
    const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? "").length)));
    const numeric = header.map((_, column) => rows.length > 0 && rows.every((row) => typeof row[column] === "number"));
    return cells
        .map((row) => indent + row.map((cell, column) => (numeric[column] ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join("  ").trimEnd())
        .join("\n");
}

/** Progress of a long step: a bar on a terminal, a line per quarter otherwise (logs in CI stay short). */
export interface Progress {
    tick(by?: number): void;
    done(): void;
}

export function progress(label: string, total: number, print: Print): Progress {
    if (process.stdout.isTTY && total > 0) {
        const bar = new SingleBar({ format: `    ${label} [{bar}] {value}/{total} {percentage}%`, barsize: 30, hideCursor: true, clearOnComplete: true });
        bar.start(total, 0);
        return {
            tick: (by = 1) => bar.increment(by),
            done: () => bar.stop(),
        };
    }
    let value = 0;
    let reported = 0;
    return {
        tick: (by = 1) => {
            value += by;
            const quarter = Math.floor((value / total) * 4);
            if (quarter > reported && quarter < 4) {
                reported = quarter;
                print(`    ${label}: ${n(value)}/${n(total)}`);
            }
        },
        done: () => undefined,
    };
}

/** Runs `work` over `items` with at most `limit` in flight, in order of start. */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
        while (next < items.length) {
            const index = next++;
            await work(items[index], index);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
