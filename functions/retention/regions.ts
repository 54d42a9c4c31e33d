import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";

import { awsClientConfig } from "../shared/awsClient";
import { describeError, RetryableError } from "../shared/errors";

/** An AWS region name (also checked on every event that names one). */
export const REGION_PATTERN = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;

/** The opt-in states of a region the account can use: enabled by default, or opted in (EC2 DescribeRegions). */
const ENABLED_STATES = ["opt-in-not-required", "opted-in"];

/** The partition a region belongs to: credentials of one never reach another. */
export function partitionOf(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    if (region.startsWith("us-iso")) return "aws-iso";
    return "aws";
}

/**
 * The regions enabled in the account, sorted: EC2 DescribeRegions called in `fromRegion` (without AllRegions it
 * lists the enabled regions; the opt-in status is checked too), keeping only regions of the same partition.
 * Throws a RetryableError when the call keeps failing.
 */
export async function discoverEnabledRegions(fromRegion: string, client?: EC2Client): Promise<string[]> {
    const ec2 = client ?? new EC2Client(awsClientConfig({ region: fromRegion, maxAttempts: 5 }));
    const answer = await ec2.send(new DescribeRegionsCommand({ AllRegions: false })).catch((error: unknown) => {
        throw new RetryableError(`EC2 DescribeRegions in ${fromRegion} failed after retries: ${describeError(error)}`, { cause: error });
    });
    const partition = partitionOf(fromRegion);
    const names = (answer.Regions ?? [])
        .filter((region) => region.OptInStatus === undefined || ENABLED_STATES.includes(region.OptInStatus))
        .map((region) => region.RegionName ?? "")
        .filter((name) => REGION_PATTERN.test(name) && partitionOf(name) === partition);
    return [...new Set(names)].sort();
}
