import { runDemo } from "./demo/run";
import { parseDemoArgs, USAGE, UsageError } from "./demo/options";
import { StepFailure } from "./demo/ui";

/**
 * `bash scripts/local.sh [stack]`: the whole platform on this machine, end to end (docs/local-demo.md).
 * Exit code 0 when every step and every invariant held; 1 when a step failed (its name and reason are the
 * last line); 2 for a usage error; 130 when interrupted.
 */
async function main(argv: string[]): Promise<number> {
    // The functions' own JSON logs and EMF metrics would bury the demo's output: `LOG_LEVEL=INFO bash scripts/local.sh` shows the logs.
    process.env["LOG_LEVEL"] ??= "SILENT";
    process.env["POWERTOOLS_METRICS_DISABLED"] ??= "true";
    quietNodeVersionNotice();
    let options;
    try {
        options = parseDemoArgs(argv);
    } catch (error) {
        if (error instanceof UsageError) {
            console.error(`${error.message ? `demo: ${error.message}\n\n` : ""}${USAGE}`);
            return error.message ? 2 : 0;
        }
        throw error;
    }
    try {
        await runDemo(options, (line = "") => console.log(line));
        return 0;
    } catch (error) {
        if (error instanceof StepFailure) {
            console.error(`\ndemo FAILED at ${error.message}`);
            return 1;
        }
        console.error(`\ndemo FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        return 1;
    }
}

/**
 * The AWS SDK warns once per client package that its future releases need Node 22 (Lambda runs nodejs22.x):
 * shown once, as one line, instead of a paragraph per package. Every other warning is printed as Node would.
 */
function quietNodeVersionNotice(): void {
    let noticed = false;
    process.removeAllListeners("warning");
    process.on("warning", (warning) => {
        if (warning.name === "NodeVersionSupportWarning" || warning.message.startsWith("NodeVersionSupportWarning")) {
            if (!noticed) console.error(`note: the AWS SDK asks for Node.js 22 (the Lambda runtime is nodejs22.x); this is ${process.version}`);
            noticed = true;
            return;
        }
        console.error(`(node) ${warning.name}: ${warning.message}`);
    });
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (error: unknown) => {
            console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
            process.exit(1);
        },
    );
}
