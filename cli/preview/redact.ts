/**
 * Redaction of a resource's inputs for `npm run preview -- --json`: Pulumi secrets, and any value that looks
 * like a credential by the policy pack's own detection (policypack/lib/secrets.ts: secretlint's recommended
 * rules on the value, secret-like names, URLs with user:password), so the preview and the pack agree on what
 * a plaintext secret is.
 */
import { secretFindings } from "../../policypack/lib/secrets";

/** What a redacted value is replaced with. */
export const REDACTED = "[redacted]";

/** One value left out of the document: where, and why. */
export interface Redaction {
    /** JSON path from the resource (`inputs.environment.variables.DB_PASSWORD`) or `outputs.<name>`. */
    path: string;
    reason: string;
}

// How the Pulumi runtime marks a secret in deserialized properties (sdk runtime/rpc: specialSigKey, specialSecretSig).
const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

function isPulumiSecret(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG;
}

const childPath = (path: string, key: string | number): string => (typeof key === "number" ? `${path}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);

/**
 * A copy of `value` with secrets replaced by REDACTED, each one recorded in `redactions`. `name` is the key the
 * value is held under (what the name-based detection reads; a list's items are read under the list's key).
 */
export async function redact(value: unknown, path: string, name: string, redactions: Redaction[]): Promise<unknown> {
    if (isPulumiSecret(value)) {
        redactions.push({ path, reason: "a Pulumi secret" });
        return REDACTED;
    }
    if (Array.isArray(value)) {
        const items: unknown[] = [];
        for (const [index, item] of value.entries()) items.push(await redact(item, childPath(path, index), name, redactions));
        return items;
    }
    if (typeof value === "object" && value !== null) {
        const copy: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(value)) copy[key] = await redact(item, childPath(path, key), key, redactions);
        return copy;
    }
    // A boolean the provider's inputs carry as text ("false") names a setting, never a credential.
    if (typeof value === "string" && value !== REDACTED && value !== "true" && value !== "false") {
        const findings = await secretFindings(name, value);
        if (findings.length > 0) {
            redactions.push({ path, reason: `looks like a credential: ${findings.map((finding) => finding.reason).join("; ")}` });
            return REDACTED;
        }
    }
    return value;
}
