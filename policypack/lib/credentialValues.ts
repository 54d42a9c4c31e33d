/**
 * Credentials recognised by their value, whatever the setting is called, in the shapes secretlint's
 * preset does not cover: HTTP authorization values (`Basic <base64 user:password>`, `Bearer <token>`,
 * `Token`, `ApiKey`, `SSWS`, AWS SigV4 headers), JSON Web Tokens, `key=value` credentials inside a value
 * (connection strings, query strings, header lines: `Password=...;`, `?api_key=...`, `X-Api-Key: ...`,
 * `sig=`/`X-Amz-Signature=`), and API-key-like tokens (a long random mix of upper case, lower case and
 * digits). Each finding names the shape, never the value.
 */

/** HTTP authorization schemes whose parameter is the credential (RFC 9110 schemes are case-insensitive). */
const AUTHORIZATION = /(?:^|[\s"'=:,{[])(Basic|Bearer|Token|ApiKey|Api-Key|SSWS|GenieKey|Splunk|Bot|OAuth)\s+([A-Za-z0-9+/=._~-]{8,})/gi;
const SIGV4 = /AWS4-HMAC-SHA256\s+Credential=/i;
const JWT = /\beyJ[A-Za-z0-9_-]{6,}\.eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}/;
/** `name=value` / `name: value` pairs whose name is a credential's. */
const CREDENTIAL_PAIR =
    /(?:^|[?&;,\s{"'-])(password|passwd|pwd|pass|passphrase|secret|client[_-]?secret|api[_-]?key|access[_-]?key|secret[_-]?key|access[_-]?token|auth[_-]?token|refresh[_-]?token|token|private[_-]?key|sig|signature|x-amz-signature|x-amz-security-token|sharedaccesskey|accountkey)["']?\s*[=:]\s*["']?([^\s&;,"'}]+)/gi;
/** Values that stand for a credential without being one: placeholders, references, flags and numbers. */
const NOT_A_CREDENTIAL = /^(\$\{|\{\{|<|%\(|\*+$|x{3,}$|(true|false|null|none|undefined|required|optional|\d+)$|arn:aws[a-z-]*:(secretsmanager|ssm|kms):)/i;

/** Shannon entropy in bits per character. */
function entropy(text: string): number {
    const counts = new Map<string, number>();
    for (const character of text) {
        counts.set(character, (counts.get(character) ?? 0) + 1);
    }
    let bits = 0;
    for (const count of counts.values()) {
        const p = count / text.length;
        bits -= p * Math.log2(p);
    }
    return bits;
}

/** A random-looking token: long, upper and lower case and digits, high entropy (not a UUID, hex digest or word). */
function tokenLike(text: string, minimumLength: number): boolean {
    return (
        text.length >= minimumLength &&
        /^[A-Za-z0-9+/=_-]+$/.test(text) &&
        /[A-Z]/.test(text) &&
        /[a-z]/.test(text) &&
        /[0-9]/.test(text) &&
        entropy(text) >= 3.5
    );
}

/** `Basic <base64>` whose base64 decodes to printable `user:password`. */
function basicCredential(parameter: string): boolean {
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(parameter)) {
        return false;
    }
    const decoded = Buffer.from(parameter, "base64").toString("utf8");
    return /^[\x20-\x7e]+:[\x20-\x7e]+$/.test(decoded);
}

/** The credential shapes found in a value; [] when it holds none. */
export function credentialShapes(value: string): string[] {
    const found = new Set<string>();
    for (const match of value.matchAll(AUTHORIZATION)) {
        const scheme = (match[1] ?? "").toLowerCase();
        const parameter = match[2] ?? "";
        if (scheme === "basic" ? basicCredential(parameter) : JWT.test(parameter) || tokenLike(parameter, 16) || (/[0-9]/.test(parameter) && parameter.length >= 20)) {
            found.add(`an HTTP ${match[1] ?? ""} authorization credential`);
        }
    }
    if (SIGV4.test(value)) {
        found.add("an AWS Signature V4 authorization header");
    }
    if (JWT.test(value)) {
        found.add("a JSON Web Token");
    }
    for (const match of value.matchAll(CREDENTIAL_PAIR)) {
        const credential = match[2] ?? "";
        if (credential.length >= 4 && !NOT_A_CREDENTIAL.test(credential)) {
            found.add(`a ${(match[1] ?? "").toLowerCase()}= credential inside the value`);
        }
    }
    if (tokenLike(value.trim(), 20)) {
        found.add("an API-key-like token (a long random mix of letters and digits)");
    }
    return [...found];
}
