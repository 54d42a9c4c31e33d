import { DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";

/** Every region enabled for the account (EC2 DescribeRegions without AllRegions: opted-in and default regions). */
export async function enabledRegions(ec2: EC2Client): Promise<string[]> {
    const answer = await ec2.send(new DescribeRegionsCommand({}));
    return (answer.Regions ?? [])
        .filter((region) => region.OptInStatus === undefined || region.OptInStatus !== "not-opted-in")
        .map((region) => region.RegionName ?? "")
        .filter((name) => name.length > 0)
        .sort();
}
