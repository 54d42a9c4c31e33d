import * as path from "path";

import type { PlatformConfig } from "../../components/config";
import type { CreatedResources } from "./resources";
import type { LocalServices } from "./services";
import { Print, seconds, StepRecord, table } from "./ui";

/** The closing summary: each step's outcome and time, what it proves, and the measured figures. */
export function printSummary(records: readonly StepRecord[], totalMs: number, print: Print): void {
    if (records.length === 0) return;
    print();
    print("Summary");
    print(table(["step", "result", "time"], records.map((record, index) => [`[${index + 1}] ${record.name}`, record.ok ? "ok" : "FAILED", seconds(record.ms)])));
    for (const [index, record] of records.entries()) {
        print(record.ok ? `  [${index + 1}] ${record.outcome}\n      proves: ${record.proves}` : `  [${index + 1}] FAILED: ${record.error}`);
    }
    const figures = records.flatMap((record) => Object.entries(record.figures ?? {}));
    if (figures.length > 0) {
        print("  measured in this run:");
        for (const [name, value] of figures) print(`    ${name}: ${value}`);
    }
    const failed = records.find((record) => !record.ok);
    print(failed ? `  FAILED at "${failed.name}" after ${seconds(totalMs)}` : `  all ${records.length} steps passed in ${seconds(totalMs)}`);
}

/** `--keep`: how to reach the services that stay up, and how to stop them. */
export function printKeepInstructions(services: LocalServices, config: PlatformConfig, created: CreatedResources, print: Print): void {
    const kept = services.kept;
    if (!kept) return;
    const env = path.relative(process.cwd(), kept.envFile) || kept.envFile;
    print();
    print(`The services stay up (--keep): moto ${services.moto.version} at ${services.moto.endpoint}, Elasticsearch ${services.elasticsearch.version} at ${services.elasticsearch.endpoint}.`);
    print(`Their settings (endpoint, this node's throwaway password, CA file) are in ${env}; in a shell:`);
    print(`  set -a; . ${env}; set +a`);
    print("  # Elasticsearch: TLS verified with the node's CA, basic auth");
    print(`  curl --cacert "$ELASTICSEARCH_CA_FILE" -u "$ELASTICSEARCH_USERNAME:$ELASTICSEARCH_PASSWORD" "$ELASTICSEARCH_URL/_cat/indices/.ds-logs-*-${config.elasticsearch.dataStreamNamespace}-*?v"`);
    print(`  curl --cacert "$ELASTICSEARCH_CA_FILE" -u "$ELASTICSEARCH_USERNAME:$ELASTICSEARCH_PASSWORD" "$ELASTICSEARCH_URL/logs-*-${config.elasticsearch.dataStreamNamespace}/_search?size=1&pretty"`);
    print("  # AWS APIs (moto): any AWS CLI or SDK with --endpoint-url and the dummy credentials testing/testing");
    print(`  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing aws --endpoint-url "$AWS_ENDPOINT_URL" --region ${config.region} s3 ls s3://${created.bucket}/kpis/ --recursive`);
    print(`  AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing aws --endpoint-url "$AWS_ENDPOINT_URL" --region ${config.region} sqs get-queue-attributes --queue-url ${created.deadLetterQueueUrl} --attribute-names ApproximateNumberOfMessages`);
    print(`  npm run replay -- --help   (npm run ship and replay read ${env} themselves; npm run kpi and enforce-retention after the set -a line)`);
    print("Stop them with: npm run services -- down");
}
