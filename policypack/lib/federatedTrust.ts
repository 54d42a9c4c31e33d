/**
 * Role trust policies that let a federated identity (OIDC web identity, SAML, Cognito identity pools)
 * assume a role: each must pin the claim that says WHO may assume it, or anyone the provider issues
 * tokens to (any GitHub repository, any Kubernetes service account, any Cognito user of any pool) may.
 */
import { ConditionEntry, isWildcard, pinningConditions, Statement } from "./iamDocument";
import { isUnknown } from "./values";

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
 * The subject (`sub`) formats of the OIDC providers a role is commonly federated with, recognised by the
 * value (issuers are self-hosted too: GitLab, Terraform Enterprise, any Kubernetes cluster). `identity`
 * matches the segments that name the identity, through the delimiter that ends them: a StringLike value
 * pins only when everything before its first wildcard covers them (`project_path:acme/app:*` names a
 * project; `project_path:acme/*` any project of a group). A format whose identity is the whole subject
 * (GitHub's repository and ref, Kubernetes' namespace and service account) admits no wildcard at all.
 */
export interface SubjectFormat {
    provider: string;
    /** Values of this format start like this. */
    scheme: RegExp;
    identity: RegExp;
    example: string;
}

export const SUBJECT_FORMATS: SubjectFormat[] = [
    {
        provider: "GitHub Actions (repository, and ref, environment or pull_request)",
        scheme: /^repo:/,
        identity: /^repo:[^:/*?]+\/[^:/*?]+:(ref:[^:*?]+|environment:[^:*?]+|pull_request):/,
        example: "repo:<owner>/<repository>:ref:refs/heads/main",
    },
    { provider: "GitLab CI/CD (project path)", scheme: /^project_path:/, identity: /^project_path:[^:*?]+\/[^:*?]+:/, example: "project_path:<group>/<project>:ref_type:branch:ref:main" },
    {
        provider: "Kubernetes / EKS (namespace and service account)",
        scheme: /^system:serviceaccount:/,
        identity: /^system:serviceaccount:[^:*?]+:[^:*?]+:/,
        example: "system:serviceaccount:<namespace>:<service account>",
    },
    {
        provider: "HCP Terraform / Terraform Enterprise (organization, project and workspace)",
        scheme: /^organization:/,
        identity: /^organization:[^:*?]+:project:[^:*?]+:workspace:[^:*?]+:/,
        example: "organization:<org>:project:<project>:workspace:<workspace>:run_phase:*",
    },
    { provider: "Bitbucket Pipelines (repository UUID)", scheme: /^\{/, identity: /^\{[0-9a-fA-F-]{36}\}/, example: "{<repository UUID>}:*" },
    { provider: "CircleCI (organization and project)", scheme: /^org\//, identity: /^org\/[0-9a-fA-F-]{36}\/project\/[0-9a-fA-F-]{36}\//, example: "org/<organization id>/project/<project id>/user/*" },
];

/** Why a subject value pins nothing, or undefined when it names one identity (or, with a wildcard, one identity's tokens). */
function unpinnedSubject(entry: ConditionEntry, value: string): string | undefined {
    if (value.length === 0) {
        return "is empty";
    }
    if (!entry.matching || !isWildcard(value)) {
        return undefined; // compared literally, or no wildcard: one concrete subject
    }
    const format = SUBJECT_FORMATS.find((candidate) => candidate.scheme.test(value));
    if (!format) {
        return `has a wildcard in a subject of no format whose identity segments are known (use the concrete subject)`;
    }
    const literal = value.slice(0, value.search(/[*?]/));
    return format.identity.test(literal) ? undefined : `leaves the identity of ${format.provider} open (e.g. ${format.example})`;
}

const concrete = (entries: ConditionEntry[]) => entries.length > 0 && entries.every((entry) => entry.values.length > 0 && entry.values.every((value) => value.length > 0 && (!entry.matching || !isWildcard(value))));

/** What a statement must pin for one provider; undefined when it does. */
function providerProblem(provider: Provider, federated: string, on: (claim: string) => ConditionEntry[], where: string): string | undefined {
    if (provider.kind === "saml") {
        return concrete(on("saml:aud")) ? undefined : `${where} trusts SAML provider ${federated} without pinning SAML:aud: add Condition StringEquals { "SAML:aud": "https://signin.aws.amazon.com/saml" }`;
    }
    if (provider.kind === "cognito") {
        const missing = [`${COGNITO}:aud`, `${COGNITO}:amr`].filter((claim) => !concrete(on(claim)));
        return missing.length === 0
            ? undefined
            : `${where} trusts Cognito identity pools without pinning ${missing.join(" and ")}: any pool's identities could assume it; add Condition StringEquals { "${COGNITO}:aud": "<identity pool id>" } and ForAnyValue:StringLike { "${COGNITO}:amr": "authenticated" }`;
    }
    const claim = `${provider.host}:sub`;
    const subjects = on(claim);
    const reasons = subjects.map((entry) => entry.values.map((value) => ({ value, reason: unpinnedSubject(entry, value) })).filter((found) => found.reason !== undefined));
    // Condition keys are ANDed: one entry whose every value pins is enough.
    if (reasons.some((unpinned, index) => unpinned.length === 0 && (subjects[index]?.values.length ?? 0) > 0)) {
        return undefined;
    }
    const format = SUBJECT_FORMATS.find((candidate) => subjects.some((entry) => entry.values.some((value) => candidate.scheme.test(value))));
    const example = format?.example ?? (provider.host.startsWith("token.actions.githubusercontent.com") ? SUBJECT_FORMATS[0]?.example : "<the one subject allowed>");
    const given = reasons.flat().length > 0 ? ` (${reasons.flat().map((found) => `"${found.value}" ${found.reason}`).join("; ")})` : "";
    return `${where} trusts ${provider.host} without pinning its subject claim ${claim}${given}: name the identity, e.g. StringEquals { "${claim}": "${example}" }`;
}

/**
 * The providers a statement trusts when its Federated principal is not known until the update (an
 * identity provider the program creates, during a preview): the ones its condition keys name
 * (`<host>:sub`, `<host>:aud`...), SAML for AssumeRoleWithSAML; none when nothing names one.
 */
function providersNamedByConditions(statement: Statement, conditions: ConditionEntry[]): Provider[] {
    if ((statement.actions ?? []).some((action) => action.toLowerCase() === "sts:assumerolewithsaml")) {
        return [{ kind: "saml" }];
    }
    const hosts = new Set(conditions.flatMap((entry) => /^(.+):(sub|aud|amr|oaud|azp|email)$/i.exec(entry.name)?.[1] ?? []).filter((host) => host.toLowerCase() !== "saml"));
    return [...hosts].map((host) => (host.toLowerCase() === COGNITO ? { kind: "cognito" } : { kind: "oidc", host }));
}

/** Problems of the Federated principals of one Allow statement of a trust policy. */
export function federatedTrustProblems(statement: Statement, where: string): string[] {
    if (statement.principal === undefined || statement.principal === "*") {
        return [];
    }
    const conditions = pinningConditions(statement);
    const on = (claim: string) => conditions.filter((entry) => entry.key === claim.toLowerCase());
    const problems: string[] = [];
    for (const federated of statement.principal["Federated"] ?? []) {
        if (!isUnknown(federated)) {
            const problem = providerProblem(providerOf(federated), federated, on, where);
            if (problem) problems.push(problem);
            continue;
        }
        const named = providersNamedByConditions(statement, conditions);
        if (named.length === 0) {
            problems.push(`${where} trusts a federated identity provider known only after the update, and its condition names none of the provider's claims: pin the subject, e.g. StringEquals { "<provider host>:sub": "<the one subject allowed>" }`);
        }
        for (const provider of named) {
            const problem = providerProblem(provider, provider.kind === "oidc" ? provider.host : "(known after the update)", on, where);
            if (problem) problems.push(problem);
        }
    }
    return problems;
}
