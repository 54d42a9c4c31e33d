/**
 * The machine-readable offline preview (`npm run preview -- --json`): every resource the program would register,
 * with its type, logical and physical name, URN, parent, provider, dependencies and inputs, secrets redacted.
 * The shape is documented in docs/deploy.md ("The preview as JSON"); `format` changes when it does.
 */
import type { Diagnostic, ProgramRun, RegisteredResource } from "../offline/runProgram";
import { redact, Redaction, REDACTED } from "./redact";

export const PREVIEW_FORMAT = "log-platform-preview/1";

export interface PreviewResource {
    urn: string;
    type: string;
    /** The logical name (what `pulumi preview` shows). */
    name: string;
    /**
     * The name the resource gets in AWS, `*` standing for the part AWS or Pulumi generates at deployment:
     * `name` when the inputs set it, `<namePrefix>*` for a prefix, `<logical name>-*` when Pulumi auto-names it
     * (7 random hex characters); null for a type without a name of its own (or one this preview cannot tell).
     */
    physicalName: string | null;
    /** A custom resource is a cloud resource; the others are components (groupings) and the stack's provider. */
    custom: boolean;
    /** The parent's URN; null for a resource directly under the stack. */
    parent: string | null;
    /** The provider's reference (`<urn>::<id>`), for custom resources. */
    provider: string | null;
    /** URNs this resource depends on, sorted. */
    dependencies: string[];
    /** The inputs as the program registers them; a redacted value reads "[redacted]". */
    inputs: Record<string, unknown>;
}

export interface PreviewDocument {
    format: typeof PREVIEW_FORMAT;
    project: string;
    stack: string;
    resourceCount: number;
    /** Sorted by URN, so two previews diff line by line. */
    resources: PreviewResource[];
    /** The stack outputs, as the offline mocks resolve them (ids and ARNs are the mocks' answers, account 123456789012). */
    outputs: Record<string, unknown>;
    /** What the program logged (`pulumi.log`): the data-protection plan, exemptions, warnings. */
    diagnostics: Diagnostic[];
    /** Every value left out, with where it was and why. */
    redactions: Redaction[];
}

const hasText = (value: unknown): value is string => typeof value === "string" && value.length > 0;

/** The physical name rule of one resource (see PreviewResource.physicalName). */
export function physicalName(resource: RegisteredResource): string | null {
    const { inputs, wireState } = resource;
    for (const [exact, prefix] of [
        ["name", "namePrefix"],
        ["bucket", "bucketPrefix"],
    ] as const) {
        if (hasText(inputs[exact])) return inputs[exact];
        if (hasText(inputs[prefix])) return `${inputs[prefix]}*`;
        // The offline cloud answers a name only for types that have one: then Pulumi auto-names it.
        if (resource.custom && hasText(wireState[exact])) return `${resource.name}-*`;
    }
    return null;
}

/** The preview document of one offline run; secrets in inputs and outputs are replaced and listed. */
export async function previewDocument(run: ProgramRun, diagnostics: Diagnostic[]): Promise<PreviewDocument> {
    const redactions: Redaction[] = [];
    const resources: PreviewResource[] = [];
    for (const resource of [...run.resources].sort((a, b) => a.urn.localeCompare(b.urn))) {
        const inputs = (await redact(resource.inputs, `resources[${JSON.stringify(resource.urn)}].inputs`, "", redactions)) as Record<string, unknown>;
        resources.push({
            urn: resource.urn,
            type: resource.type,
            name: resource.name,
            physicalName: physicalName(resource),
            custom: resource.custom,
            parent: resource.parent ?? null,
            provider: resource.provider ?? null,
            dependencies: [...new Set(resource.dependencies)].sort(),
            inputs,
        });
    }
    const outputs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(run.outputs)) {
        if (run.secretOutputs.includes(key)) {
            redactions.push({ path: `outputs.${key}`, reason: "a Pulumi secret" });
            outputs[key] = REDACTED;
        } else {
            outputs[key] = await redact(value, `outputs.${key}`, key, redactions);
        }
    }
    return { format: PREVIEW_FORMAT, project: run.project, stack: run.stack, resourceCount: resources.length, resources, outputs, diagnostics, redactions };
}
