import * as fs from "fs";
import * as path from "path";

import { cloudWatchEvent, cwId, kinesisEvent, sqsEvent } from "../shipper/fixtures";

/** Captured-event files as an operator would save them from a Lambda's test console or logs. */
export class EventFiles {
    constructor(private readonly dir: string) {}

    write(name: string, event: unknown): string {
        const file = path.join(this.dir, `${name}.json`);
        fs.writeFileSync(file, JSON.stringify(event, null, 2));
        return file;
    }

    writeText(name: string, text: string): string {
        const file = path.join(this.dir, name);
        fs.writeFileSync(file, text);
        return file;
    }

    /** A CloudWatch Logs subscription event with `count` events of log group /app/api (ids from `seed`). */
    cloudWatch(name: string, seed: number, count: number): { file: string; ids: string[] } {
        const events = Array.from({ length: count }, (_, index) => ({ id: cwId(seed, index), timestamp: Date.UTC(2024, 4, 1, 12, 0, index), message: `request ${index} served` }));
        return { file: this.write(name, cloudWatchEvent("/app/api", "i-0abc", events)), ids: events.map((event) => event.id) };
    }

    /** Records that arrived just now: a dead letter's data age (and so whether replay may ship it again) counts from their arrival. */
    kinesis(name: string, records: { sequenceNumber: string; text: string }[]): string {
        const arrival = Date.now() / 1000;
        return this.write(name, kinesisEvent(records.map((record) => ({ data: Buffer.from(record.text), sequenceNumber: record.sequenceNumber, arrival }))));
    }

    /** Messages sent just now (see `kinesis`). */
    sqs(name: string, messages: { messageId: string; body: string }[]): string {
        const sent = Date.now();
        return this.write(name, sqsEvent(messages.map((message) => ({ ...message, sent }))));
    }
}
