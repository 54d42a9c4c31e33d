import type { RegisteredResource } from "../offline/runProgram";
import { PolicyPackProcess } from "./policyPackProcess";

// Message classes from @pulumi/pulumi's generated protobuf code (the Analyzer protocol).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pb = require("@pulumi/pulumi/proto/analyzer_pb") as AnalyzerMessages;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const structPb = require("google-protobuf/google/protobuf/struct_pb") as { Struct: { fromJavaScript(value: Record<string, unknown>): unknown } };
// The request type must be the Empty class the Analyzer stubs were generated against (they check instanceof).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { AnalyzerService } = require("@pulumi/pulumi/proto/analyzer_grpc_pb") as { AnalyzerService: { getAnalyzerInfo: { requestType: new () => unknown } } };

/* eslint-disable @typescript-eslint/no-explicit-any -- protobuf message builders are untyped at this boundary */
interface AnalyzerMessages {
    AnalyzeRequest: new () => any;
    AnalyzeStackRequest: new () => any;
    AnalyzerResource: new () => any;
    AnalyzerResourceOptions: new () => any;
    AnalyzerPropertyDependencies: new () => any;
    ConfigureAnalyzerRequest: new () => any;
    PolicyConfig: new () => any;
    AnalyzerStackConfigureRequest: new () => any;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

export type EnforcementLevel = "advisory" | "mandatory" | "disabled" | "remediate";
const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"];
const SEVERITIES = ["unspecified", "low", "medium", "high", "critical"];

/** One policy as the pack describes itself (GetAnalyzerInfo). */
export interface PolicyInfo {
    name: string;
    description: string;
    enforcementLevel: EnforcementLevel;
    severity: string;
    tags: string[];
    category: string;
    remediationSteps: string;
    configDefaults: Record<string, unknown>;
}

/** One violation the pack reported. */
export interface Violation {
    policyName: string;
    policyPackName: string;
    category: string;
    enforcementLevel: EnforcementLevel;
    severity: string;
    message: string;
    description: string;
    urn?: string;
    resourceType?: string;
    resourceName?: string;
}

export interface AnalysisResult {
    packName: string;
    packVersion: string;
    policies: PolicyInfo[];
    violations: Violation[];
}

/** Per-policy config as users write it for `--policy-pack-config`: a level, or an object with settings. */
export type PolicyConfigFile = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

/** Raised when the policy config names an unknown policy or level; says which and how to fix it. */
export class PolicyConfigError extends Error {}

/* eslint-disable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-explicit-any -- protobuf messages are untyped at this boundary */

/**
 * Runs the policy pack over a program's resources exactly as `pulumi preview --policy-pack` does:
 * GetAnalyzerInfo, Configure (every policy's level and settings, defaults from its schema),
 * ConfigureStack (stack tags), Analyze for each custom resource, then AnalyzeStack for all.
 */
export async function analyze(
    pack: PolicyPackProcess,
    run: { project: string; stack: string; resources: RegisteredResource[] },
    policyConfig: PolicyConfigFile = {},
    stackTags: Record<string, string> = {},
): Promise<AnalysisResult> {
    const info: any = await pack.call("getAnalyzerInfo", new AnalyzerService.getAnalyzerInfo.requestType());
    const policies: PolicyInfo[] = info.getPoliciesList().map((policy: any) => {
        const schema = policy.getConfigschema()?.getProperties()?.toJavaScript() ?? {};
        const defaults: Record<string, unknown> = {};
        for (const [key, property] of Object.entries(schema as Record<string, { default?: unknown }>)) {
            if (property && typeof property === "object" && "default" in property) {
                defaults[key] = property.default;
            }
        }
        const tags: string[] = policy.getTagsList();
        return {
            name: policy.getName(),
            description: policy.getDescription(),
            enforcementLevel: LEVELS[policy.getEnforcementlevel()] ?? "advisory",
            severity: SEVERITIES[policy.getSeverity()] ?? "unspecified",
            tags,
            category: tags[0] ?? "uncategorized",
            remediationSteps: policy.getRemediationSteps(),
            configDefaults: defaults,
        };
    });
    const packName: string = info.getName();
    const packVersion: string = info.getVersion();

    await pack.call("configure", configureRequest(policies, policyConfig));
    const tagsRequest = new pb.AnalyzerStackConfigureRequest();
    tagsRequest.setStack(run.stack);
    tagsRequest.setProject(run.project);
    const tagMap = tagsRequest.getTagsMap();
    for (const [key, value] of Object.entries(stackTags)) {
        tagMap.set(key, value);
    }
    await pack.call("configureStack", tagsRequest).catch(() => undefined);

    const byUrn = new Map(run.resources.map((resource) => [resource.urn, resource]));
    // Diagnostics of a resource policy carry no URN: the engine attributes them to the analyzed resource.
    const diagnostics: { diagnostic: any; subject?: string }[] = [];
    for (const resource of run.resources.filter(isAnalyzed)) {
        const request = describeResource(new pb.AnalyzeRequest(), resource);
        const response: any = await pack.call("analyze", request);
        diagnostics.push(...response.getDiagnosticsList().map((diagnostic: any) => ({ diagnostic, subject: resource.urn })));
    }
    const stackRequest = new pb.AnalyzeStackRequest();
    stackRequest.setResourcesList(run.resources.filter((resource) => !resource.type.startsWith("pulumi:providers:")).map(analyzerResource));
    const stackResponse: any = await pack.call("analyzeStack", stackRequest);
    diagnostics.push(...stackResponse.getDiagnosticsList().map((diagnostic: any) => ({ diagnostic })));

    const categories = new Map(policies.map((policy) => [policy.name, policy.category]));
    const violations: Violation[] = diagnostics.map(({ diagnostic, subject }) => {
        const urn: string = diagnostic.getUrn() || subject || "";
        const resource = urn ? byUrn.get(urn) : undefined;
        // @pulumi/policy sends "<description>\n<message>"; the report shows the specific message.
        const description: string = diagnostic.getDescription();
        const fullMessage: string = diagnostic.getMessage();
        const message = description && fullMessage.startsWith(`${description}\n`) ? fullMessage.slice(description.length + 1) : fullMessage;
        return {
            policyName: diagnostic.getPolicyname(),
            policyPackName: diagnostic.getPolicypackname(),
            category: categories.get(diagnostic.getPolicyname()) ?? "uncategorized",
            enforcementLevel: LEVELS[diagnostic.getEnforcementlevel()] ?? "advisory",
            severity: SEVERITIES[diagnostic.getSeverity()] ?? "unspecified",
            message,
            description,
            urn: urn || undefined,
            resourceType: resource?.type,
            resourceName: resource?.name,
        };
    });
    return { packName, packVersion, policies, violations };
}

/** The engine analyzes custom resources one by one; providers and components only appear in the stack. */
function isAnalyzed(resource: RegisteredResource): boolean {
    return resource.custom && !resource.type.startsWith("pulumi:providers:");
}

function configureRequest(policies: PolicyInfo[], policyConfig: PolicyConfigFile): any {
    const known = new Set(policies.map((policy) => policy.name));
    const unknownNames = Object.keys(policyConfig).filter((name) => name !== "all" && !known.has(name));
    if (unknownNames.length > 0) {
        throw new PolicyConfigError(`policy config names unknown polic${unknownNames.length > 1 ? "ies" : "y"} ${unknownNames.join(", ")}; known: ${[...known].join(", ")}`);
    }
    const request = new pb.ConfigureAnalyzerRequest();
    const map = request.getPolicyconfigMap();
    const all = policyConfig["all"];
    for (const policy of policies) {
        const given = policyConfig[policy.name] ?? all;
        const settings = typeof given === "object" && given !== null ? given : {};
        const level = typeof given === "string" ? given : (settings.enforcementLevel ?? (typeof all === "string" ? all : policy.enforcementLevel));
        if (!LEVELS.includes(level)) {
            throw new PolicyConfigError(`policy config for ${policy.name} has enforcement level "${String(level)}"; use one of ${LEVELS.join(", ")}`);
        }
        const properties: Record<string, unknown> = { ...policy.configDefaults };
        for (const [key, value] of Object.entries(settings)) {
            if (key !== "enforcementLevel") {
                properties[key] = value;
            }
        }
        const config = new pb.PolicyConfig();
        config.setEnforcementlevel(LEVELS.indexOf(level));
        config.setProperties(struct(properties));
        map.set(policy.name, config);
    }
    return request;
}

function options(resource: RegisteredResource): any {
    const result = new pb.AnalyzerResourceOptions();
    result.setProtect(false);
    result.setIgnorechangesList([]);
    result.setAliasesList([]);
    result.setAdditionalsecretoutputsList([]);
    if (resource.parent) {
        result.setParent(resource.parent);
    }
    return result;
}

/** The fields AnalyzeRequest and AnalyzerResource share: type, properties, URN, name, options. */
function describeResource<T>(message: T, resource: RegisteredResource): T {
    const target = message as any;
    target.setType(resource.type);
    target.setProperties(struct(resource.wireState));
    target.setUrn(resource.urn);
    target.setName(resource.name);
    target.setOptions(options(resource));
    return message;
}

function analyzerResource(resource: RegisteredResource): any {
    const result = describeResource(new pb.AnalyzerResource(), resource);
    if (resource.parent) {
        result.setParent(resource.parent);
    }
    result.setDependenciesList(resource.dependencies);
    const map = result.getPropertydependenciesMap();
    for (const [property, urns] of Object.entries(resource.propertyDependencies)) {
        const dependencies = new pb.AnalyzerPropertyDependencies();
        dependencies.setUrnsList(urns);
        map.set(property, dependencies);
    }
    return result;
}

/** A protobuf Struct from plain JSON data (undefined dropped, as on the wire). */
function struct(value: Record<string, unknown>): unknown {
    return structPb.Struct.fromJavaScript(JSON.parse(JSON.stringify(value ?? {})) as Record<string, unknown>);
}
/* eslint-enable @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-explicit-any */
