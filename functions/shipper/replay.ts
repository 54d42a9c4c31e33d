import type { ShipperFunctionConfig } from "./config";
import type { DeadLetter } from "./deadLetter";

export interface ReshipResult {
    id: string;
    outcome: "shipped" | "already-present" | "dead-letter-again" | "failed";
    error?: string;
}

export async function reshipDeadLetters(config: ShipperFunctionConfig, letters: DeadLetter[]): Promise<ReshipResult[]> {
    void config;
    void letters;
    throw new Error("reshipDeadLetters: not implemented yet");
}
