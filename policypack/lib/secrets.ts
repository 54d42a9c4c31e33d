/**
 * Plaintext secrets in configuration values, found by name and by value. Values are scanned with
 * secretlint's recommended rule preset (maintained upstream: cloud keys, private keys, database
 * connection strings, URL basic-auth credentials, GitHub/GitLab/Slack/npm/Stripe/OpenAI... tokens),
 * used as data, and for the shapes it does not know (credentialValues.ts: HTTP authorization values,
 * JWTs, key=value credentials, API-key-like tokens); names with a small list of the words secrets are
 * named by. A name that says "reference" exempts the name only: the value is always scanned.
 */
import { credentialShapes } from "./credentialValues";
import { asString, isUnknown } from "./values";

interface SecretlintMessage {
    ruleId: string;
    messageId: string;
}
interface SecretlintCore {
    lintSource(args: { source: { filePath: string; content: string; contentType: "text" }; options: { config: { rules: unknown[] } } }): Promise<{ messages: SecretlintMessage[] }>;
}
interface SecretlintPreset {
    creator: unknown;
}

/** Loaded on first use (secretlint ships as ES modules; Node >= 20.19 loads them with require). */
let loaded: { core: SecretlintCore; rules: unknown[] } | undefined;
function secretlint(): { core: SecretlintCore; rules: unknown[] } {
    if (!loaded) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const core = require("@secretlint/core") as SecretlintCore;
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const preset = require("@secretlint/secretlint-rule-preset-recommend") as SecretlintPreset;
        const rules = [
            {
                id: "@secretlint/secretlint-rule-preset-recommend",
                rule: preset.creator,
                // Access key ids too (off by default upstream); account ids are reported but are not secrets.
                rules: [{ id: "@secretlint/secretlint-rule-aws", options: { enableIDScanRule: true } }],
            },
        ];
        loaded = { core, rules };
    }
    return loaded;
}

/** Findings that are not secrets: an AWS account id identifies, it does not authenticate. */
const NOT_SECRET = new Set(["AWSAccountID"]);

/** Credentials in any URL scheme (`amqp://user:pass@host`), beyond the schemes secretlint knows. */
const URL_CREDENTIALS = /\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:[^\s/@]+@[^\s/]+/i;

/** What secrets are named: PASSWORD, PASS, PWD, SECRET, TOKEN, AUTH, API_KEY, PRIVATE_KEY, CREDENTIALS... */
const SECRET_WORD = /^(PASSWORD|PASSWD|PASS|PWD|PASSPHRASE|SECRET|SECRETS|TOKEN|TOKENS|AUTH|AUTHORIZATION|BEARER|APIKEY|CREDENTIAL|CREDENTIALS|CREDS|COOKIE|SIGNATURE|PRIVATEKEY|ACCESSKEY|SECRETKEY|SIGNINGKEY|SESSIONKEY|CLIENTSECRET|DSN)$/;
const KEY_PAIRS = /(API|PRIVATE|ACCESS|SECRET|SIGNING|SESSION|ENCRYPTION|MASTER)_?KEY/i;
/** Names that say the value is a reference to a secret, not the secret: they exempt the name, never the value. */
const REFERENCE_NAME = /(_ARN|_NAME|_ID|_PATH|_PARAMETER|_SECRET_ID|_KEY_ID|_MODE|_TYPE|_METHOD|_ENABLED|_HEADER|_REGION|_TTL|_SECONDS|_ENDPOINT|_HOST|_PORT)$/i;
/** Values that are references: an ARN of Secrets Manager/SSM/KMS, a dynamic reference, or a setting. */
const REFERENCE_VALUE = /^(arn:aws[a-z-]*:(secretsmanager|ssm|kms):|\{\{resolve:|\/?aws\/reference\/secretsmanager\/)/;

/** Words of a name, split on `_`, `-`, `.` and camelCase. */
function words(name: string): string[] {
    return name
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .split(/[_\-.\s/]+/)
        .filter((word) => word.length > 0)
        .map((word) => word.toUpperCase());
}

/** True when a setting's name says it holds a secret (and not a reference to one). */
export function nameLooksSecret(name: string): boolean {
    if (REFERENCE_NAME.test(name)) {
        return false;
    }
    return words(name).some((word) => SECRET_WORD.test(word)) || KEY_PAIRS.test(name);
}

export interface SecretFinding {
    /** What was found, e.g. "a secret-like name" or "secretlint-rule-basicauth (BasicAuth)". */
    reason: string;
}

/**
 * Why a `name = value` setting holds a plaintext secret, or [] when it does not. Unknown values (preview)
 * and references (ARNs of Secrets Manager/SSM/KMS, dynamic references) are not secrets.
 */
export async function secretFindings(name: string, value: unknown): Promise<SecretFinding[]> {
    if (isUnknown(value)) {
        return [];
    }
    const text = asString(value) ?? (value === undefined || value === null ? "" : JSON.stringify(value));
    if (text === "" || REFERENCE_VALUE.test(text)) {
        return [];
    }
    const findings: SecretFinding[] = [];
    if (nameLooksSecret(name)) {
        findings.push({ reason: "its name says it holds a secret" });
    }
    const { core, rules } = secretlint();
    const result = await core.lintSource({ source: { filePath: `/config/${name}`, content: `${name}=${text}`, contentType: "text" }, options: { config: { rules } } });
    for (const message of result.messages.filter((entry) => !NOT_SECRET.has(entry.messageId))) {
        findings.push({ reason: `its value matches ${message.ruleId.replace(/^@secretlint\//, "")} (${message.messageId})` });
    }
    if (URL_CREDENTIALS.test(text) && !findings.some((finding) => /basicauth|connection/i.test(finding.reason))) {
        findings.push({ reason: "its value is a URL with embedded credentials (user:password@host)" });
    }
    // A value that is a credential is a secret whatever its name says (an *_AUTH_HEADER holding "Basic ..." too).
    for (const shape of credentialShapes(text)) {
        findings.push({ reason: `its value is ${shape}` });
    }
    return findings;
}
