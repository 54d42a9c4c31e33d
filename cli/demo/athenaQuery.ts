import * as fs from "fs";
import * as os from "os";
import * as path from "path";

import { DuckDBInstance } from "@duckdb/node-api";

import { ROOT } from "./stack";

/**
 * The example Athena query of docs/kpi.md, answered locally: its DuckDB equivalent over the KPI objects read
 * back from moto, laid out as the Glue table sees them (`kpis/dt=<day>/kpis.json`, partition `dt`). The query
 * text is the documentation's, with the table replaced by `read_json(...)` and the date range by the demo's days.
 */
export async function runExampleAthenaQuery(bodies: ReadonlyMap<string, string>, days: readonly string[]): Promise<{ sql: string; rows: Record<string, unknown>[] }> {
    const docs = fs.readFileSync(path.join(ROOT, "docs", "kpi.md"), "utf8");
    const query = /```sql\n([\s\S]+?)```/.exec(docs)?.[1];
    if (query === undefined || !/FROM\s+\S+\.daily_kpis/.test(query)) {
        throw new Error("docs/kpi.md has no example query over <database>.daily_kpis");
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "demo-kpis-"));
    try {
        for (const [day, body] of bodies) {
            fs.mkdirSync(path.join(dir, `dt=${day}`));
            fs.writeFileSync(path.join(dir, `dt=${day}`, "kpis.json"), body);
        }
        const table = `read_json('${dir}/*/kpis.json', format = 'newline_delimited', hive_partitioning = true, hive_types = {'dt': VARCHAR})`;
        const sql = query.replace(/FROM\s+\S+\.daily_kpis/, `FROM ${table}`).replace(/BETWEEN '\d{4}-\d{2}-\d{2}' AND '\d{4}-\d{2}-\d{2}'/, `BETWEEN '${days[0]}' AND '${days[days.length - 1]}'`);
        const instance = await DuckDBInstance.create(":memory:");
        const connection = await instance.connect();
        try {
            const rows = (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
            return { sql: query.replace(/BETWEEN '\d{4}-\d{2}-\d{2}' AND '\d{4}-\d{2}-\d{2}'/, `BETWEEN '${days[0]}' AND '${days[days.length - 1]}'`), rows };
        } finally {
            connection.closeSync();
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
