/**
 * Role trust policies that let a federated identity (OIDC web identity, SAML, Cognito identity pools)
 * assume a role: each must pin the claim that says WHO may assume it, or anyone the provider issues
 * tokens to (any GitHub repository, any Cognito user of any pool) may.
 */
import { isWildcard, pinnedConditionValues, Statement } from "./iamDocument";

const COGNITO = "cognito-identity.amazonaws.com";

/** The provider a Federated principal names: an OIDC host, "saml", or Cognito. */
type Provider = { kind: "oidc"; host: string } | { kind: "saml" } | { kind: "cognito" };

function providerOf(federated: string): Provider {
    if (federated === COGNITO) {
        return { kind: "cognito" };
    }
    if (/:saml-provider\//.test(federated)) {
        return { kind: "saml" };
    }
    const oidc = /:oidc-provider\/(.+)$/.exec(federated);
    // Identity providers given by host (accounts.google.com, graph.facebook.com, www.amazon.com) are OIDC too.
    return { kind: "oidc", host: oidc?.[1] ?? federated };
}

/**
 * True when a subject value names one concrete subject. GitHub Actions subjects must name the owner and
 * the repository (`repo:<owner>/<repo>:...`); other providers' may end in a wildcard only after two
 * concrete segments (e.g. `system:serviceaccount:<namespace>:*`).
 */
function pinsSubject(host: string, value: string): boolean {
    if (!isWildcard(value)) {
        return value.length > 0;
    }
    if (host === "token.actions.githubusercontent.com") {
        return /^repo:[^*?/:]+\/[^*?/:]+(:|$)/.test(value);
    }
    const prefix = value.slice(0, value.search(/[*?]/));
    return prefix.split(/[:/]/).filter((segment) => segment.length > 0).length >= 2 && /[:/]$/.test(prefix);
}

const concrete = (values: string[] | undefined) => values !== undefined && values.length > 0 && values.every((value) => value.length > 0 && !isWildcard(value));

/** Problems of the Federated principals of one Allow statement of a trust policy. */
export function federatedTrustProblems(statement: Statement, where: string): string[] {
    if (statement.principal === undefined || statement.principal === "*") {
        return [];
    }
    const pinned = pinnedConditionValues(statement);
    const problems: string[] = [];
    for (const federated of statement.principal["Federated"] ?? []) {
        const provider = providerOf(federated);
        if (provider.kind === "saml") {
            if (!concrete(pinned.get("saml:aud"))) {
                problems.push(`${where} trusts SAML provider ${federated} without pinning SAML:aud: add Condition StringEquals { "SAML:aud": "https://signin.aws.amazon.com/saml" }`);
            }
        } else if (provider.kind === "cognito") {
            const missing = [`${COGNITO}:aud`, `${COGNITO}:amr`].filter((claim) => !concrete(pinned.get(claim)));
            if (missing.length > 0) {
                problems.push(
                    `${where} trusts Cognito identity pools without pinning ${missing.join(" and ")}: any pool's identities could assume it; add Condition StringEquals { "${COGNITO}:aud": "<identity pool id>" } and ForAnyValue:StringLike { "${COGNITO}:amr": "authenticated" }`,
                );
            }
        } else {
            const claim = `${provider.host}:sub`;
            const subjects = pinned.get(claim.toLowerCase());
            if (!subjects || subjects.length === 0 || !subjects.every((value) => pinsSubject(provider.host, value))) {
                const example = provider.host === "token.actions.githubusercontent.com" ? "repo:<owner>/<repository>:ref:refs/heads/main" : "<the one subject allowed>";
                const given = subjects ? ` (given ${JSON.stringify(subjects)}, which matches subjects nobody listed)` : "";
                problems.push(`${where} trusts ${provider.host} without pinning its subject claim ${claim}${given}: add Condition StringEquals { "${claim}": "${example}" }`);
            }
        }
    }
    return problems;
}
