import { describeError } from "../functions/shared/errors";
import { AuditRetentionOptions, parseAuditRetentionArgs, USAGE, UsageError } from "./audit/args";
import { renderReport } from "./audit/report";
import { runAudit } from "./audit/run";
import { applyServicesEnv } from "./shared/servicesEnv";

/**
 * `npm run audit-retention`: an account-wide, read-only inventory of everything that can hold data, each store's
 * worst-case age against the data-protection limit. Exit 0 = every store ok or exempt, 1 = a store is too long or
 * could not be read, 2 = bad flags (docs/audit-retention.md).
 */
async function main(argv: string[]): Promise<number> {
    let options: AuditRetentionOptions;
    try {
        options = parseAuditRetentionArgs(argv);
    } catch (error) {
        if (error instanceof UsageError) {
            process.stderr.write(`audit-retention: ${error.message}\n\n${USAGE}\n`);
            return 2;
        }
        throw error;
    }
    applyServicesEnv();
    try {
        const report = await runAudit(options);
        process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : renderReport(report));
        return report.passed ? 0 : 1;
    } catch (error) {
        if (error instanceof UsageError || (error instanceof Error && error.name === "InputError")) {
            process.stderr.write(`audit-retention: ${error.message}\n\n${USAGE}\n`);
            return 2;
        }
        throw error;
    }
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
        process.stderr.write(`audit-retention: ${describeError(error)}\n`);
        process.exit(1);
    },
);
