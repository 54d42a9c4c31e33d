import { Logger } from "@aws-lambda-powertools/logger";

export type { Logger } from "@aws-lambda-powertools/logger";

/**
 * A structured JSON logger (Powertools) for one Lambda or CLI. Create it inside a handler factory, never
 * at module scope: a closure serialized by CallbackFunction must not capture a live logger.
 *
 * What is logged is counts, ids and outcomes; never message bodies, trip contents or credentials.
 * `LOG_LEVEL` (or Powertools' `POWERTOOLS_LOG_LEVEL`) sets the level; tests run with SILENT.
 */
export function createLogger(serviceName: string): Logger {
    return new Logger({ serviceName, logLevel: (process.env["LOG_LEVEL"] as "INFO" | undefined) ?? "INFO" });
}
