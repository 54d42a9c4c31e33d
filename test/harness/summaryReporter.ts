import * as Mocha from "mocha";

/**
 * mocha's spec reporter, plus one closing line CI recognises in any language:
 * `N passed, N failed` (and `, N skipped` when tests are pending).
 */
class SummaryReporter extends Mocha.reporters.Spec {
    constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
        super(runner, options);
        runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
            const { passes, failures, pending } = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
            // Printed after the spec summary, on a line of its own.
            setImmediate(() => console.log(`\n${passes} passed, ${failures} failed${pending > 0 ? `, ${pending} skipped` : ""}`));
        });
    }
}

export = SummaryReporter;
