import { TRIP_EXPIRY_ATTRIBUTE } from "../../components/kpiPipeline";
import { runProgramOffline } from "../offline/runProgram";
import { runAuditStep } from "./auditStep";
import { declaredStores } from "./declaredStores";
import { DemoOptions, SIZES } from "./options";
import { previewAndGate } from "./preview";
import { awsClients, createStackResources, CreatedResources } from "./resources";
import { assertNoRecordedServices, LocalServices, startLocalServices } from "./services";
import { loadStackConfig, ROOT, stackNames } from "./stack";
import { runKpiStep } from "./kpiStep";
import { runRetentionStep } from "./retentionStep";
import { runShipperStep } from "./shipperStep";
import { printKeepInstructions, printSummary } from "./summary";
import { check, n, Print, StepRecord, StepRunner } from "./ui";

function plural(value: number, noun: string): string {
    return `${n(value)} ${noun}${value === 1 ? "" : "s"}`;
}

export interface DemoRun {
    records: StepRecord[];
    totalMs: number;
}

/**
 * Runs the demo's steps in order. The services start at once, beside the offline preview (they do not depend
 * on it), and are awaited by step 2. Whatever was started is stopped at the end, on failure and on Ctrl-C,
 * unless `--keep` (then they are recorded for `npm run services -- down`). Throws a StepFailure naming the
 * failed step.
 */
export async function runDemo(options: DemoOptions, print: Print): Promise<DemoRun> {
    const started = performance.now();
    const sizes = SIZES[options.size];
    const steps = new StepRunner(print);
    let starting: Promise<LocalServices> | undefined;
    let keepRunning = false;
    const stop = async () => {
        const pending = starting;
        starting = undefined;
        const services = await pending?.catch(() => undefined);
        if (!keepRunning) await services?.stop();
    };
    const onSignal = (signal: NodeJS.Signals) => {
        print(`\n${signal}: stopping the local services...`);
        keepRunning = false;
        void stop().finally(() => process.exit(130));
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    print(`Local end-to-end run of stack "${options.stack}" (size ${options.size}, seed ${options.seed})`);
    try {
        const config = loadStackConfig(options.stack);
        if (options.keep) assertNoRecordedServices();
        starting = startLocalServices(config.region, options.keep);
        starting.catch(() => undefined); // awaited (and reported) by step 2
        const services = starting;
        let resources: Parameters<typeof stackNames>[1] = [];
        // Without step 1 the program still runs offline (no gate), beside the services' start: step 2 creates the
        // stores with the retention settings of its resources.
        const offline = options.skipPreview ? runProgramOffline({ programDir: ROOT, stack: options.stack }) : undefined;
        offline?.catch(() => undefined); // awaited (and reported) by step 2
        if (!options.skipPreview) {
            await steps.run("Offline preview and policy gate", async () => {
                const preview = await previewAndGate(options.stack, print);
                resources = preview.run.resources;
                check(preview.verdict.passed, `the policy gate found ${preview.verdict.mandatory} mandatory violations (see ${preview.gateFile})`);
                return {
                    outcome: `${n(preview.run.resources.length)} resources, gate PASS (${preview.verdict.advisory} advisory)`,
                    proves: `the program builds stack "${options.stack}" from its config and passes every mandatory policy`,
                };
            });
        }
        let names = stackNames(config, resources);

        let created!: CreatedResources;
        let running!: LocalServices;
        const clients = awsClients(config.region);
        try {
            await steps.run("Local services and the stack's sources and stores", async () => {
                running = await services;
                if (offline) {
                    resources = (await offline).resources;
                    names = stackNames(config, resources);
                    print(`    preview skipped: the program ran offline for its stores' settings (${n(resources.length)} resources, no policy gate)`);
                }
                print(`    moto ${running.moto.version} at ${running.moto.endpoint}; Elasticsearch ${running.elasticsearch.version} at ${running.elasticsearch.endpoint}`);
                const declared = declaredStores(resources, config, TRIP_EXPIRY_ATTRIBUTE);
                created = await createStackResources(clients, config, names, running.elasticsearch, declared);
                print(`    created in moto (${config.region}), named from Pulumi.${options.stack}.yaml: stream ${names.streamName}, queues ${names.sourceQueueName} and ${names.deadLetterQueueName},`);
                print(`      table ${names.tripsTableName} (+ index ${names.tripsIndexName}), bucket ${names.kpiBucketName}, secret ${names.secretName}, log group${created.logGroups.length === 1 ? "" : "s"} ${created.logGroups.join(", ")}`);
                const stores = created.stores;
                const counted = [plural(stores.queues.length, "queue"), plural(stores.streams.length, "stream"), plural(stores.buckets.length, "bucket"), plural(stores.logGroups.length, "log group"), plural(stores.workgroups.length, "Athena workgroup")].join(", ");
                print(`      with the preview's retention settings: ${counted} and the trips table (TTL, PITR)`);
                return {
                    outcome: `moto and Elasticsearch up; ${counted}, the trips table and the secret created`,
                    proves: "the demo runs on the same local services as the tests, with the stack's names and retention settings",
                };
            });
            // The sweep is paced (PutRetentionPolicy at the deployed rate), so it mostly waits: it runs alongside
            // the shipper and KPI steps, and its lines are printed after theirs.
            const retention = steps.background(`Retention enforcer: every log group <= ${config.retention.maxRetentionDays} days`, (held) =>
                runRetentionStep({ config, clients, count: sizes.logGroups, seed: options.seed, stack: options.stack, print: held }),
            );
            await steps.run("Log shipper: CloudWatch Logs, Kinesis and SQS into Elasticsearch", () => runShipperStep({ config, created, clients, services: running, sizes, seed: options.seed, print }));
            await steps.run("KPI pipeline: trips in DynamoDB to daily KPIs in S3", () =>
                runKpiStep({ config, created, clients, sizes: { trips: sizes.trips, days: sizes.tripDays }, seed: options.seed, print }),
            );
            await retention.finish();
            await steps.run(`Retention audit: every store <= ${config.dataProtection.maxAgeDays} days, end to end`, () => runAuditStep({ config, created, services: running, stack: options.stack, print }));
            const totalMs = performance.now() - started;
            printSummary(steps.records, totalMs, print);
            if (options.keep) {
                keepRunning = true;
                printKeepInstructions(running, config, created, print);
            }
            return { records: steps.records, totalMs };
        } finally {
            clients.destroy();
        }
    } catch (error) {
        printSummary(steps.records, performance.now() - started, print);
        throw error;
    } finally {
        await stop();
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
    }
}
